//! Declared choices, loaded from a small versioned TOML file. [`KEYS`] explains every key;
//! [`template`] writes a file with those explanations as comments (`spoolcheck choices`), and
//! [`parse`] refuses any other key.
//!
//! ```toml
//! version = 1
//! profile = "provider"
//! prepare_submit = "always"        # or "resend-only"
//! enforce_spooler_only = true
//! lock_after_restart = "either"    # "dropped" | "kept" | "either"
//! disposition_by = "store"         # or "do-sent-mail"
//! delete_means = "hard-delete"     # or "move-to-deleted-items"
//! sentmail = "move"                # or "copy"
//!
//! [tight_coupling]                 # omit for an ordinary store
//! handles = ["SMTP"]
//! completion = "complete-msg"      # or "local"
//! ```

use spoolcheck_model::Choices;
use spoolcheck_specs::Catalog;
use std::path::{Path, PathBuf};

/// The version of the choices file this build reads.
pub const VERSION: i64 = 1;

/// Why a choices file could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChoicesError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A key or value is wrong; the message names the line, the key and what is allowed.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, where.
        message: String,
    },
    /// `version` is missing or not one this build reads.
    #[error("{path}: `version = {VERSION}` is required (found {found})")]
    Version {
        /// The file.
        path: PathBuf,
        /// What was there.
        found: String,
    },
}

/// One key of a choices file, explained: what it declares, the values it takes, the rules that
/// check it and the ambiguities whose reading it settles. `spoolcheck choices` prints these as
/// the comments of the file; the parser refuses every key that is not one of them.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The key; a key of the `[tight_coupling]` table is written `tight_coupling.handles`.
    pub name: &'static str,
    /// What it declares.
    pub declares: &'static str,
    /// Each allowed value (as written in TOML) and what it means.
    pub values: &'static [(&'static str, &'static str)],
    /// The rules whose check follows the declaration.
    pub rules: &'static [&'static str],
    /// The ambiguities (`AMB-xx`) whose reading the declaration settles.
    pub settles: &'static [&'static str],
}

