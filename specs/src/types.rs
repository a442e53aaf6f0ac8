//! The records of the catalog, one type per TOML table, and the small enums they use.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How binding a rule is.
///
/// The order is by strictness, so `Level::Must > Level::Should > Level::May > Level::Info`: a
/// report can sort or filter failures with plain comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// Informative: describes behaviour without obliging anyone.
    #[serde(rename = "INFO")]
    Info,
    /// A permitted behaviour; the model accepts it when the implementation declares it.
    #[serde(rename = "MAY")]
    May,
    /// Recommended; a violation fails a strict run and warns otherwise.
    #[serde(rename = "SHOULD")]
    Should,
    /// Required; a violation fails the run.
    #[serde(rename = "MUST")]
    Must,
}

impl Level {
    /// Every level, strictest first: the order in which reports list them.
    pub const STRICTEST_FIRST: [Level; 4] = [Level::Must, Level::Should, Level::May, Level::Info];

    /// The spelling used in the TOML files and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
            Level::Info => "INFO",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which parts the implementation under test plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Only the message store provider is under test; the harness plays client, MAPI and spooler.
    Provider,
    /// A whole MAPI implementation is under test: the store together with its spooler and support object.
    System,
}

impl Profile {
    /// Every profile, in the order reports list them.
    pub const ALL: [Profile; 2] = [Profile::Provider, Profile::System];

    /// The spelling used in the TOML files and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Provider => "provider",
            Profile::System => "system",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a source sentence of the seed page is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SentenceClass {
    /// The sentence states a duty; at least one rule cites it.
    Normative,
    /// Background, a lead-in, a title or navigation; no duty follows from it.
    Informative,
    /// The sentence describes someone else's work (MAPI's), which the harness scripts.
    OutOfScope,
}

impl SentenceClass {
    /// The spelling used in the TOML files and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            SentenceClass::Normative => "normative",
            SentenceClass::Informative => "informative",
            SentenceClass::OutOfScope => "out-of-scope",
        }
    }
}

