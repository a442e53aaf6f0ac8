//! The catalog as a readable Markdown spec (`specs/SPEC.md`).
//!
//! Output depends only on the catalog, never on hash order or the clock, so the committed file
//! can be compared byte for byte with a fresh rendering.

use std::fmt::{self, Display, Formatter};

use crate::catalog::Catalog;
use crate::ids::FAMILIES;
use crate::types::{Level, Profile, Rule, SentenceClass};

/// Renders the whole catalog as Markdown: introduction, counts, rules by family, invariants,
/// ambiguities, the traceability matrix and the excluded surveyed rules.
pub fn render_markdown(catalog: &Catalog) -> String {
    Spec(catalog).to_string()
}

struct Spec<'a>(&'a Catalog);

impl Display for Spec<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let catalog = self.0;
        intro(f)?;
        summary(f, catalog)?;
        rules(f, catalog)?;
        invariants(f, catalog)?;
        ambiguities(f, catalog)?;
        matrix(f, catalog)?;
        excluded(f, catalog)
    }
}

fn intro(f: &mut Formatter<'_>) -> fmt::Result {
    writeln!(f, "# spoolcheck rule catalog")?;
    writeln!(f)?;
    writeln!(
        f,
        "<!-- Generated from specs/*.toml by `cargo run -q -p spoolcheck-specs --example render > specs/SPEC.md`. Do not edit by hand. -->"
    )?;
    writeln!(f)?;
    writeln!(
        f,
        "This is what a MAPI message store provider that sends mail has to do, as spoolcheck checks it. \
         Each rule has a level: **MUST** is required and a violation fails the run; **SHOULD** is \
         recommended and a violation fails a strict run and warns otherwise; **MAY** names a permitted \
         behaviour that the model accepts when the implementation declares it; **INFO** obliges no one. \
         Each rule applies in one or both profiles: in `provider` only the store is under test and the \
         harness plays the client, MAPI's support object, the spooler and the transports; in `system` a \
         whole MAPI implementation is under test, so the spooler's duties become checkable too. A rule \
         lists the profiles in which the suite checks it: in `system` the implementation's own spooler \
         makes the spooler's calls to the store (locking, the queue table, FinishedMsg), which the harness \
         does not see, so the store's side of those calls is checked in `provider` and their result \
         through the spooler rules of `system`. MAY rules are checked against the declared choices: a \
         behaviour the implementation did not declare, or one it declared and did not show, fails the run."
    )?;
    writeln!(f)?;
    writeln!(
        f,
        "A rule reads as: its id, level, profiles and title; the statement; its sources (`S103`..`S172` \
         are the numbered sentences of the seed page \"Sending messages by using message store providers\", \
         other names are MAPI reference pages); the ambiguities (`AMB-xx`) whose chosen reading it follows; \
         its check: `oracle` is the model's expectation for the step that exercises the rule, `INV-xx` \
         an invariant checked after every step; and what it governs: the return values of calls \
         (`return:SubmitMessage`), the support and transport calls (`call:PrepareSubmit`), the \
         notifications (`notify:queue-table`) and the observed fields (`state:PR_SUBMIT_FLAGS.LOCKED`; \
         `*` ends a prefix) that it constrains. The model blames a difference only on a rule that \
         governs it, and a test holds it to that. All statements are our own words."
    )?;
    writeln!(f)?;
    writeln!(
        f,
        "A **derived** rule is a conclusion the pages imply but do not state, drawn from other rules \
         or from an ambiguity reading. It says what it is derived from and why, and its level is that \
         of its weakest source: a conclusion from a SHOULD, or from a reading of pages that disagree, \
         is at most SHOULD. `spoolcheck explain RULE` shows the chain."
    )?;
    writeln!(f)
}