/// Every key a choices file may have besides `version`, in the order `spoolcheck choices` prints them.
pub const KEYS: &[Key] = &[
    Key {
        name: "profile",
        declares: "which parties the implementation plays. It decides which rules apply: each rule names its profiles (`spoolcheck rules --profile system`).",
        values: &[
            (
                "\"provider\"",
                "a message store provider; the harness plays the client, MAPI's support object, the spooler and the transports",
            ),
            (
                "\"system\"",
                "a whole MAPI implementation: store, support object and spooler; the harness plays the client and the transports",
            ),
        ],
        rules: &[],
        settles: &[],
    },
    Key {
        name: "submission",
        declares: "whether the store supports sending mail at all. Without it every SubmitMessage fails, nothing is ever queued, and only the rules of a store that does not send apply.",
        values: &[
            ("true", "the store accepts SubmitMessage and keeps an outgoing queue"),
            ("false", "the store declares no submission support"),
        ],
        rules: &["CAP-01", "CAP-03"],
        settles: &[],
    },
    Key {
        name: "prepare_submit",
        declares: "when the store calls IMAPISupport::PrepareSubmit during a client's SubmitMessage.",
        values: &[
            ("\"always\"", "on every client submission (step 1 of the sending page)"),
            (
                "\"resend-only\"",
                "only for messages with MSGFLAG_RESEND (the notes of IMessage::SubmitMessage)",
            ),
        ],
        rules: &["SUBMIT-04"],
        settles: &["AMB-04"],
    },
    Key {
        name: "enforce_spooler_only",
        declares: "whether the spooler-only methods GetOutgoingQueue, SetLockState and NotifyNewMail refuse a caller that is not the spooler.",
        values: &[
            ("true", "a client calling them gets MAPI_E_NO_SUPPORT"),
            ("false", "the caller's role is not checked for these calls"),
        ],
        rules: &["SPL-04", "OQ-01", "NNM-01"],
        settles: &["AMB-19"],
    },
    Key {
        name: "lock_after_restart",
        declares: "whether the spooler's lock on a message survives a restart of the store.",
        values: &[
            ("\"dropped\"", "locks are volatile: after a restart every message is unlocked"),
            ("\"kept\"", "locks are persisted: a locked message is still locked after a restart"),
            (
                "\"either\"",
                "the store cannot promise one; the model accepts both outcomes, per message",
            ),
        ],
        rules: &["PERSIST-01"],
        settles: &["AMB-28"],
    },
    Key {
        name: "disposition_by",
        declares: "who carries out the sent-mail disposition after FinishedMsg: the move to the PR_SENTMAIL_ENTRYID folder, or the delete that PR_DELETE_AFTER_SUBMIT asks for. It happens exactly once. (In profile system the implementation is MAPI too, so its own DoSentMail does it either way.)",
        values: &[
            ("\"store\"", "the store moves or deletes the message itself, then calls DoSentMail"),
            ("\"do-sent-mail\"", "MAPI's DoSentMail does it; the store leaves the message where it is"),
        ],
        rules: &["SPL-13", "SPL-14"],
        settles: &["AMB-17"],
    },
    Key {
        name: "delete_means",
        declares: "what deleting a sent message (PR_DELETE_AFTER_SUBMIT) means.",
        values: &[
            ("\"hard-delete\"", "the message is gone"),
            ("\"move-to-deleted-items\"", "the message moves to Deleted Items"),
        ],
        rules: &["SPL-13", "TC-04"],
        settles: &["AMB-35"],
    },
    Key {
        name: "sentmail",
        declares: "whether sent-mail processing (FinishedMsg, and a tightly coupled store's local completion) copies or moves the message to the PR_SENTMAIL_ENTRYID folder: the steps of local completion say copy, FinishedMsg's page says move.",
        values: &[
            ("\"move\"", "the message itself moves to the folder"),
            ("\"copy\"", "a copy goes to the folder; the original stays unless it is deleted"),
        ],
        rules: &["SPL-13", "TC-04"],
        settles: &["AMB-17"],
    },
    Key {
        name: "tight_coupling",
        declares: "A store tightly coupled with a transport: during SubmitMessage it sends to the recipients its transport handles itself, and leaves the rest to the spooler. Leave the table out for an ordinary store; the rules of tight coupling then do not apply.",
        values: &[],
        rules: &["TC-02", "TC-03", "TC-05", "TC-06", "TC-07", "PRE-05", "OQ-10", "ABORT-03"],
        settles: &["AMB-01"],
    },
    Key {
        name: "tight_coupling.handles",
        declares: "the address types the coupled transport handles: a list of \"SMTP\", \"FAX\" and \"X400\". The store takes every recipient of these types (PR_RESPONSIBILITY TRUE) and leaves the others FALSE for the spooler.",
        values: &[],
        rules: &["TC-02", "TC-07"],
        settles: &["AMB-02"],
    },
    Key {
        name: "tight_coupling.completion",
        declares: "what the store does when its transport handled every recipient of a message that went through no preprocessing.",
        values: &[
            (
                "\"complete-msg\"",
                "call IMAPISupport::CompleteMsg and let the spooler finish (recommended)",
            ),
            (
                "\"local\"",
                "finish locally: sent-mail copy or move, delete-after-submit, unlock (TC-04)",
            ),
        ],
        rules: &["TC-03", "TC-04"],
        settles: &["AMB-22"],
    },
];

/// The explanation of a key, if the key is one.
pub fn key(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.name == name)
}

