//! Consistency checks across the five catalog files.

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::Catalog;
use crate::ids::{
    is_page_name, is_rule_id, is_sentence_ref, sentence_id, sentence_number, FIRST_SENTENCE,
    LAST_SENTENCE,
};
use crate::types::{Check, Profile, Rule, SentenceClass};

/// One thing wrong with the catalog. `Display` says what is wrong and in which file and entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A sentence of S103..S172 has no entry in `sentences.toml`.
    #[error("sentences.toml: {sentence} is not classified")]
    SentenceMissing {
        /// The sentence id.
        sentence: String,
    },
    /// A sentence has more than one entry in `sentences.toml`.
    #[error("sentences.toml: {sentence} is classified more than once")]
    SentenceDuplicated {
        /// The sentence id.
        sentence: String,
    },
    /// `sentences.toml` lists an id that is not a sentence of the seed page.
    #[error("sentences.toml: {sentence} is not a sentence id in S103..S172")]
    SentenceOutOfRange {
        /// The id as written.
        sentence: String,
    },
    /// A rule cites a sentence id that is not a sentence of the seed page.
    #[error("rules.toml: rule {rule} cites {sentence}, which is not a sentence id in S103..S172")]
    RuleCitesUnknownSentence {
        /// The citing rule.
        rule: String,
        /// The id as written.
        sentence: String,
    },
    /// A rule source is neither a sentence id nor a reference page name.
    #[error("rules.toml: rule {rule} has source {cited:?}, neither a sentence id nor a page name")]
    MalformedSource {
        /// The citing rule.
        rule: String,
        /// The source as written.
        cited: String,
    },
    /// A sentence classified normative that no rule cites.
    #[error("sentences.toml: {sentence} is normative but no rule cites it")]
    NormativeUncited {
        /// The sentence id.
        sentence: String,
    },
    /// A rule cites a sentence that is not classified normative.
    #[error(
        "rules.toml: rule {rule} cites {sentence}, which is classified {class}, not normative"
    )]
    NonNormativeCited {
        /// The sentence id.
        sentence: String,
        /// Its classification.
        class: SentenceClass,
        /// The citing rule.
        rule: String,
    },
    /// An informative or out-of-scope sentence without a reason.
    #[error("sentences.toml: {sentence} is {class} but gives no reason")]
    ReasonMissing {
        /// The sentence id.
        sentence: String,
        /// Its classification.
        class: SentenceClass,
    },
    /// Two rules share an id.
    #[error("rules.toml: rule id {rule} appears more than once")]
    DuplicateRule {
        /// The repeated id.
        rule: String,
    },
    /// Two entries of another file share an id.
    #[error("{file}: id {id} appears more than once")]
    DuplicateEntry {
        /// The file name.
        file: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A rule id is both encoded and listed as excluded.
    #[error("excluded.toml: {rule} is excluded but also encoded in rules.toml")]
    EncodedAndExcluded {
        /// The rule id.
        rule: String,
    },
    /// A rule id is not `FAMILY-NN` with one of the known families.
    #[error("rules.toml: rule id {rule} is not FAMILY-NN with a known family")]
    MalformedRuleId {
        /// The id as written.
        rule: String,
    },
    /// A rule whose statement is empty.
    #[error("rules.toml: rule {rule} has an empty statement")]
    EmptyStatement {
        /// The rule id.
        rule: String,
    },
    /// A required text field of some entry is empty.
    #[error("{file}: {id} has an empty {field}")]
    EmptyField {
        /// The file name.
        file: &'static str,
        /// The entry's id.
        id: String,
        /// The field name.
        field: &'static str,
    },
    /// A rule without sources.
    #[error("rules.toml: rule {rule} cites no sources")]
    NoSources {
        /// The rule id.
        rule: String,
    },
    /// A rule without a check.
    #[error("rules.toml: rule {rule} has no check")]
    NoCheck {
        /// The rule id.
        rule: String,
    },
    /// A check that is neither `oracle` nor an invariant id.
    #[error("rules.toml: rule {rule} has check {check:?}, neither \"oracle\" nor INV-xx")]
    MalformedCheck {
        /// The rule id.
        rule: String,
        /// The check as written.
        check: String,
    },
    /// A check naming an invariant the catalog lacks.
    #[error("rules.toml: rule {rule} is checked by {invariant}, which invariants.toml lacks")]
    UnknownInvariantInCheck {
        /// The rule id.
        rule: String,
        /// The invariant id as written.
        invariant: String,
    },
    /// A `settles` entry naming an ambiguity the catalog lacks.
    #[error("rules.toml: rule {rule} settles {ambiguity}, which ambiguities.toml lacks")]
    UnknownAmbiguity {
        /// The rule id.
        rule: String,
        /// The ambiguity id as written.
        ambiguity: String,
    },
    /// A rule with no profile.
    #[error("rules.toml: rule {rule} applies in no profile")]
    EmptyProfiles {
        /// The rule id.
        rule: String,
    },
    /// An invariant naming a rule the catalog does not encode.
    #[error("invariants.toml: {invariant} protects {rule}, which rules.toml lacks")]
    InvariantNamesUnknownRule {
        /// The invariant id.
        invariant: String,
        /// The rule id as written.
        rule: String,
    },
    /// An invariant that protects no rule.
    #[error("invariants.toml: {invariant} protects no rule")]
    InvariantWithoutRules {
        /// The invariant id.
        invariant: String,
    },
    /// A rule that governs nothing: the model could attribute no expectation to it.
    #[error("rules.toml: rule {rule} governs nothing; list the calls, fields or notifications it constrains")]
    GovernsNothing {
        /// The rule id.
        rule: String,
    },
    /// A rule of profile `system` that governs only what the harness cannot see there: calls to
    /// MAPI's support object and the queue table's notifications, which are inside the
    /// implementation. It could never fail in that profile.
    #[error("rules.toml: rule {rule} is in profile system but governs only {governs}, which in profile system are inside the implementation; make it a rule of profile provider only, or list what the harness does see")]
    InvisibleInSystem {
        /// The rule id.
        rule: String,
        /// Its governed subjects.
        governs: String,
    },
    /// A `governs` pattern that is not `return:`, `call:`, `notify:` or `state:` something.
    #[error("rules.toml: rule {rule} governs {pattern:?}, which is not return:CALL, call:NAME, notify:KIND or state:FIELD (or such a prefix ending in *)")]
    MalformedSubject {
        /// The rule id.
        rule: String,
        /// The pattern as written.
        pattern: String,
    },
    /// A derived rule (one with `reasoning`) that names nothing it is derived `from`, or `from`
    /// without reasoning, or a `from` entry that is neither a rule nor an ambiguity of the catalog.
    #[error("rules.toml: rule {rule} is derived but {what}")]
    DerivationIncomplete {
        /// The rule id.
        rule: String,
        /// What is missing or wrong.
        what: String,
    },
    /// An ambiguity that leaves something open on the paths of a rule the catalog lacks, or
    /// leaves open a malformed subject.
    #[error("ambiguities.toml: {ambiguity} leaves {what}")]
    MalformedOpen {
        /// The ambiguity id.
        ambiguity: String,
        /// What is wrong.
        what: String,
    },
}

