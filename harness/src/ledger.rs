//! The known-deviation ledger: rules an implementation knowingly breaks, each with a reason.
//!
//! ```toml
//! version = 1                          # optional; the only version is 1
//!
//! [[deviation]]
//! rule = "SPL-07"                      # the rule broken (a catalog rule ID)
//! reason = "unlocking is lazy until 2.0"   # why it is known and accepted (required)
//! signature = "PR_SUBMIT_FLAGS.LOCKED" # optional: only violations whose text contains this
//! link = "https://example.org/bug/12"  # optional: where it is tracked
//! ```
//!
//! A failing step whose violated rules are all covered by entries (an entry covers a rule when it
//! names it and, if it has a signature, the text `RULE: SUBJECT: expected X, got Y` of one of that
//! rule's violations at that step contains the signature) is an expected failure: it is counted and reported,
//! and does not fail the run. An entry that covered nothing during a run is stale, and a stale entry
//! fails the run (the implementation may have been fixed: remove the entry, or run
//! `spoolcheck ledger update`).

use crate::runner::{Expected, RunReport};
use spoolcheck_model::RuleId;
use spoolcheck_specs::Catalog;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// The version of the ledger format this build reads and writes.
pub const VERSION: i64 = 1;

/// The reason `spoolcheck ledger update` gives a new entry; the run says when one is left.
pub const PLACEHOLDER_REASON: &str =
    "FILL IN: why this deviation is known and accepted (added by `spoolcheck ledger update`)";

/// One known deviation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deviation {
    /// The rule broken.
    pub rule: RuleId,
    /// Why it is known and accepted.
    pub reason: String,
    /// When set, only violations whose text contains this are covered.
    pub signature: Option<String>,
    /// Where it is tracked.
    pub link: Option<String>,
    /// The line of its `[[deviation]]` header (0 for an entry not read from a file).
    pub line: usize,
}

impl Deviation {
    /// What the runner matches failures against.
    pub fn expected(&self) -> Expected {
        Expected {
            rule: self.rule,
            signature: self.signature.clone(),
        }
    }

    /// Whether the reason is still the placeholder `ledger update` wrote.
    pub fn has_placeholder_reason(&self) -> bool {
        self.reason.trim() == PLACEHOLDER_REASON
    }
}

/// A ledger file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// The file, if it was read from one.
    pub path: Option<PathBuf>,
    /// The entries, in file order.
    pub deviations: Vec<Deviation>,
    /// The text it was read from, kept so an update preserves comments and layout.
    text: Option<String>,
}

/// Why a ledger file could not be used. Each names the file and the line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{path}:{line}: not valid TOML at `{near}`: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// The text of that line.
        near: String,
        /// The parser's message.
        message: String,
    },
    /// A key the ledger format does not have.
    #[error("{path}:{line}: unknown key `{key}`; {allowed}")]
    UnknownKey {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// The key.
        key: String,
        /// What is allowed there.
        allowed: &'static str,
    },
    /// A value of the wrong type.
    #[error("{path}:{line}: `{field}` must be {expected}")]
    WrongType {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// The key.
        field: String,
        /// What it must be.
        expected: &'static str,
    },
    /// `version` is not one this build reads.
    #[error("{path}:{line}: `version`: this build reads ledger version {VERSION} (found {found}); write version = {VERSION}")]
    Version {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// What was there.
        found: String,
    },
    /// A rule ID the catalog does not have.
    #[error("{path}:{line}: `rule`: unknown rule ID `{rule}`{}; `spoolcheck rules` lists them", did_you_mean(.suggestions))]
    UnknownRule {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// What was there.
        rule: String,
        /// The closest rule IDs.
        suggestions: Vec<String>,
    },
    /// An entry without `rule`.
    #[error("{path}:{line}: `rule`: this deviation names no rule; add rule = \"ID\" (e.g. rule = \"SPL-07\")")]
    MissingRule {
        /// The file.
        path: PathBuf,
        /// Line of the entry's header.
        line: usize,
    },
    /// An entry without a reason, or with an empty one.
    #[error("{path}:{line}: `reason`: every deviation needs a reason; add reason = \"...\" saying why {rule} is known and accepted")]
    MissingReason {
        /// The file.
        path: PathBuf,
        /// Line of the entry's header (or of the empty reason).
        line: usize,
        /// The entry's rule.
        rule: String,
    },
    /// An empty signature, which would match everything.
    #[error("{path}:{line}: `signature`: an empty signature matches every violation; remove the key or give the text to match")]
    EmptySignature {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
    },
    /// Two entries for the same rule and signature.
    #[error("{path}:{line}: `rule`: a second entry for {rule} with the same signature (the first is at line {first}); merge the two")]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// Line of the second entry.
        line: usize,
        /// The rule.
        rule: String,
        /// Line of the first entry.
        first: usize,
    },
}