/// Parses a choices document; `path` names it in errors. Every key must be one of [`KEYS`] (or
/// `version`), however it is written: bare, quoted, dotted or in a table header.
pub fn parse(text: &str, path: &Path) -> Result<Choices, ChoicesError> {
    let invalid = |message: String| ChoicesError::Invalid {
        path: path.into(),
        message,
    };
    let doc = toml_edit::ImDocument::parse(text).map_err(|e| {
        let message = e.message().trim().to_string();
        invalid(match e.span() {
            Some(span) => at_line(text, line_of(text, span.start), &message),
            None => message,
        })
    })?;
    let top = doc.as_table();
    let Some((version_key, version)) = top.get_key_value("version") else {
        return Err(ChoicesError::Version {
            path: path.into(),
            found: "no version".into(),
        });
    };
    if version.as_integer() != Some(VERSION) {
        return Err(ChoicesError::Version {
            path: path.into(),
            found: version.to_string().trim().to_string(),
        });
    }
    unknown_keys(top, "", text).map_err(invalid)?;
    // Parse the choices from the text without `version`, blanked out so that the positions in
    // errors are those of the original.
    let mut without_version = text.to_string();
    if let (Some(k), Some(v)) = (version_key.span(), version.span()) {
        let blank: String = text[k.start..v.end]
            .chars()
            .map(|c| " ".repeat(c.len_utf8()))
            .collect();
        without_version.replace_range(k.start..v.end, &blank);
    }
    toml::from_str(&without_version).map_err(|e| invalid(describe(&e, text)))
}

/// The first key of `table` (whose keys are written `PREFIX.key` in [`KEYS`]) that is not a key
/// of a choices file, named with its line.
fn unknown_keys(table: &dyn toml_edit::TableLike, prefix: &str, text: &str) -> Result<(), String> {
    for (name, item) in table.iter() {
        if prefix.is_empty() && name == "version" {
            continue;
        }
        let full = format!("{prefix}{name}");
        let line = table
            .get_key_value(name)
            .and_then(|(k, _)| k.span())
            .map(|span| line_of(text, span.start));
        if key(&full).is_none() {
            let known: Vec<&str> = KEYS
                .iter()
                .map(|k| k.name)
                .filter(|k| match prefix.strip_suffix('.') {
                    Some(table) => k.strip_prefix(table).is_some_and(|r| r.starts_with('.')),
                    None => !k.contains('.'),
                })
                .map(|k| k.rsplit('.').next().unwrap_or(k))
                .collect();
            let nearest = known
                .iter()
                .map(|k| (strsim::levenshtein(name, k), *k))
                .filter(|(d, _)| *d <= 3)
                .min();
            let message = format!(
                "unknown key `{full}`{}; the keys{} are: {} (`spoolcheck choices` explains each)",
                nearest.map_or_else(String::new, |(_, k)| format!(" (did you mean `{k}`?)")),
                match prefix.strip_suffix('.') {
                    Some(table) => format!(" of [{table}]"),
                    None => " of a choices file".into(),
                },
                known.join(", ")
            );
            return Err(match line {
                Some(line) => at_line(text, line, &message),
                None => message,
            });
        }
        // A table under a key (or a key that takes none, such as `profile.kind`): its keys too.
        if let Some(inner) = item.as_table_like() {
            unknown_keys(inner, &format!("{full}."), text)?;
        }
    }
    Ok(())
}

/// Reads a choices file.
pub fn load(path: &Path) -> Result<Choices, ChoicesError> {
    let text = std::fs::read_to_string(path).map_err(|source| ChoicesError::Io {
        path: path.into(),
        source,
    })?;
    parse(&text, path)
}

/// The longest comment line the template writes (where a list of sources allows).
const WIDTH: usize = 99;

