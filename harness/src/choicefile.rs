//! Declared choices, loaded from a small versioned TOML file.
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

/// Parses a choices document; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Choices, ChoicesError> {
    let invalid = |e: toml::de::Error| ChoicesError::Invalid {
        path: path.into(),
        message: describe(&e, text),
    };
    let mut table: toml::Table = toml::from_str(text).map_err(invalid)?;
    match table.remove("version") {
        Some(toml::Value::Integer(VERSION)) => {}
        Some(other) => {
            return Err(ChoicesError::Version {
                path: path.into(),
                found: other.to_string(),
            })
        }
        None => {
            return Err(ChoicesError::Version {
                path: path.into(),
                found: "no version".into(),
            })
        }
    }
    // Re-parse the text without `version` so errors keep their line numbers: blank that key out.
    let without_version = blank_version_line(text);
    let choices: Choices = toml::from_str(&without_version).map_err(|e| ChoicesError::Invalid {
        path: path.into(),
        message: describe(&e, text),
    })?;
    Ok(choices)
}

/// Reads a choices file.
pub fn load(path: &Path) -> Result<Choices, ChoicesError> {
    let text = std::fs::read_to_string(path).map_err(|source| ChoicesError::Io {
        path: path.into(),
        source,
    })?;
    parse(&text, path)
}

/// The default choices as a document, a starting point for implementers.
pub fn template(choices: &Choices) -> String {
    let body = toml::to_string(choices).expect("choices always serialise");
    format!("version = {VERSION}\n{body}")
}

/// Blanks the `version` line with spaces, so byte offsets in errors still match the original text.
fn blank_version_line(text: &str) -> String {
    text.split('\n')
        .map(|l| {
            if l.trim_start().starts_with("version") && l.contains('=') {
                " ".repeat(l.len())
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn describe(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().to_string();
    // For an unknown key the parser points at the enclosing table: find the key's own line.
    let line =
        unknown_key_line(&message, text).or_else(|| e.span().map(|span| line_of(text, span.start)));
    match line {
        Some(line) => {
            let key = text.lines().nth(line - 1).unwrap_or("").trim();
            format!("line {line} (`{key}`): {message}")
        }
        None => message,
    }
}

/// The 1-based line of a byte offset (which may fall inside a multi-byte character).
fn line_of(text: &str, offset: usize) -> usize {
    text.bytes().take(offset).filter(|&b| b == b'\n').count() + 1
}

fn unknown_key_line(message: &str, text: &str) -> Option<usize> {
    let name = message.strip_prefix("unknown field `")?.split('`').next()?;
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
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