/// Every problem of `catalog`, grouped by file, in a stable order.
pub(crate) fn validate(catalog: &Catalog) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_sentence_table(catalog, &mut problems);
    for rule in &catalog.rules {
        check_rule_fields(rule, &mut problems);
        check_rule_references(catalog, rule, &mut problems);
    }
    check_rule_ids(catalog, &mut problems);
    check_citations(catalog, &mut problems);
    check_excluded(catalog, &mut problems);
    check_ambiguities(catalog, &mut problems);
    check_invariants(catalog, &mut problems);
    problems
}

fn check_sentence_table(catalog: &Catalog, problems: &mut Vec<Problem>) {
    let mut seen = BTreeMap::<u16, usize>::new();
    for sentence in &catalog.sentences {
        match sentence_number(&sentence.id) {
            Some(number) => *seen.entry(number).or_default() += 1,
            None => problems.push(Problem::SentenceOutOfRange {
                sentence: sentence.id.clone(),
            }),
        }
        let reason_given = sentence
            .reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty());
        if sentence.class != SentenceClass::Normative && !reason_given {
            problems.push(Problem::ReasonMissing {
                sentence: sentence.id.clone(),
                class: sentence.class,
            });
        }
    }
    for number in FIRST_SENTENCE..=LAST_SENTENCE {
        let sentence = sentence_id(number);
        match seen.get(&number).copied().unwrap_or(0) {
            0 => problems.push(Problem::SentenceMissing { sentence }),
            1 => {}
            _ => problems.push(Problem::SentenceDuplicated { sentence }),
        }
    }
}

/// The subjects the harness cannot see in profile `system`: the implementation is MAPI's support
/// object and the spooler there, so these calls and notifications never cross the seam.
const INSIDE_THE_SYSTEM: &[&str] = &[
    "call:SpoolerNotify",
    "call:PrepareSubmit",
    "call:ExpandRecips",
    "call:CompleteMsg",
    "call:DoSentMail",
    "call:StoreLogoffTransports",
    "notify:queue-table",
];