/// The choices as a document to start from: every key with a comment that says what it declares,
/// its allowed values, the rules that check it (with their sources) and the ambiguities it
/// settles. It parses back to the same choices.
pub fn template(choices: &Choices) -> String {
    let values = toml::Table::try_from(choices).expect("choices always serialise");
    let mut out = String::new();
    out.push_str(
        "# The declared choices of an implementation under test (`spoolcheck run --choices FILE`).\n\
         # Where the documentation leaves a behaviour to the implementer, or contradicts itself, the\n\
         # implementation declares what it does and the model follows the declaration. Every key\n\
         # but `version` is optional (a key left out takes the value shown by `spoolcheck choices`);\n\
         # any other key is refused. `spoolcheck explain RULE` shows a rule with its sources and\n\
         # the reading taken.\n\n\
         # The version of this file's format. Required.\n",
    );
    out.push_str(&format!("version = {VERSION}\n"));
    for k in KEYS.iter().filter(|k| !k.name.contains('.')) {
        out.push('\n');
        match values.get(k.name) {
            Some(toml::Value::Table(table)) => {
                explain(&mut out, k);
                out.push_str(&format!("[{}]\n", k.name));
                for inner in KEYS
                    .iter()
                    .filter(|i| i.name.starts_with(&format!("{}.", k.name)))
                {
                    let short = &inner.name[k.name.len() + 1..];
                    out.push('\n');
                    explain(&mut out, inner);
                    if let Some(v) = table.get(short) {
                        out.push_str(&format!("{short} = {v}\n"));
                    }
                }
            }
            Some(v) => {
                explain(&mut out, k);
                out.push_str(&format!("{} = {v}\n", k.name));
            }
            None => {
                // A table left out (no tight coupling): explained, and shown commented out.
                explain(&mut out, k);
                out.push_str(&format!(
                    "# Not declared here; to declare it, uncomment the table and its keys:\n# [{}]\n",
                    k.name
                ));
                for inner in KEYS
                    .iter()
                    .filter(|i| i.name.starts_with(&format!("{}.", k.name)))
                {
                    let short = &inner.name[k.name.len() + 1..];
                    out.push('\n');
                    explain(&mut out, inner);
                    let example = match short {
                        "handles" => "[\"SMTP\"]",
                        _ => inner.values.first().map_or("", |(v, _)| v),
                    };
                    out.push_str(&format!("# {short} = {example}\n"));
                }
            }
        }
    }
    out
}

/// The comment lines of one key.
fn explain(out: &mut String, k: &Key) {
    let catalog = Catalog::embedded();
    let short = k.name.rsplit('.').next().unwrap_or(k.name);
    let label = if KEYS
        .iter()
        .any(|i| i.name.starts_with(&format!("{}.", k.name)))
    {
        format!("[{}]", k.name)
    } else {
        short.to_string()
    };
    out.push_str(&wrapped_words(&format!("# {label}:"), k.declares, "#"));
    let width = k.values.iter().map(|(v, _)| v.len()).max().unwrap_or(0);
    for (value, meaning) in k.values {
        let first = format!("#   {value:<width$} ");
        let indent = format!("#   {:width$} ", "");
        out.push_str(&wrapped_words(&first, meaning, &indent));
    }
    for (i, id) in k.rules.iter().enumerate() {
        let head = if i == 0 { "checked by:" } else { "" };
        let (title, sources) = catalog
            .rule(id)
            .map_or(("", &[][..]), |r| (r.title.as_str(), &r.sources[..]));
        let first = format!("# {head:<11} {id} {title}");
        out.push_str(&wrapped_list(&first, sources, &format!("#{:13}", "")));
    }
    for (i, id) in k.settles.iter().enumerate() {
        let head = if i == 0 { "settles:" } else { "" };
        let title = catalog.ambiguity(id).map_or("", |a| a.title.as_str());
        out.push_str(&format!("# {head:<11} {id} {title}\n"));
    }
}

