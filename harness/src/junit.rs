//! JUnit XML (`spoolcheck run --junit FILE`), the common denominator of CI test reports (GitHub
//! Actions reporters, GitLab, Jenkins, Azure Pipelines, Buildkite).
//!
//! One `<testcase>` per applicable rule: `classname` is `spoolcheck.` and the rule's family
//! (`spoolcheck.SUBMIT`), `name` is the ID and title (`SUBMIT-09: ...`).
//! - A rule broken by a failure of the run: `<failure>` with the headline as `message`, and the
//!   violations, the minimal trace table and the trace file as text.
//! - A stale ledger entry's rule (when stale entries fail the run): `<failure type="stale">`.
//! - A rule broken only by a SHOULD violation without `--strict`: `<skipped>` with the warning.
//! - A rule broken only as a known deviation: `<skipped>` with the ledger's reason.
//! - A rule never reached: `<skipped>`, or `<failure type="coverage">` when the run is below its
//!   `--min-coverage`.
//!
//! Panics, hangs and nonsense answers, which break no particular rule, are testcases of class
//! `spoolcheck.implementation`; a harness error is an `<error>` of class `spoolcheck.harness`.

use crate::coverage::Status;
use crate::json_report::{DeviationDoc, Document, FailureDoc, StalePolicy};
use std::fmt::Write;

/// One testcase's result.
enum Outcome {
    Pass,
    Failure {
        kind: String,
        message: String,
        body: String,
    },
    Error {
        message: String,
    },
    Skipped {
        message: String,
    },
}

struct Case {
    classname: String,
    name: String,
    outcome: Outcome,
}

