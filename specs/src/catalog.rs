//! The catalog as a whole: parsing, the embedded copy, and queries.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::ids::{edit_distance, sentence_number, FIRST_SENTENCE, LAST_SENTENCE};
use crate::types::{Ambiguity, Excluded, Invariant, Rule, Sentence, SentenceClass};

/// The TOML sources compiled into the crate, public so tools and tests can show or mutate them.
pub mod data {
    /// `rules.toml`: the encoded rules.
    pub const RULES: &str = include_str!("../rules.toml");
    /// `excluded.toml`: surveyed rules left out, with reasons.
    pub const EXCLUDED: &str = include_str!("../excluded.toml");
    /// `ambiguities.toml`: AMB-01..AMB-37 and the model's readings.
    pub const AMBIGUITIES: &str = include_str!("../ambiguities.toml");
    /// `invariants.toml`: INV-01..INV-15 and the rules they protect.
    pub const INVARIANTS: &str = include_str!("../invariants.toml");
    /// `sentences.toml`: the classification of S103..S172.
    pub const SENTENCES: &str = include_str!("../sentences.toml");
}

/// A catalog file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// The file is not valid TOML, or does not have the expected tables and fields.
    #[error("{file}: {source}")]
    Toml {
        /// The file name, e.g. `rules.toml`.
        file: &'static str,
        /// What the TOML reader reported, with line and column.
        source: toml::de::Error,
    },
}

/// The whole rule catalog: rules, excluded surveyed rules, ambiguities, invariants and sentences.
///
/// Parsing only checks the shape of each file. Cross-references (a rule citing an unknown
/// sentence, an invariant naming an unknown rule, ...) are reported by [`Catalog::validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// The encoded rules, in file order.
    pub rules: Vec<Rule>,
    /// The surveyed rules left out, with reasons.
    pub excluded: Vec<Excluded>,
    /// The ambiguities and the readings the model takes.
    pub ambiguities: Vec<Ambiguity>,
    /// The invariants checked after every step.
    pub invariants: Vec<Invariant>,
    /// The classification of every source sentence.
    pub sentences: Vec<Sentence>,
}

/// One row of the traceability matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentenceRow<'a> {
    /// The sentence id, e.g. `S133`.
    pub sentence: &'a str,
    /// How the sentence is treated.
    pub class: SentenceClass,
    /// The ids of the rules that cite the sentence, in catalog order.
    pub rules: Vec<&'a str>,
    /// The reason (or, for a normative sentence, the gist), if given.
    pub reason: Option<&'a str>,
}