fn check_rule_fields(rule: &Rule, problems: &mut Vec<Problem>) {
    let id = || rule.id.clone();
    if !is_rule_id(&rule.id) {
        problems.push(Problem::MalformedRuleId { rule: id() });
    }
    if rule.title.trim().is_empty() {
        problems.push(Problem::EmptyField {
            file: "rules.toml",
            id: id(),
            field: "title",
        });
    }
    if rule.statement.trim().is_empty() {
        problems.push(Problem::EmptyStatement { rule: id() });
    }
    if rule.profiles.is_empty() {
        problems.push(Problem::EmptyProfiles { rule: id() });
    }
    if rule.sources.is_empty() {
        problems.push(Problem::NoSources { rule: id() });
    }
    if rule.governs.is_empty() {
        problems.push(Problem::GovernsNothing { rule: id() });
    }
    if rule.why_profiles.trim().is_empty() {
        problems.push(Problem::EmptyField {
            file: "rules.toml",
            id: id(),
            field: "why_profiles",
        });
    }
    let visible = |g: &String| !INSIDE_THE_SYSTEM.contains(&g.as_str());
    if rule.profiles.contains(&Profile::System)
        && !rule.governs.is_empty()
        && !rule.governs.iter().any(visible)
    {
        problems.push(Problem::InvisibleInSystem {
            rule: id(),
            governs: rule.governs.join(", "),
        });
    }
    for pattern in &rule.governs {
        if !is_subject_pattern(pattern) {
            problems.push(Problem::MalformedSubject {
                rule: id(),
                pattern: pattern.clone(),
            });
        }
    }
    if rule.check.trim().is_empty() {
        problems.push(Problem::NoCheck { rule: id() });
    } else if rule.check_kind().is_none() {
        problems.push(Problem::MalformedCheck {
            rule: id(),
            check: rule.check.clone(),
        });
    }
}

fn check_rule_references(catalog: &Catalog, rule: &Rule, problems: &mut Vec<Problem>) {
    for source in &rule.sources {
        if is_sentence_ref(source) {
            if sentence_number(source).is_none() {
                problems.push(Problem::RuleCitesUnknownSentence {
                    rule: rule.id.clone(),
                    sentence: source.clone(),
                });
            }
        } else if !is_page_name(source) {
            problems.push(Problem::MalformedSource {
                rule: rule.id.clone(),
                cited: source.clone(),
            });
        }
    }
    if let Some(Check::Invariant(invariant)) = rule.check_kind() {
        if catalog.invariant(invariant).is_none() {
            problems.push(Problem::UnknownInvariantInCheck {
                rule: rule.id.clone(),
                invariant: invariant.to_owned(),
            });
        }
    }
    for ambiguity in &rule.settles {
        if catalog.ambiguity(ambiguity).is_none() {
            problems.push(Problem::UnknownAmbiguity {
                rule: rule.id.clone(),
                ambiguity: ambiguity.clone(),
            });
        }
    }
    let incomplete = |what: String| Problem::DerivationIncomplete {
        rule: rule.id.clone(),
        what,
    };
    match (&rule.reasoning, rule.from.is_empty()) {
        (Some(text), _) if text.trim().is_empty() => {
            problems.push(incomplete("its reasoning is empty".into()))
        }
        (Some(_), true) => problems.push(incomplete("names nothing it is derived from".into())),
        (None, false) => problems.push(incomplete("has `from` without `reasoning`".into())),
        _ => {}
    }
    for origin in &rule.from {
        let known = catalog.rule(origin).is_some() || catalog.ambiguity(origin).is_some();
        if !known || origin == &rule.id {
            problems.push(incomplete(format!(
                "is derived from {origin}, which is no other rule or ambiguity of the catalog"
            )));
        }
    }
}

/// `return:`, `call:`, `notify:` or `state:` and a name, or such a prefix ending in `*`.
fn is_subject_pattern(pattern: &str) -> bool {
    let Some((kind, name)) = pattern.split_once(':') else {
        return false;
    };
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-*".contains(&b))
        && name.find('*').is_none_or(|i| i == name.len() - 1);
    matches!(kind, "return" | "call" | "notify" | "state") && name_ok
}

fn check_rule_ids(catalog: &Catalog, problems: &mut Vec<Problem>) {
    for rule in repeated(catalog.rules.iter().map(|rule| rule.id.as_str())) {
        problems.push(Problem::DuplicateRule { rule });
    }
}

/// Normative sentences need a citing rule; cited sentences need to be normative.
fn check_citations(catalog: &Catalog, problems: &mut Vec<Problem>) {
    for sentence in &catalog.sentences {
        let citing = catalog.rules_citing(&sentence.id);
        if sentence.class == SentenceClass::Normative && citing.is_empty() {
            problems.push(Problem::NormativeUncited {
                sentence: sentence.id.clone(),
            });
        }
        if sentence.class != SentenceClass::Normative {
            for rule in citing {
                problems.push(Problem::NonNormativeCited {
                    sentence: sentence.id.clone(),
                    class: sentence.class,
                    rule: rule.id.clone(),
                });
            }
        }
    }
}