fn summary(f: &mut Formatter<'_>, catalog: &Catalog) -> fmt::Result {
    writeln!(f, "## Summary")?;
    writeln!(f)?;
    writeln!(f, "| Level | provider | system | rules |")?;
    writeln!(f, "|---|---:|---:|---:|")?;
    for level in Level::STRICTEST_FIRST {
        let at_level = |rule: &&Rule| rule.level == level;
        count_row(f, level.as_str(), catalog.rules.iter().filter(at_level))?;
    }
    count_row(f, "all", catalog.rules.iter())?;
    writeln!(f)?;
    let classes = [
        SentenceClass::Normative,
        SentenceClass::Informative,
        SentenceClass::OutOfScope,
    ];
    let by_class: Vec<String> = classes
        .iter()
        .map(|class| {
            let n = catalog
                .sentences
                .iter()
                .filter(|s| s.class == *class)
                .count();
            format!("{n} {class}")
        })
        .collect();
    writeln!(
        f,
        "Also: {} invariants, {} ambiguities, {} excluded surveyed rules, and {} source sentences ({}).",
        catalog.invariants.len(),
        catalog.ambiguities.len(),
        catalog.excluded.len(),
        catalog.sentences.len(),
        by_class.join(", ")
    )?;
    writeln!(f)
}

fn count_row<'a>(
    f: &mut Formatter<'_>,
    label: &str,
    rules: impl Iterator<Item = &'a Rule> + Clone,
) -> fmt::Result {
    let in_profile = |profile| {
        rules
            .clone()
            .filter(|rule| rule.applies_in(profile))
            .count()
    };
    writeln!(
        f,
        "| {label} | {} | {} | {} |",
        in_profile(Profile::Provider),
        in_profile(Profile::System),
        rules.clone().count()
    )
}

fn rules(f: &mut Formatter<'_>, catalog: &Catalog) -> fmt::Result {
    writeln!(f, "## Rules")?;
    writeln!(f)?;
    for (family, heading) in FAMILIES {
        let mut members: Vec<&Rule> = catalog
            .rules
            .iter()
            .filter(|r| r.family() == family)
            .collect();
        if members.is_empty() {
            continue;
        }
        // By number, so the spec reads in id order whatever the file order.
        members.sort_by_key(|rule| (rule.number(), rule.id.as_str()));
        writeln!(f, "### {family}: {heading}")?;
        writeln!(f)?;
        for rule in members {
            rule_entry(f, catalog, rule)?;
        }
    }
    Ok(())
}

fn rule_entry(f: &mut Formatter<'_>, catalog: &Catalog, rule: &Rule) -> fmt::Result {
    let profiles: Vec<&str> = rule.profiles.iter().map(|p| p.as_str()).collect();
    writeln!(f, "#### {}: {}", rule.id, rule.title)?;
    writeln!(f)?;
    let derived = if rule.is_derived() { ", derived" } else { "" };
    writeln!(f, "**{}** ({}{derived})", rule.level, profiles.join(", "))?;
    writeln!(f)?;
    writeln!(f, "{}", rule.statement)?;
    writeln!(f)?;
    writeln!(f, "- Sources: {}", rule.sources.join(", "))?;
    if !rule.settles.is_empty() {
        let settled: Vec<String> = rule
            .settles
            .iter()
            .map(|id| match catalog.ambiguity(id) {
                Some(ambiguity) => format!("{id} ({})", ambiguity.title),
                None => id.clone(),
            })
            .collect();
        writeln!(f, "- Settles: {}", settled.join("; "))?;
    }
    writeln!(f, "- Check: {}", rule.check)?;
    let governs: Vec<String> = rule.governs.iter().map(|g| format!("`{g}`")).collect();
    writeln!(f, "- Governs: {}", governs.join(", "))?;
    writeln!(f, "- Profiles: {}", rule.why_profiles)?;
    if let Some(reasoning) = &rule.reasoning {
        writeln!(f, "- Derived from: {}", rule.from.join(", "))?;
        writeln!(f, "- Reasoning: {reasoning}")?;
    }
    if let Some(note) = &rule.note {
        writeln!(f, "- Note: {note}")?;
    }
    writeln!(f)
}