/// `first` and then the words of `text`, continued on lines that start with `indent` where a
/// line would pass [`WIDTH`].
fn wrapped_words(first: &str, text: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_string();
    for word in text.split(' ') {
        if line.len() > indent.len() && line.len() + 1 + word.len() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = indent.to_string();
        }
        line.push(' ');
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// `first (a, b, c)`, continued on lines that start with `indent` where it would pass [`WIDTH`].
fn wrapped_list(first: &str, items: &[String], indent: &str) -> String {
    if items.is_empty() {
        return format!("{first}\n");
    }
    let mut out = String::new();
    let mut line = format!("{first} (");
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 == items.len() {
            format!("{item})")
        } else {
            format!("{item},")
        };
        if i > 0 && line.len() + 1 + piece.len() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = format!("{indent} {piece}");
        } else {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(&piece);
        }
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// `line N (`the line`): message`.
fn at_line(text: &str, line: usize, message: &str) -> String {
    let key = text.lines().nth(line - 1).unwrap_or("").trim();
    format!("line {line} (`{key}`): {message}")
}

fn describe(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => at_line(text, line_of(text, span.start), &message),
        None => message,
    }
}

/// The 1-based line of a byte offset (which may fall inside a multi-byte character).
fn line_of(text: &str, offset: usize) -> usize {
    text.bytes().take(offset).filter(|&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("choices.toml")
    }

    #[test]
    fn the_template_parses_back() {
        let choices = Choices::default();
        assert_eq!(parse(&template(&choices), p()).unwrap(), choices);
        for (_, preset) in Choices::presets() {
            assert_eq!(parse(&template(&preset), p()).unwrap(), preset);
        }
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line_and_key() {
        let err = parse("version = 1\nsubmision = true\n", p())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("choices.toml") && err.contains("line 2") && err.contains("submision"),
            "{err}"
        );
        let err = parse("version = 1\nlock_after_restart = \"sometimes\"\n", p())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2")
                && err.contains("lock_after_restart")
                && err.contains("sometimes"),
            "{err}"
        );
        let err = parse("version = 1\n[tight_coupling]\nhandles = [\"SMTP\"]\n", p())
            .unwrap_err()
            .to_string();
        assert!(err.contains("completion"), "{err}");
    }

    #[test]
    fn every_preset_prints_with_every_key_explained_and_parses_back() {
        let catalog = Catalog::embedded();
        for (name, preset) in Choices::presets() {
            let text = template(&preset);
            assert_eq!(parse(&text, p()).unwrap(), preset, "{name}:\n{text}");
            for k in KEYS {
                let short = k.name.rsplit('.').next().unwrap();
                let words: Vec<&str> = k.declares.split(' ').take(4).collect();
                assert!(text.contains(&words.join(" ")), "{name}: {}", k.name);
                assert!(
                    text.lines().any(|l| {
                        let l = l.trim_start_matches("# ");
                        l.starts_with(&format!("{short} = "))
                            || l.starts_with(&format!("[{short}]"))
                    }),
                    "{name}: no line for {}:\n{text}",
                    k.name
                );
                for id in k.rules {
                    let rule = catalog.rule(id).unwrap_or_else(|| panic!("{id} is a rule"));
                    assert!(text.contains(&format!("{id} {}", rule.title)), "{id}");
                }
                for id in k.settles {
                    let amb = catalog
                        .ambiguity(id)
                        .unwrap_or_else(|| panic!("{id} exists"));
                    assert!(text.contains(&format!("{id} {}", amb.title)), "{id}");
                }
            }
            for line in text.lines().filter(|l| l.starts_with('#')) {
                assert!(line.len() <= WIDTH, "{name}: a long line: {line}");
            }
        }
    }

    #[test]
    fn the_explained_keys_are_exactly_the_fields_of_the_choices() {
        let choices = Choices {
            tight_coupling: Choices::presets()
                .into_iter()
                .find_map(|(_, c)| c.tight_coupling),
            ..Choices::default()
        };
        let table = toml::Table::try_from(&choices).unwrap();
        let mut fields: Vec<String> = Vec::new();
        for (name, value) in &table {
            fields.push(name.clone());
            if let toml::Value::Table(inner) = value {
                fields.extend(inner.keys().map(|k| format!("{name}.{k}")));
            }
        }
        fields.sort();
        let mut explained: Vec<String> = KEYS.iter().map(|k| k.name.to_string()).collect();
        explained.sort();
        assert_eq!(fields, explained);
    }

    #[test]
    fn every_listed_value_is_accepted() {
        for k in KEYS.iter().filter(|k| !k.values.is_empty()) {
            for (value, _) in k.values {
                let text = match k.name.split_once('.') {
                    Some((table, short)) => {
                        let mut inner =
                            vec![("handles", "[\"SMTP\"]"), ("completion", "\"local\"")];
                        inner.retain(|(key, _)| *key != short);
                        inner.push((short, value));
                        let lines: Vec<String> = inner
                            .iter()
                            .map(|(key, v)| format!("{key} = {v}\n"))
                            .collect();
                        format!("version = 1\n[{table}]\n{}", lines.concat())
                    }
                    None => format!("version = 1\n{} = {value}\n", k.name),
                };
                parse(&text, p()).unwrap_or_else(|e| panic!("{}: {value}: {e}\n{text}", k.name));
            }
        }
    }

    #[test]
    fn unknown_keys_are_refused_however_they_are_written() {
        for (text, line, key) in [
            ("version = 1\nversion_typo = 1\n", 2, "version_typo"),
            ("version = 1\nversions = \"two\"\n", 2, "versions"),
            ("version = 1\n\"submision\" = true\n", 2, "submision"),
            ("version = 1\nprofile.kind = \"x\"\n", 2, "profile.kind"),
            (
                "version = 1\n[tight_coupling]\nhandles = [\"SMTP\"]\ncompletion = \"local\"\nextra = 1\n",
                5,
                "tight_coupling.extra",
            ),
            (
                "version = 1\ntight_coupling = { handles = [], completion = \"local\", x = 1 }\n",
                2,
                "tight_coupling.x",
            ),
            ("version = 1\n[tight_coupling]\nversion = 1\n", 3, "tight_coupling.version"),
            ("version = 1\n[[deviation]]\nrule = \"SPL-06\"\n", 2, "deviation"),
        ] {
            let err = parse(text, p()).unwrap_err().to_string();
            assert!(
                err.starts_with("choices.toml: ")
                    && err.contains(&format!("line {line} "))
                    && err.contains(&format!("unknown key `{key}`")),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn a_misspelt_key_comes_with_the_nearest_one() {
        let err = parse("version = 1\nsubmision = true\n", p())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown key `submision` (did you mean `submission`?)"),
            "{err}"
        );
    }

    #[test]
    fn a_quoted_version_key_is_the_version() {
        let text = "\"version\" = 1\nprofile = \"system\"\n";
        assert_eq!(
            parse(text, p()).unwrap().profile,
            spoolcheck_model::Profile::System
        );
        let text = "'version' = 1 # the format\nprofile= 5\n";
        let err = parse(text, p()).unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("profile"), "{err}");
        assert!(matches!(
            parse("\"version\" = 2\n", p()),
            Err(ChoicesError::Version { .. })
        ));
    }

    #[test]
    fn an_error_inside_a_multibyte_character_is_reported_not_a_panic() {
        let err = parse("version = 1\n# caf\u{e9}\nprofile= 5", p())
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3") && err.contains("profile"), "{err}");
    }

    #[test]
    fn a_missing_or_wrong_version_is_refused() {
        assert!(matches!(
            parse("submission = true\n", p()),
            Err(ChoicesError::Version { .. })
        ));
        assert!(matches!(
            parse("version = 7\n", p()),
            Err(ChoicesError::Version { .. })
        ));
        assert!(matches!(
            parse("version = [", p()),
            Err(ChoicesError::Invalid { .. })
        ));
    }
}
