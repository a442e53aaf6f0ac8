//! The spoolcheck rule catalog: what a MAPI message store provider that sends mail has to do.
//!
//! The catalog lives in five TOML files beside this crate, compiled in with `include_str!`:
//!
//! * `rules.toml`: the rules, each with an id (`SUBMIT-09`), a [`Level`], the [`Profile`]s it
//!   applies in, a statement, its sources (sentence ids `S103`..`S172` of the seed page and MAPI
//!   reference page names), the ambiguities it settles, and its check (`oracle` or an invariant).
//! * `excluded.toml`: the surveyed rules left out on purpose, with reasons.
//! * `ambiguities.toml`: the documentation's ambiguities and the reading the model takes.
//! * `invariants.toml`: properties of the model state checked after every step.
//! * `sentences.toml`: every source sentence classified as normative, informative or out of
//!   scope. The rules of a sentence are not stored but derived from the rules' sources, so the
//!   traceability matrix cannot drift from the rules.
//!
//! [`Catalog::validate`] cross-checks the files, and [`render_markdown`] turns the catalog into
//! the readable spec committed as `specs/SPEC.md`.
//!
//! ```
//! use spoolcheck_specs::{Catalog, Level, Profile};
//!
//! let catalog = Catalog::embedded();
//! assert!(catalog.validate().is_empty());
//!
//! let rule = catalog.rule("SUBMIT-09").expect("the preprocess route is a rule");
//! assert_eq!(rule.level, Level::Must);
//! assert!(rule.applies_in(Profile::Provider));
//! assert!(catalog.rules_citing("S133").iter().any(|r| r.id == "SUBMIT-09"));
//!
//! // A mistyped id on the command line gets a suggestion.
//! assert_eq!(catalog.closest_ids("submt-09").first(), Some(&"SUBMIT-09"));
//! ```
#![forbid(unsafe_code)]

mod catalog;
mod ids;
mod render;
mod types;
mod validate;

pub use catalog::{data, Catalog, SentenceRow, SpecError};
pub use ids::{
    is_sentence_ref, sentence_id, sentence_number, FAMILIES, FIRST_SENTENCE, LAST_SENTENCE,
};
pub use render::render_markdown;
pub use types::{
    Ambiguity, Check, Excluded, Invariant, Level, Profile, Rule, Sentence, SentenceClass,
};
pub use validate::Problem;

impl Catalog {
    /// Every inconsistency within and across the catalog files; empty when the catalog is sound.
    ///
    /// Checked: every sentence S103..S172 classified exactly once and no other sentence id
    /// anywhere; normative sentences cited and cited sentences normative; reasons for the
    /// others; unique ids; no rule both encoded and excluded; rules with a statement, sources,
    /// profiles and a well-formed check; references to invariants, ambiguities and rules that
    /// exist.
    pub fn validate(&self) -> Vec<Problem> {
        validate::validate(self)
    }
}