/// The report as JUnit XML.
pub fn render(doc: &Document) -> String {
    let mut cases = Vec::new();
    for rule in &doc.coverage.rules {
        if rule.status == Status::NotApplicable {
            continue;
        }
        let naming = |f: &&FailureDoc| f.rules.contains(&rule.rule);
        let failing = doc.failures.iter().filter(|f| f.fails_run).find(naming);
        let warning = doc.failures.iter().filter(|f| !f.fails_run).find(naming);
        let stale = doc.stale.iter().find(|d| d.rule == rule.rule);
        let expected = doc.expected.iter().find(|d| d.rule == rule.rule);
        let outcome = if let Some(f) = failing {
            Outcome::Failure {
                kind: f.level.clone().unwrap_or_else(|| "MUST".into()),
                message: f.headline.clone(),
                body: failure_body(f),
            }
        } else if let (Some(d), StalePolicy::Fail) = (stale, doc.stale_policy) {
            Outcome::Failure {
                kind: "stale".into(),
                message: format!(
                    "stale ledger entry: {} is listed as a known deviation (line {}) but did not occur; remove the entry or run `spoolcheck ledger update`",
                    d.rule, d.line
                ),
                body: deviation_body(d),
            }
        } else if let Some(f) = warning {
            Outcome::Skipped {
                message: format!(
                    "warning (a SHOULD violation fails the run only with --strict): {}",
                    f.headline
                ),
            }
        } else if let Some(d) = expected {
            Outcome::Skipped {
                message: format!(
                    "expected deviation (ledger line {}, {} case(s)): {}",
                    d.line, d.cases, d.reason
                ),
            }
        } else if rule.status == Status::NeverReached && !doc.coverage.met {
            Outcome::Failure {
                kind: "coverage".into(),
                message: format!(
                    "never reached, and the run is below its minimum coverage ({} of {} applicable rules reached)",
                    doc.coverage.reached, doc.coverage.applicable
                ),
                body: String::new(),
            }
        } else if rule.status == Status::NeverReached {
            Outcome::Skipped {
                message: "never reached by the generated cases".into(),
            }
        } else {
            Outcome::Pass
        };
        cases.push(Case {
            classname: format!("spoolcheck.{}", rule.family),
            name: format!("{}: {}", rule.rule, rule.title),
            outcome,
        });
    }
    for f in doc.failures.iter().filter(|f| f.rule.is_none()) {
        cases.push(Case {
            classname: "spoolcheck.implementation".into(),
            name: f.headline.clone(),
            outcome: Outcome::Failure {
                kind: "implementation".into(),
                message: f.headline.clone(),
                body: failure_body(f),
            },
        });
    }
    if let Some(e) = &doc.harness_error {
        cases.push(Case {
            classname: "spoolcheck.harness".into(),
            name: "the harness ran the suite".into(),
            outcome: Outcome::Error { message: e.clone() },
        });
    }
    let count = |pred: fn(&Outcome) -> bool| cases.iter().filter(|c| pred(&c.outcome)).count();
    let failures = count(|o| matches!(o, Outcome::Failure { .. }));
    let errors = count(|o| matches!(o, Outcome::Error { .. }));
    let skipped = count(|o| matches!(o, Outcome::Skipped { .. }));
    let time = format!("{:.3}", doc.timings.elapsed_ms as f64 / 1000.0);
    let shards: Vec<String> = doc.shards.iter().map(ToString::to_string).collect();
    let shards = shards.join("+");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"spoolcheck\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time}\">",
        cases.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time}\">",
        escape(&format!(
            "spoolcheck {} (seed {}, shard {shards})",
            doc.implementation, doc.seed
        )),
        cases.len()
    );
    let _ = writeln!(out, "    <properties>");
    let choices = serde_json::to_string(&doc.choices).unwrap_or_default();
    for (name, value) in [
        ("implementation", doc.implementation.clone()),
        ("seed", doc.seed.to_string()),
        ("cases", doc.cases.to_string()),
        ("shard", shards.clone()),
        ("strict", doc.strict.to_string()),
        ("choices", choices),
        (
            "verdict",
            serde_json::to_value(doc.verdict)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
        ),
    ] {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape(name),
            escape(&value)
        );
    }
    let _ = writeln!(out, "    </properties>");
    for case in &cases {
        let open = format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(&case.classname),
            escape(&case.name)
        );
        match &case.outcome {
            Outcome::Pass => {
                let _ = writeln!(out, "{open}/>");
            }
            Outcome::Failure {
                kind,
                message,
                body,
            } => {
                let _ = writeln!(
                    out,
                    "{open}>\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                    escape(kind),
                    escape(message),
                    escape(body)
                );
            }
            Outcome::Error { message } => {
                let _ = writeln!(
                    out,
                    "{open}>\n      <error type=\"harness\" message=\"{}\">{}</error>\n    </testcase>",
                    escape(message),
                    escape(message)
                );
            }
            Outcome::Skipped { message } => {
                let _ = writeln!(
                    out,
                    "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                    escape(message)
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn failure_body(f: &FailureDoc) -> String {
    let mut out = format!("{}\n", f.headline);
    if !f.also_breaks.is_empty() {
        let _ = writeln!(out, "also breaks: {}", f.also_breaks.join(", "));
    }
    if !f.sources.is_empty() {
        let _ = writeln!(out, "sources: {}", f.sources.join(", "));
    }
    for v in &f.violations {
        let _ = writeln!(
            out,
            "- {} {}: expected {}, got {}",
            v.rule, v.subject, v.expected, v.actual
        );
    }
    let _ = writeln!(out, "minimal trace ({} steps):", f.ops.len());
    out.push_str(&f.trace);
    if let Some(path) = &f.trace_file {
        let _ = writeln!(out, "saved: {path}  (replay: spoolcheck replay {path})");
    }
    out
}

fn deviation_body(d: &DeviationDoc) -> String {
    let mut out = format!("reason: {}\n", d.reason);
    if let Some(s) = &d.signature {
        let _ = writeln!(out, "signature: {s}");
    }
    if let Some(l) = &d.link {
        let _ = writeln!(out, "link: {l}");
    }
    out
}

/// Text as XML character data or an attribute value: markup characters escaped, and characters
/// XML 1.0 cannot carry at all (most control characters) replaced by U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A small well-formedness check of XML as this module writes it: one root element, tags nest and
/// match, attribute values are quoted and unique per element, and every `&` starts a known entity
/// or a character reference. Enough to catch an escaping mistake; not a validating parser.
pub fn check_well_formed(xml: &str) -> Result<(), String> {
    let mut rest = xml.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after.find("?>").ok_or("unterminated XML declaration")?;
        rest = &after[end + 2..];
    }
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            check_text(rest)?;
            if !rest.trim().is_empty() {
                return Err(format!("text after the root element: {:.40}", rest.trim()));
            }
            break;
        };
        let text = &rest[..lt];
        check_text(text)?;
        if stack.is_empty() && !text.trim().is_empty() {
            return Err(format!(
                "text outside the root element: {:.40}",
                text.trim()
            ));
        }
        rest = &rest[lt..];
        let gt = rest.find('>').ok_or("unterminated tag")?;
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
            continue;
        }
        let (body, empty) = match tag.strip_suffix('/') {
            Some(b) => (b, true),
            None => (tag, false),
        };
        let name_end = body.find(|c: char| c.is_whitespace()).unwrap_or(body.len());
        let name = &body[..name_end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_:.".contains(c))
        {
            return Err(format!("bad element name `{name}`"));
        }
        check_attributes(&body[name_end..])?;
        if stack.is_empty() {
            roots += 1;
            if roots > 1 {
                return Err("more than one root element".into());
            }
        }
        if !empty {
            stack.push(name.to_string());
        }
    }
    match stack.last() {
        Some(open) => Err(format!("<{open}> is never closed")),
        None if roots == 1 => Ok(()),
        None => Err("no root element".into()),
    }
}