fn invariants(f: &mut Formatter<'_>, catalog: &Catalog) -> fmt::Result {
    writeln!(f, "## Invariants")?;
    writeln!(f)?;
    writeln!(f, "Checked on the model state after every step.")?;
    writeln!(f)?;
    for invariant in &catalog.invariants {
        writeln!(f, "### {}", invariant.id)?;
        writeln!(f)?;
        writeln!(f, "{}", invariant.statement)?;
        writeln!(f)?;
        writeln!(f, "- Protects: {}", invariant.rules.join(", "))?;
        let enforced = ids(catalog.rules_checked_by(&invariant.id));
        if !enforced.is_empty() {
            writeln!(f, "- Enforces: {}", enforced.join(", "))?;
        }
        writeln!(f)?;
    }
    Ok(())
}

fn ambiguities(f: &mut Formatter<'_>, catalog: &Catalog) -> fmt::Result {
    writeln!(f, "## Ambiguities and the readings taken")?;
    writeln!(f)?;
    for ambiguity in &catalog.ambiguities {
        writeln!(f, "### {}: {}", ambiguity.id, ambiguity.title)?;
        writeln!(f)?;
        writeln!(f, "{}", ambiguity.choice)?;
        writeln!(f)?;
        if let Some(open) = &ambiguity.open {
            let fields: Vec<String> = open.fields.iter().map(|g| format!("`{g}`")).collect();
            let on = if open.on.is_empty() {
                String::new()
            } else {
                format!(" (on every path of {})", open.on.join(", "))
            };
            writeln!(
                f,
                "- Leaves open{on}: {}; the model never asserts them where it follows this reading.",
                fields.join(", ")
            )?;
        }
        let settled_by = ids(catalog.rules_settling(&ambiguity.id));
        if settled_by.is_empty() {
            writeln!(f, "- Followed by: no rule (background for the model)")?;
        } else {
            writeln!(f, "- Followed by: {}", settled_by.join(", "))?;
        }
        writeln!(f)?;
    }
    Ok(())
}

fn matrix(f: &mut Formatter<'_>, catalog: &Catalog) -> fmt::Result {
    writeln!(f, "## Traceability matrix")?;
    writeln!(f)?;
    writeln!(
        f,
        "Every source sentence of the seed page, its class, and the rules that cite it. For a \
         normative sentence the last column is a gist; otherwise it is the reason no rule cites it."
    )?;
    writeln!(f)?;
    writeln!(f, "| Sentence | Class | Rules | Gist or reason |")?;
    writeln!(f, "|---|---|---|---|")?;
    for row in catalog.sentence_rows() {
        writeln!(
            f,
            "| {} | {} | {} | {} |",
            row.sentence,
            row.class,
            row.rules.join(", "),
            cell(row.reason.unwrap_or(""))
        )?;
    }
    writeln!(f)
}

fn excluded(f: &mut Formatter<'_>, catalog: &Catalog) -> fmt::Result {
    writeln!(f, "## Surveyed rules not encoded")?;
    writeln!(f)?;
    writeln!(
        f,
        "Surveyed rules that the catalog leaves out on purpose, and why."
    )?;
    writeln!(f)?;
    writeln!(f, "| Digest rule | Reason |")?;
    writeln!(f, "|---|---|")?;
    for entry in &catalog.excluded {
        writeln!(f, "| {} | {} |", entry.id, cell(&entry.reason))?;
    }
    Ok(())
}

fn ids(rules: Vec<&Rule>) -> Vec<&str> {
    rules.into_iter().map(|rule| rule.id.as_str()).collect()
}

/// Text made safe for a Markdown table cell: a `|` would end the cell, a newline the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_newlines() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }

    #[test]
    fn rendering_is_deterministic() {
        let catalog = Catalog::embedded();
        assert_eq!(render_markdown(catalog), render_markdown(&catalog.clone()));
    }

    #[test]
    fn every_rule_gets_a_heading() {
        let catalog = Catalog::embedded();
        let spec = render_markdown(catalog);
        for rule in &catalog.rules {
            let heading = format!("\n#### {}: {}\n", rule.id, rule.title);
            assert!(spec.contains(&heading), "no heading for {}", rule.id);
        }
    }
}