fn check_excluded(catalog: &Catalog, problems: &mut Vec<Problem>) {
    for excluded in &catalog.excluded {
        if catalog.rule(&excluded.id).is_some() {
            problems.push(Problem::EncodedAndExcluded {
                rule: excluded.id.clone(),
            });
        }
        if excluded.reason.trim().is_empty() {
            problems.push(Problem::EmptyField {
                file: "excluded.toml",
                id: excluded.id.clone(),
                field: "reason",
            });
        }
    }
    let ids = catalog.excluded.iter().map(|excluded| excluded.id.as_str());
    push_duplicates("excluded.toml", ids, problems);
}

fn check_ambiguities(catalog: &Catalog, problems: &mut Vec<Problem>) {
    for ambiguity in &catalog.ambiguities {
        for (field, text) in [("title", &ambiguity.title), ("choice", &ambiguity.choice)] {
            if text.trim().is_empty() {
                problems.push(Problem::EmptyField {
                    file: "ambiguities.toml",
                    id: ambiguity.id.clone(),
                    field,
                });
            }
        }
        let Some(open) = &ambiguity.open else {
            continue;
        };
        let malformed = |what: String| Problem::MalformedOpen {
            ambiguity: ambiguity.id.clone(),
            what,
        };
        if open.fields.is_empty() {
            problems.push(malformed("nothing open".into()));
        }
        for rule in &open.on {
            if catalog.rule(rule).is_none() {
                problems.push(malformed(format!(
                    "fields open on the paths of {rule}, which rules.toml lacks"
                )));
            }
        }
        for field in &open.fields {
            if !field.starts_with("state:") || !is_subject_pattern(field) {
                problems.push(malformed(format!(
                    "{field:?} open, which is not a state:FIELD"
                )));
            }
        }
    }
    let ids = catalog
        .ambiguities
        .iter()
        .map(|ambiguity| ambiguity.id.as_str());
    push_duplicates("ambiguities.toml", ids, problems);
}

fn check_invariants(catalog: &Catalog, problems: &mut Vec<Problem>) {
    for invariant in &catalog.invariants {
        if invariant.statement.trim().is_empty() {
            problems.push(Problem::EmptyField {
                file: "invariants.toml",
                id: invariant.id.clone(),
                field: "statement",
            });
        }
        if invariant.rules.is_empty() {
            problems.push(Problem::InvariantWithoutRules {
                invariant: invariant.id.clone(),
            });
        }
        for rule in &invariant.rules {
            if catalog.rule(rule).is_none() {
                problems.push(Problem::InvariantNamesUnknownRule {
                    invariant: invariant.id.clone(),
                    rule: rule.clone(),
                });
            }
        }
    }
    let ids = catalog
        .invariants
        .iter()
        .map(|invariant| invariant.id.as_str());
    push_duplicates("invariants.toml", ids, problems);
}

fn push_duplicates<'a>(
    file: &'static str,
    ids: impl Iterator<Item = &'a str>,
    problems: &mut Vec<Problem>,
) {
    for id in repeated(ids) {
        problems.push(Problem::DuplicateEntry { file, id });
    }
}

/// The ids that occur more than once, each reported once, in sorted order.
fn repeated<'a>(ids: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    ids.filter(|id| !seen.insert(*id))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_reports_each_duplicate_once() {
        let ids = ["A-01", "B-01", "A-01", "A-01", "C-01", "B-01"];
        let found: Vec<String> = repeated(ids.into_iter()).into_iter().collect();
        assert_eq!(found, ["A-01", "B-01"]);
    }

    #[test]
    fn an_empty_catalog_misses_every_sentence() {
        let catalog = Catalog::parse("", "", "", "", "").expect("empty files parse");
        let problems = validate(&catalog);
        let expected = usize::from(LAST_SENTENCE - FIRST_SENTENCE + 1);
        assert_eq!(problems.len(), expected);
        assert!(problems
            .iter()
            .all(|problem| matches!(problem, Problem::SentenceMissing { .. })));
    }

    #[test]
    fn problems_name_file_and_entry() {
        let problem = Problem::RuleCitesUnknownSentence {
            rule: "SUBMIT-09".into(),
            sentence: "S999".into(),
        };
        assert_eq!(
            problem.to_string(),
            "rules.toml: rule SUBMIT-09 cites S999, which is not a sentence id in S103..S172"
        );
    }
}