fn did_you_mean(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", suggestions.join(" or "))
    }
}

/// What `spoolcheck ledger update` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Update {
    /// The new file's text.
    pub text: String,
    /// Entries kept because they still occur.
    pub kept: Vec<Deviation>,
    /// Entries added for failures the ledger did not list (with the placeholder reason).
    pub added: Vec<(Deviation, String)>,
    /// Stale entries, removed.
    pub removed: Vec<Deviation>,
    /// Failures that cannot be listed (panics, hangs, nonsense answers): their headlines.
    pub unlistable: Vec<String>,
}

const TOP_KEYS: &str = "a ledger has `version` and [[deviation]] entries";
const ENTRY_KEYS: &str = "a [[deviation]] has rule, reason, signature and link";

/// The text of a ledger: where each entry starts, for line numbers.
struct Lines<'a> {
    text: &'a str,
    /// The line (1-based) of each `[[deviation]]` header, in order.
    headers: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let headers = text
            .lines()
            .enumerate()
            .filter(|(_, l)| is_header(l))
            .map(|(i, _)| i + 1)
            .collect();
        Lines { text, headers }
    }

    /// The header line of entry `k`, if the entries are written as `[[deviation]]` tables.
    fn header(&self, k: usize) -> usize {
        self.headers.get(k).copied().unwrap_or(1)
    }

    /// The line of `key` in entry `k` (or at the top level for `None`), else the entry's header.
    fn key(&self, entry: Option<usize>, key: &str) -> usize {
        let (from, to) = match entry {
            Some(k) => (
                self.header(k),
                self.headers.get(k + 1).copied().unwrap_or(usize::MAX),
            ),
            None => (1, self.headers.first().copied().unwrap_or(usize::MAX)),
        };
        self.text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(n, _)| *n >= from && *n < to)
            .find(|(_, l)| {
                let l = l.trim_start();
                let l = l
                    .strip_prefix(key)
                    .or_else(|| l.strip_prefix(&format!("\"{key}\"")));
                l.is_some_and(|rest| rest.trim_start().starts_with('='))
            })
            .map_or(from, |(n, _)| n)
    }
}

fn is_header(line: &str) -> bool {
    let l: String = line
        .split('#')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    l == "[[deviation]]"
}