impl fmt::Display for SentenceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a rule is enforced, parsed from [`Rule::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check<'a> {
    /// The model's expectation for the step that exercises the rule.
    Oracle,
    /// An invariant over the state, checked after every step (its id, e.g. `INV-04`).
    Invariant(&'a str),
}

impl<'a> Check<'a> {
    /// Reads a `check` field: `"oracle"` or an invariant id `INV-` followed by two digits.
    pub fn parse(text: &'a str) -> Option<Check<'a>> {
        if text == "oracle" {
            return Some(Check::Oracle);
        }
        let digits = text.strip_prefix("INV-")?;
        let well_formed = digits.len() == 2 && digits.bytes().all(|b| b.is_ascii_digit());
        well_formed.then_some(Check::Invariant(text))
    }
}

/// One rule of the catalog (a `[[rule]]` table of `rules.toml`).
///
/// Fields other than `id` and `level` default to empty when absent, so that a missing
/// statement, source list or check shows up as a [`crate::Problem`] naming the rule rather
/// than as a bare TOML error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Rule id, `FAMILY-NN`, e.g. `SUBMIT-09`.
    pub id: String,
    /// How binding the rule is.
    pub level: Level,
    /// The profiles in which the rule applies.
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// A few words naming the rule.
    #[serde(default)]
    pub title: String,
    /// What an implementation must (should, may) do, in one to three sentences.
    #[serde(default)]
    pub statement: String,
    /// Source sentence ids (`S133`) and MAPI reference page names (`imsgstore-setlockstate`).
    #[serde(default)]
    pub sources: Vec<String>,
    /// The ambiguities (`AMB-xx`) whose chosen reading this rule follows.
    #[serde(default)]
    pub settles: Vec<String>,
    /// `"oracle"` or the id of the invariant that enforces the rule.
    #[serde(default)]
    pub check: String,
    /// What the rule constrains, as subjects the model names (`return:SubmitMessage`,
    /// `call:PrepareSubmit`, `notify:queue-table`, `state:PR_SUBMIT_FLAGS.LOCKED`); a pattern may
    /// end in `*` (`call:*`). The model attributes an expectation only to a rule that governs its
    /// subject.
    #[serde(default)]
    pub governs: Vec<String>,
    /// Why the rule is checked in the profiles it lists and not in the others.
    #[serde(default)]
    pub why_profiles: String,
    /// For a derived rule (a conclusion from other rules or an ambiguity reading rather than a
    /// sentence of the pages): why it follows, in one or two sentences. Its level is that of its
    /// weakest source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning: Option<String>,
    /// For a derived rule: the rules and ambiguity readings it is concluded from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from: Vec<String>,
    /// Anything a reader should know, e.g. that the id is our own split of a surveyed rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Rule {
    /// The family prefix of the id: `SUBMIT` for `SUBMIT-09`.
    pub fn family(&self) -> &str {
        self.id
            .rsplit_once('-')
            .map_or(self.id.as_str(), |(family, _)| family)
    }

    /// The number after the family prefix: 9 for `SUBMIT-09`, `None` if the id has none.
    pub fn number(&self) -> Option<u32> {
        self.id.rsplit_once('-')?.1.parse().ok()
    }

    /// The parsed `check` field, `None` when it is neither `oracle` nor an invariant id.
    pub fn check_kind(&self) -> Option<Check<'_>> {
        Check::parse(&self.check)
    }

    /// Whether the rule applies in `profile`.
    pub fn applies_in(&self, profile: Profile) -> bool {
        self.profiles.contains(&profile)
    }

    /// Whether the rule is derived: concluded from other rules or an ambiguity reading.
    pub fn is_derived(&self) -> bool {
        self.reasoning.is_some()
    }

    /// Whether the rule governs a subject, given in its text form (`call:PrepareSubmit`): one of
    /// [`Rule::governs`] is the subject or a prefix of it ending in `*`.
    pub fn governs_subject(&self, subject: &str) -> bool {
        self.governs
            .iter()
            .any(|pattern| match pattern.strip_suffix('*') {
                Some(prefix) => subject.starts_with(prefix),
                None => subject == pattern,
            })
    }

    /// The source sentence ids the rule cites (sources that look like `S<digits>`).
    pub fn cited_sentences(&self) -> impl Iterator<Item = &str> {
        self.sources
            .iter()
            .map(String::as_str)
            .filter(|source| crate::ids::is_sentence_ref(source))
    }
}

/// A surveyed rule the catalog deliberately leaves out (an `[[excluded]]` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Excluded {
    /// The surveyed rule id.
    pub id: String,
    /// Why it is not encoded.
    #[serde(default)]
    pub reason: String,
}

/// An ambiguity of the documentation and the reading the model takes (an `[[ambiguity]]` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ambiguity {
    /// `AMB-01` .. `AMB-37`.
    pub id: String,
    /// What is ambiguous, in a few words.
    #[serde(default)]
    pub title: String,
    /// The reading the model takes; says so when the oracle accepts a set of outcomes.
    #[serde(default)]
    pub choice: String,
    /// What the reading leaves open: on the paths where the model applies one of `on` (rule ids),
    /// the `fields` (subjects, as in [`Rule::governs`]) of the operation's message are never
    /// asserted. A test ties this to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open: Option<LeftOpen>,
}

/// What an ambiguity reading leaves open, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeftOpen {
    /// Rules whose paths the reading covers: every outcome that applies one of them must apply
    /// the reading too. Empty where no rule picks out the paths; then the paths are the outcomes
    /// that apply the reading.
    #[serde(default)]
    pub on: Vec<String>,
    /// The subjects of the operation's message left open there (`state:PR_CLIENT_SUBMIT_TIME`).
    #[serde(default)]
    pub fields: Vec<String>,
}

/// A property of the model state checked after every step (an `[[invariant]]` table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Invariant {
    /// `INV-01` .. `INV-15`.
    pub id: String,
    /// What always holds.
    #[serde(default)]
    pub statement: String,
    /// The rules a violation of this invariant breaks.
    #[serde(default)]
    pub rules: Vec<String>,
}

/// The classification of one source sentence (a `[[sentence]]` table).
///
/// The rules of a sentence are not stored: they are the rules whose sources cite it
/// ([`crate::Catalog::rules_citing`]), so the two can never disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sentence {
    /// `S103` .. `S172`.
    pub id: String,
    /// How the sentence is treated.
    pub class: SentenceClass,
    /// Required unless normative; for a normative sentence, a short gist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_by_strictness() {
        assert!(Level::Must > Level::Should);
        assert!(Level::Should > Level::May);
        assert!(Level::May > Level::Info);
        let mut sorted = Level::STRICTEST_FIRST;
        sorted.sort();
        sorted.reverse();
        assert_eq!(sorted, Level::STRICTEST_FIRST);
    }

    #[test]
    fn level_display_matches_toml_spelling() {
        for level in Level::STRICTEST_FIRST {
            let parsed: Level = toml::Value::String(level.to_string())
                .try_into()
                .expect("the displayed spelling parses back");
            assert_eq!(parsed, level);
        }
    }

    #[test]
    fn check_parses_oracle_and_invariant_ids_only() {
        assert_eq!(Check::parse("oracle"), Some(Check::Oracle));
        assert_eq!(Check::parse("INV-04"), Some(Check::Invariant("INV-04")));
        assert_eq!(Check::parse("INV-4"), None);
        assert_eq!(Check::parse("INV-004"), None);
        assert_eq!(Check::parse("Oracle"), None);
        assert_eq!(Check::parse(""), None);
    }

    #[test]
    fn rule_family_and_number_come_from_the_id() {
        let rule: Rule =
            toml::from_str("id = \"PERSIST-04\"\nlevel = \"MUST\"").expect("minimal rule");
        assert_eq!(rule.family(), "PERSIST");
        assert_eq!(rule.number(), Some(4));
        assert!(rule.profiles.is_empty(), "absent fields default to empty");
    }

    #[test]
    fn unknown_rule_fields_are_rejected() {
        let typo = toml::from_str::<Rule>("id = \"A-01\"\nlevel = \"MAY\"\nsetles = []");
        assert!(
            typo.is_err(),
            "a misspelt field must not be dropped silently"
        );
    }
}