fn check_attributes(mut text: &str) -> Result<(), String> {
    let mut seen = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Ok(());
        }
        let eq = text
            .find('=')
            .ok_or(format!("attribute without value: {text}"))?;
        let name = text[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) || seen.contains(&name) {
            return Err(format!("bad or repeated attribute name `{name}`"));
        }
        seen.push(name);
        let value = text[eq + 1..].trim_start();
        let quote = value.chars().next().ok_or("attribute without value")?;
        if quote != '"' && quote != '\'' {
            return Err(format!("unquoted attribute `{name}`"));
        }
        let end = value[1..]
            .find(quote)
            .ok_or(format!("unterminated attribute `{name}`"))?;
        let v = &value[1..=end];
        if v.contains('<') {
            return Err(format!("`<` in attribute `{name}`"));
        }
        check_text(v)?;
        text = &value[end + 2..];
    }
}

fn check_text(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let after = &rest[amp + 1..];
        let semi = after.find(';').ok_or("`&` without `;`")?;
        let entity = &after[..semi];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || entity
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if !known {
            return Err(format!("unknown entity `&{entity};`"));
        }
        rest = &after[semi + 1..];
    }
    if text.contains("]]>") {
        return Err("`]]>` in text".into());
    }
    if let Some(c) = text
        .chars()
        .find(|&c| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(format!("control character U+{:04X} in text", c as u32));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_markup_out() {
        let nasty = "a<b>&c\"d'e\u{1}f]]>";
        let escaped = escape(nasty);
        assert_eq!(escaped, "a&lt;b&gt;&amp;c&quot;d&apos;e\u{FFFD}f]]&gt;");
        let xml = format!("<a x=\"{escaped}\">{escaped}</a>");
        check_well_formed(&xml).unwrap();
    }

    #[test]
    fn the_checker_finds_mistakes() {
        check_well_formed("<?xml version=\"1.0\"?>\n<a><b x='1'/>text</a>\n").unwrap();
        for bad in [
            "<a><b></a>",
            "<a>",
            "<a x=1/>",
            "<a>&nope;</a>",
            "<a>x & y</a>",
            "<a/><b/>",
            "<a x=\"1\" x=\"2\"/>",
            "text<a/>",
            "",
        ] {
            assert!(check_well_formed(bad).is_err(), "{bad}");
        }
    }
}