impl Ledger {
    /// An empty ledger.
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Parses a ledger; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Ledger, LedgerError> {
        let lines = Lines::new(text);
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            // Counted on bytes: a span may point inside a multi-byte character.
            let line = e.span().map_or(1, |span| {
                let end = span.start.min(text.len());
                text.as_bytes()[..end]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count()
                    + 1
            });
            LedgerError::Syntax {
                path: path.into(),
                line,
                near: text.lines().nth(line - 1).unwrap_or("").trim().to_string(),
                message: e.message().trim().to_string(),
            }
        })?;
        let wrong = |line: usize, field: &str, expected: &'static str| LedgerError::WrongType {
            path: path.into(),
            line,
            field: field.into(),
            expected,
        };
        let mut entries: &[toml::Value] = &[];
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("version", toml::Value::Integer(VERSION)) => {}
                ("version", other) => {
                    return Err(LedgerError::Version {
                        path: path.into(),
                        line: lines.key(None, "version"),
                        found: other.to_string(),
                    })
                }
                ("deviation", toml::Value::Array(items)) => entries = items,
                ("deviation", _) => {
                    return Err(wrong(
                        lines.key(None, "deviation"),
                        "deviation",
                        "a list of [[deviation]] tables",
                    ))
                }
                (other, _) => {
                    return Err(LedgerError::UnknownKey {
                        path: path.into(),
                        line: lines.key(None, other),
                        key: other.into(),
                        allowed: TOP_KEYS,
                    })
                }
            }
        }
        let mut deviations: Vec<Deviation> = Vec::with_capacity(entries.len());
        for (k, entry) in entries.iter().enumerate() {
            let header = lines.header(k);
            let toml::Value::Table(entry) = entry else {
                return Err(wrong(header, "deviation", "a list of [[deviation]] tables"));
            };
            let mut rule = None;
            let mut reason = None;
            let mut signature = None;
            let mut link = None;
            for (key, value) in entry {
                let line = lines.key(Some(k), key);
                let slot = match key.as_str() {
                    "rule" => &mut rule,
                    "reason" => &mut reason,
                    "signature" => &mut signature,
                    "link" => &mut link,
                    other => {
                        return Err(LedgerError::UnknownKey {
                            path: path.into(),
                            line,
                            key: other.into(),
                            allowed: ENTRY_KEYS,
                        })
                    }
                };
                let toml::Value::String(text) = value else {
                    return Err(wrong(line, key, "a string"));
                };
                *slot = Some((text.clone(), line));
            }
            let Some((rule_text, rule_line)) = rule else {
                return Err(LedgerError::MissingRule {
                    path: path.into(),
                    line: header,
                });
            };
            let rule = RuleId::parse(&rule_text).ok_or_else(|| LedgerError::UnknownRule {
                path: path.into(),
                line: rule_line,
                rule: rule_text.clone(),
                suggestions: Catalog::embedded()
                    .closest_ids(rule_text.trim())
                    .into_iter()
                    .map(String::from)
                    .collect(),
            })?;
            let reason = match reason {
                Some((text, _)) if !text.trim().is_empty() => text,
                other => {
                    return Err(LedgerError::MissingReason {
                        path: path.into(),
                        line: other.map_or(header, |(_, line)| line),
                        rule: rule.to_string(),
                    })
                }
            };
            if let Some((s, line)) = &signature {
                if s.is_empty() {
                    return Err(LedgerError::EmptySignature {
                        path: path.into(),
                        line: *line,
                    });
                }
            }
            let signature = signature.map(|(s, _)| s);
            if let Some(first) = deviations
                .iter()
                .find(|d| d.rule == rule && d.signature == signature)
            {
                return Err(LedgerError::Duplicate {
                    path: path.into(),
                    line: header,
                    rule: rule.to_string(),
                    first: first.line,
                });
            }
            deviations.push(Deviation {
                rule,
                reason,
                signature,
                link: link.map(|(l, _)| l),
                line: header,
            });
        }
        Ok(Ledger {
            path: Some(path.into()),
            deviations,
            text: Some(text.into()),
        })
    }

    /// Reads a ledger file.
    pub fn load(path: &Path) -> Result<Ledger, LedgerError> {
        let text = std::fs::read_to_string(path).map_err(|source| LedgerError::Io {
            path: path.into(),
            source,
        })?;
        Ledger::parse(&text, path)
    }

    /// What the runner matches failures against, in entry order.
    pub fn expectations(&self) -> Vec<Expected> {
        self.deviations.iter().map(Deviation::expected).collect()
    }

    /// The entries whose reason is still the placeholder.
    pub fn placeholders(&self) -> Vec<&Deviation> {
        self.deviations
            .iter()
            .filter(|d| d.has_placeholder_reason())
            .collect()
    }

    /// The ledger as a fresh file.
    pub fn render(deviations: &[Deviation]) -> String {
        let mut out = format!(
            "# Known deviations from the spoolcheck rules (see `spoolcheck ledger update --help`).\nversion = {VERSION}\n"
        );
        for d in deviations {
            out.push('\n');
            out.push_str(&entry_text(d, None));
        }
        out
    }

    /// The ledger after a run made with its [`Ledger::expectations`] (first in
    /// [`crate::runner::RunConfig::expected`]): entries that occurred are kept as they are
    /// (comments and layout included), stale ones are removed, and each rule of a new failure gets
    /// an entry with the placeholder reason, to be filled in.
    pub fn update(&self, report: &RunReport) -> Update {
        let mut update = Update::default();
        let mut stale = Vec::new();
        for (k, d) in self.deviations.iter().enumerate() {
            match report.expected.get(k) {
                Some(hits) if hits.cases > 0 => update.kept.push(d.clone()),
                _ => {
                    stale.push(k);
                    update.removed.push(d.clone());
                }
            }
        }
        for f in &report.failures {
            let rules = f.rules();
            if rules.is_empty() {
                update.unlistable.push(f.headline());
            }
            for rule in rules {
                let listed = update.kept.iter().any(|d| d.rule == rule)
                    || update.added.iter().any(|(d, _)| d.rule == rule);
                if !listed {
                    let d = Deviation {
                        rule,
                        reason: PLACEHOLDER_REASON.into(),
                        signature: None,
                        link: None,
                        line: 0,
                    };
                    update.added.push((d, f.headline()));
                }
            }
        }
        let text = self.text.as_deref().unwrap_or("");
        let lines = Lines::new(text);
        let in_place = self.text.is_some() && lines.headers.len() == self.deviations.len();
        let mut out = if in_place {
            remove_entries(text, &lines, &stale)
        } else {
            // Never read, or written some other way (inline tables): written afresh.
            Ledger::render(&update.kept)
        };
        if out.trim().is_empty() {
            out = Ledger::render(&[]);
        }
        for (d, headline) in &update.added {
            if !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(&entry_text(d, Some(headline)));
        }
        update.text = out;
        update
    }
}