// One wrapper per file: each file is a list of tables under a single key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExcludedFile {
    #[serde(default)]
    excluded: Vec<Excluded>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AmbiguitiesFile {
    #[serde(default)]
    ambiguity: Vec<Ambiguity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvariantsFile {
    #[serde(default)]
    invariant: Vec<Invariant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SentencesFile {
    #[serde(default)]
    sentence: Vec<Sentence>,
}

fn read<T: serde::de::DeserializeOwned>(file: &'static str, text: &str) -> Result<T, SpecError> {
    toml::from_str(text).map_err(|source| SpecError::Toml { file, source })
}

/// How far (in edits) a query may be from an id for [`Catalog::closest_ids`] to suggest it;
/// beyond this a suggestion is more confusing than helpful.
const MAX_SUGGESTION_DISTANCE: usize = 3;

/// How many suggestions [`Catalog::closest_ids`] returns at most.
const MAX_SUGGESTIONS: usize = 3;

impl Catalog {
    /// Parses the five catalog files from their TOML text.
    pub fn parse(
        rules: &str,
        excluded: &str,
        ambiguities: &str,
        invariants: &str,
        sentences: &str,
    ) -> Result<Catalog, SpecError> {
        Ok(Catalog {
            rules: read::<RulesFile>("rules.toml", rules)?.rule,
            excluded: read::<ExcludedFile>("excluded.toml", excluded)?.excluded,
            ambiguities: read::<AmbiguitiesFile>("ambiguities.toml", ambiguities)?.ambiguity,
            invariants: read::<InvariantsFile>("invariants.toml", invariants)?.invariant,
            sentences: read::<SentencesFile>("sentences.toml", sentences)?.sentence,
        })
    }

    /// The catalog compiled into this crate, parsed on first use.
    pub fn embedded() -> &'static Catalog {
        static EMBEDDED: OnceLock<Catalog> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            Catalog::parse(
                data::RULES,
                data::EXCLUDED,
                data::AMBIGUITIES,
                data::INVARIANTS,
                data::SENTENCES,
            )
            // The crate's tests parse and validate this very data, so failing here means the
            // build was made from files that never passed them.
            .expect("the embedded catalog parses (checked by the spoolcheck-specs tests)")
        })
    }

    /// The rule with this id (exact match).
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.id == id)
    }

    /// The ambiguity with this id (exact match).
    pub fn ambiguity(&self, id: &str) -> Option<&Ambiguity> {
        self.ambiguities.iter().find(|ambiguity| ambiguity.id == id)
    }

    /// The invariant with this id (exact match).
    pub fn invariant(&self, id: &str) -> Option<&Invariant> {
        self.invariants.iter().find(|invariant| invariant.id == id)
    }

    /// The classification of a sentence (exact match on the id, e.g. `S133`).
    pub fn sentence(&self, id: &str) -> Option<&Sentence> {
        self.sentences.iter().find(|sentence| sentence.id == id)
    }

    /// Up to three rule ids nearest to `query` by edit distance, ignoring case, nearest first
    /// (ties in id order). Ids more than three edits away are not suggested.
    ///
    /// Meant for "unknown rule, did you mean ...?" messages.
    pub fn closest_ids(&self, query: &str) -> Vec<&str> {
        let mut scored: Vec<(usize, &str)> = self
            .rules
            .iter()
            .map(|rule| (edit_distance(query, &rule.id), rule.id.as_str()))
            .filter(|(distance, _)| *distance <= MAX_SUGGESTION_DISTANCE)
            .collect();
        scored.sort_unstable();
        scored.dedup();
        scored
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(|(_, id)| id)
            .collect()
    }

    /// The rules whose sources cite `sentence` (e.g. `S133`), in catalog order.
    pub fn rules_citing(&self, sentence: &str) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|rule| rule.sources.iter().any(|source| source == sentence))
            .collect()
    }

    /// The rules that follow the chosen reading of `ambiguity` (e.g. `AMB-14`), in catalog order.
    pub fn rules_settling(&self, ambiguity: &str) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|rule| rule.settles.iter().any(|id| id == ambiguity))
            .collect()
    }

    /// The rules whose `check` names `invariant`, in catalog order.
    pub fn rules_checked_by(&self, invariant: &str) -> Vec<&Rule> {
        self.rules
            .iter()
            .filter(|rule| rule.check == invariant)
            .collect()
    }

    /// The traceability matrix: one row per sentence S103..S172 in number order, each with the
    /// rules that cite it.
    ///
    /// A sentence the catalog does not classify has no row (and [`Catalog::validate`] reports
    /// it); if one is listed twice, the first entry is used.
    pub fn sentence_rows(&self) -> Vec<SentenceRow<'_>> {
        (FIRST_SENTENCE..=LAST_SENTENCE)
            .filter_map(|number| self.sentence_by_number(number))
            .map(|sentence| SentenceRow {
                sentence: &sentence.id,
                class: sentence.class,
                rules: self
                    .rules_citing(&sentence.id)
                    .into_iter()
                    .map(|rule| rule.id.as_str())
                    .collect(),
                reason: sentence.reason.as_deref(),
            })
            .collect()
    }

    fn sentence_by_number(&self, number: u16) -> Option<&Sentence> {
        self.sentences
            .iter()
            .find(|sentence| sentence_number(&sentence.id) == Some(number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Catalog {
        let rules = r#"
            [[rule]]
            id = "OQ-01"
            level = "MUST"
            sources = ["S109"]
            [[rule]]
            id = "OQ-02"
            level = "SHOULD"
            sources = ["S109", "S110"]
        "#;
        let sentences = r#"
            [[sentence]]
            id = "S110"
            class = "normative"
            [[sentence]]
            id = "S109"
            class = "normative"
            reason = "gist"
        "#;
        Catalog::parse(rules, "", "", "", sentences).expect("tiny catalog parses")
    }

    #[test]
    fn parse_errors_name_the_file() {
        let error = Catalog::parse("", "", "", "[[invariant]\n", "").expect_err("broken TOML");
        assert!(
            error.to_string().starts_with("invariants.toml: "),
            "{error}"
        );
    }

    #[test]
    fn rules_citing_keeps_catalog_order() {
        let catalog = tiny();
        let ids: Vec<&str> = catalog
            .rules_citing("S109")
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, ["OQ-01", "OQ-02"]);
        assert!(catalog.rules_citing("S111").is_empty());
    }

    #[test]
    fn sentence_rows_follow_sentence_numbers_not_file_order() {
        let catalog = tiny();
        let rows = catalog.sentence_rows();
        let sentences: Vec<&str> = rows.iter().map(|row| row.sentence).collect();
        assert_eq!(sentences, ["S109", "S110"]);
        assert_eq!(rows[0].reason, Some("gist"));
        assert_eq!(rows[1].rules, ["OQ-02"]);
    }

    #[test]
    fn closest_ids_ranks_by_distance_and_drops_far_ids() {
        let catalog = tiny();
        assert_eq!(catalog.closest_ids("oq-02"), ["OQ-02", "OQ-01"]);
        assert!(catalog.closest_ids("PERSIST-04").is_empty());
    }
}