/// One `[[deviation]]` table, with a comment naming the failure it was added for.
fn entry_text(d: &Deviation, seen: Option<&str>) -> String {
    let quote = |s: &str| toml::Value::String(s.into()).to_string();
    let mut out = String::new();
    if let Some(seen) = seen {
        let _ = writeln!(out, "# first seen: {}", seen.replace('\n', " "));
    }
    let _ = writeln!(out, "[[deviation]]");
    let _ = writeln!(out, "rule = {}", quote(d.rule.as_str()));
    let _ = writeln!(out, "reason = {}", quote(&d.reason));
    if let Some(s) = &d.signature {
        let _ = writeln!(out, "signature = {}", quote(s));
    }
    if let Some(l) = &d.link {
        let _ = writeln!(out, "link = {}", quote(l));
    }
    out
}

/// The text without the entries `remove` (by index): each from its header to its last key line,
/// so comments above the next entry stay with it.
fn remove_entries(text: &str, lines: &Lines<'_>, remove: &[usize]) -> String {
    let all: Vec<&str> = text.lines().collect();
    let mut drop = vec![false; all.len()];
    for &k in remove {
        let header = lines.header(k) - 1;
        // Comment lines right above the header (no blank line between) describe the entry.
        let mut start = header;
        while start > 0 && all[start - 1].trim_start().starts_with('#') {
            start -= 1;
        }
        let next = lines
            .headers
            .get(k + 1)
            .map_or(all.len(), |&h| h - 1)
            .min(all.len());
        let mut end = next;
        while end > header + 1 && {
            let l = all[end - 1].trim();
            l.is_empty() || l.starts_with('#')
        } {
            end -= 1;
        }
        for flag in &mut drop[start..end] {
            *flag = true;
        }
    }
    let mut out = String::new();
    let mut blank = false;
    for (l, dropped) in all.iter().zip(drop) {
        if dropped {
            continue;
        }
        // Removing an entry must not leave a growing run of blank lines.
        if l.trim().is_empty() {
            if blank {
                continue;
            }
            blank = true;
        } else {
            blank = false;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::ExpectedHits;

    fn p() -> &'static Path {
        Path::new("ledger.toml")
    }

    fn err(text: &str) -> String {
        Ledger::parse(text, p()).unwrap_err().to_string()
    }

    const GOOD: &str = r#"# our deviations
version = 1

# locking is lazy
[[deviation]]
rule = "spl-07"
reason = "unlocking is lazy until 2.0"
link = "https://example.org/12"

# restarts
[[deviation]]
rule = "SUBMIT-09"
reason = "the queue is rebuilt on restart"
signature = "PR_SUBMIT_FLAGS"
"#;

    #[test]
    fn a_ledger_parses_with_lines() {
        let ledger = Ledger::parse(GOOD, p()).unwrap();
        assert_eq!(ledger.deviations.len(), 2);
        let d = &ledger.deviations[0];
        assert_eq!((d.rule, d.line), (RuleId::Spl07, 5));
        assert_eq!(d.link.as_deref(), Some("https://example.org/12"));
        assert_eq!(
            ledger.deviations[1].signature.as_deref(),
            Some("PR_SUBMIT_FLAGS")
        );
        assert_eq!(ledger.expectations()[1].rule, RuleId::Submit09);
        assert!(Ledger::parse("", p()).unwrap().deviations.is_empty());
    }

    #[test]
    fn bad_ledgers_name_the_file_the_line_and_the_field() {
        let e = err("version = 1\n[[deviation]]\nrule = \"SPL-7\"\nreason = \"x\"\n");
        assert!(
            e.starts_with("ledger.toml:3: `rule`: unknown rule ID `SPL-7`") && e.contains("SPL-07"),
            "{e}"
        );
        let e = err("[[deviation]]\nrule = \"SPL-07\"\n");
        assert!(
            e.starts_with("ledger.toml:1: `reason`") && e.contains("SPL-07"),
            "{e}"
        );
        let e = err("[[deviation]]\nrule = \"SPL-07\"\nreason = \"  \"\n");
        assert!(e.starts_with("ledger.toml:3: `reason`"), "{e}");
        let e = err("[[deviation]]\nrule = \"SPL-07\"\nreason = \"x\"\nreasn = \"y\"\n");
        assert!(e.starts_with("ledger.toml:4: unknown key `reasn`"), "{e}");
        let e = err("[[deviation]]\nrule = \"SPL-07\"\nreason = 3\n");
        assert!(
            e.starts_with("ledger.toml:3: `reason` must be a string"),
            "{e}"
        );
        let e = err("version = 1\nrule = \"SPL-07\"\n");
        assert!(e.starts_with("ledger.toml:2: unknown key `rule`"), "{e}");
        let e = err("version = 2\n");
        assert!(e.starts_with("ledger.toml:1: `version`"), "{e}");
        let e = err("[[deviation]]\nreason = \"x\"\n");
        assert!(e.starts_with("ledger.toml:1: `rule`"), "{e}");
        let e = err("[[deviation]]\nrule = \"SPL-07\"\nreason = \"x\"\nsignature = \"\"\n");
        assert!(e.starts_with("ledger.toml:4: `signature`"), "{e}");
        let e = err("[[deviation]]\nrule = \"SPL-07\"\nreason = \"x\"\n\n[[deviation]]\nrule = \"SPL-07\"\nreason = \"y\"\n");
        assert!(
            e.starts_with("ledger.toml:5: `rule`") && e.contains("line 1"),
            "{e}"
        );
        let e = err("[[deviation]]\nrule = \"SPL-07\nreason = \"x\"\n");
        assert!(e.starts_with("ledger.toml:2: not valid TOML"), "{e}");
        let e = err("# café\n[[deviation]]\nrule = \"é\n");
        assert!(e.starts_with("ledger.toml:3: not valid TOML"), "{e}");
        let e = err("deviation = 3\n");
        assert!(e.starts_with("ledger.toml:1: `deviation` must be"), "{e}");
    }

    fn hits(cases: u64) -> ExpectedHits {
        ExpectedHits {
            expected: Expected::rule(RuleId::Spl07),
            cases,
            first: None,
        }
    }

    #[test]
    fn an_update_keeps_live_entries_removes_stale_ones_and_adds_new_ones() {
        let ledger = Ledger::parse(GOOD, p()).unwrap();
        let report = RunReport {
            expected: vec![hits(0), hits(4)],
            ..RunReport::default()
        };
        let update = ledger.update(&report);
        assert_eq!(update.removed.len(), 1);
        assert_eq!(update.removed[0].rule, RuleId::Spl07);
        assert_eq!(update.kept.len(), 1);
        assert!(
            update.text.starts_with("# our deviations\nversion = 1\n"),
            "{}",
            update.text
        );
        assert!(!update.text.contains("SPL-07"), "{}", update.text);
        // The comment right above the removed entry goes with it; the others stay.
        assert!(
            !update.text.contains("# locking is lazy"),
            "{}",
            update.text
        );
        assert!(
            update
                .text
                .contains("\n\n# restarts\n[[deviation]]\nrule = \"SUBMIT-09\""),
            "{}",
            update.text
        );
        let again = Ledger::parse(&update.text, p()).unwrap();
        assert_eq!(again.deviations.len(), 1);
        assert_eq!(again.deviations[0].rule, RuleId::Submit09);

        let fresh = Ledger::new().update(&RunReport::default());
        assert!(Ledger::parse(&fresh.text, p())
            .unwrap()
            .deviations
            .is_empty());
    }
}
