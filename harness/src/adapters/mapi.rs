//! `--mapi-provider`: a MAPI message store provider as it is, through the MAPI bridge
//! (`harness/mapi-bridge/`), a C++ library that is MAPI to the provider (MSProviderInit, Logon and
//! SpoolerLogon with its own IMAPISupport, the profile section, the allocators) and a spoolcheck
//! C-ABI library to the harness. This module reads the provider config, tells the bridge what to
//! load and serve (the bridge's configuration text, passed to `spoolcheck_create_configured_v2`),
//! builds the bridge, and turns the notes the bridge writes (calls it answered
//! MAPI_E_NO_SUPPORT, memory the provider never freed) into lines of the report.
//!
//! The C-ABI adapter ([`super::cabi`], [`super::isolate`]) drives the bridge unchanged.

use crate::seam::{Implementation, SeamError, Support};
use spoolcheck_model::{Choices, Observation, Op, Ret};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The bridge's source directory (its Makefile), in the checkout this harness was built from.
pub fn bridge_source() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("mapi-bridge")
}

/// Where `spoolcheck mapi-bridge build` puts the bridge by default.
pub fn default_bridge() -> PathBuf {
    bridge_source().join("build/libspoolcheck_mapi_bridge.so")
}

/// Builds the bridge with `make`, against `mapi_include` (default: the project's own minimal MAPI
/// headers), into `out` (default: the bridge's `build/`), and returns the library's path.
pub fn build_bridge(mapi_include: Option<&Path>, out: Option<&Path>) -> Result<PathBuf, String> {
    let mut make = Command::new("make");
    make.arg("-s").arg("-C").arg(bridge_source());
    if let Some(dir) = mapi_include {
        let dir = std::fs::canonicalize(dir)
            .map_err(|e| format!("--mapi-include {}: {e}", dir.display()))?;
        make.arg(format!("MAPI_INCLUDE={}", dir.display()));
    }
    let lib = match out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let dir = std::fs::canonicalize(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            make.arg(format!("BUILD={}", dir.display()));
            dir.join("libspoolcheck_mapi_bridge.so")
        }
        None => default_bridge(),
    };
    let output = make.output().map_err(|e| {
        format!("cannot run `make` (the bridge needs make and a C++17 compiler): {e}")
    })?;
    if !output.status.success() {
        return Err(format!(
            "building the MAPI bridge failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(lib)
}

/// How a reset starts an empty store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetMode {
    /// A new provider object (MSProviderInit) for each case; `{reset}` in a value names a new
    /// store each time.
    Fresh,
    /// As `Fresh`, then the standard folders are emptied through the spooler's store.
    Empty,
}

/// A provider config (`--provider-config FILE`): the provider's profile section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderConfig {
    /// How a reset starts an empty store.
    pub reset: ResetMode,
    /// The profile section's properties: tag and value text, placeholders unresolved.
    pub properties: Vec<(u32, String)>,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig {
            reset: ResetMode::Fresh,
            properties: Vec::new(),
        }
    }
}

/// The names `{choices.NAME}` may take (spelled as in choices.toml).
pub const CHOICE_PLACEHOLDERS: [&str; 10] = [
    "profile",
    "submission",
    "prepare_submit",
    "enforce_spooler_only",
    "lock_after_restart",
    "tight_coupling.handles",
    "tight_coupling.completion",
    "disposition_by",
    "delete_means",
    "sentmail",
];

const PT_LONG: u32 = 0x0003;
const PT_BOOLEAN: u32 = 0x000B;
const PT_STRING8: u32 = 0x001E;
const PT_UNICODE: u32 = 0x001F;
const PT_BINARY: u32 = 0x0102;

impl ProviderConfig {
    /// Reads and checks a provider config; the error names the file and what to change.
    pub fn load(path: &Path) -> Result<ProviderConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the provider config {}: {e}", path.display()))?;
        ProviderConfig::parse(&text).map_err(|e| format!("provider config {}: {e}", path.display()))
    }

    /// Parses a provider config's text.
    pub fn parse(text: &str) -> Result<ProviderConfig, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let mut config = ProviderConfig::default();
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("reset", toml::Value::String(s)) if s == "fresh" => {
                    config.reset = ResetMode::Fresh
                }
                ("reset", toml::Value::String(s)) if s == "empty" => {
                    config.reset = ResetMode::Empty
                }
                ("reset", other) => {
                    return Err(format!(
                        "`reset = {other}`: say \"fresh\" (a new provider object, and a new store \
                         where a value names {{reset}}) or \"empty\" (the standard folders emptied)"
                    ))
                }
                ("properties", toml::Value::Table(props)) => {
                    for (tag, value) in props {
                        config.properties.push(property(tag, value)?);
                    }
                }
                (other, _) => {
                    return Err(format!(
                        "unknown key `{other}`: a provider config has `reset` and a \
                         [properties] table"
                    ))
                }
            }
        }
        Ok(config)
    }

    /// The bridge's configuration text for this provider (see harness/mapi-bridge/src/config.cpp).
    pub fn bridge_text(&self, provider: &Path, notes: &Path) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "provider\t{}", provider.display());
        let _ = writeln!(out, "notes\t{}", notes.display());
        let reset = match self.reset {
            ResetMode::Fresh => "fresh",
            ResetMode::Empty => "empty",
        };
        let _ = writeln!(out, "reset\t{reset}");
        for (tag, value) in &self.properties {
            let _ = writeln!(out, "prop\t{tag:08X}\t{value}");
        }
        out
    }
}

/// One `"0xTAG" = value` of the [properties] table, checked.
fn property(key: &str, value: &toml::Value) -> Result<(u32, String), String> {
    let tag = key
        .strip_prefix("0x")
        .or_else(|| key.strip_prefix("0X"))
        .filter(|h| h.len() == 8)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .ok_or_else(|| {
            format!("property `{key}`: write the tag as 0x and 8 hex digits, e.g. \"0x6600001E\"")
        })?;
    let kind = tag & 0xFFFF;
    let text = match (value, kind) {
        (toml::Value::String(s), PT_STRING8 | PT_UNICODE | PT_LONG | PT_BOOLEAN | PT_BINARY) => {
            s.clone()
        }
        (toml::Value::Integer(i), PT_LONG) => i.to_string(),
        (toml::Value::Boolean(b), PT_BOOLEAN) => b.to_string(),
        (_, PT_STRING8 | PT_UNICODE | PT_LONG | PT_BOOLEAN | PT_BINARY) => {
            return Err(format!(
                "property {key}: `{value}` does not fit its type 0x{kind:04X} (strings fit any \
                 type, integers PT_LONG, booleans PT_BOOLEAN)"
            ))
        }
        _ => {
            return Err(format!(
                "property {key}: type 0x{kind:04X} is not one the harness serves (PT_STRING8, \
                 PT_UNICODE, PT_LONG, PT_BOOLEAN, PT_BINARY)"
            ))
        }
    };
    if text.contains(['\t', '\n', '\r']) {
        return Err(format!(
            "property {key}: a value may not hold tabs or line breaks"
        ));
    }
    check_placeholders(key, &text)?;
    Ok((tag, text))
}

fn check_placeholders(key: &str, text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(format!(
                "property {key}: `{text}` has a `{{` without its `}}`"
            ));
        };
        let name = &rest[open + 1..open + close];
        let known = name == "reset"
            || name == "instance"
            || name
                .strip_prefix("choices.")
                .is_some_and(|c| CHOICE_PLACEHOLDERS.contains(&c));
        if !known {
            return Err(format!(
                "property {key}: unknown placeholder {{{name}}}; the placeholders are {{reset}}, \
                 {{instance}} and {{choices.NAME}} with NAME one of {}",
                CHOICE_PLACEHOLDERS.join(", ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(())
}

/// The notes the bridge wrote (one `kind<TAB>text` a line), as report lines, sorted and merged,
/// without counts, so that the lines do not depend on the number of jobs.
pub fn read_notes(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let mut unsupported = BTreeSet::new();
    let mut notes = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields[0] {
            "no-support" if fields.len() > 1 => {
                unsupported.insert(fields[1].to_string());
            }
            "note" if fields.len() > 1 => {
                notes.insert(fields[1].to_string());
            }
            kind @ ("leak" | "malloc-leak" | "bad-free") => {
                seen.insert(kind);
            }
            _ => {}
        }
    }
    let mut out: Vec<String> = unsupported
        .into_iter()
        .map(|m| format!("the provider called {m}; the harness answered MAPI_E_NO_SUPPORT"))
        .collect();
    // No counts: how many provider objects were checked depends on --jobs (each worker's last
    // case is released after the report); the notes file has them per provider object.
    let counts_in = path.file_name().map_or_else(String::new, |n| {
        format!(
            " (blocks and bytes per provider object: {})",
            n.to_string_lossy()
        )
    });
    if seen.contains("leak") {
        out.push(format!(
            "leak: the provider left memory it allocated through MAPIAllocateBuffer and \
             MAPIAllocateMore unfreed when its provider object was released{counts_in}"
        ));
    }
    if seen.contains("malloc-leak") {
        out.push(format!(
            "leak: the provider left blocks of the IMalloc it was given unfreed when its \
             provider object was released{counts_in}"
        ));
    }
    if seen.contains("bad-free") {
        out.push(
            "the provider freed pointers MAPI's allocators never gave out (or freed one twice, \
             or a MAPIAllocateMore block on its own)"
                .to_string(),
        );
    }
    out.extend(notes);
    out
}

/// An implementation under a name of the harness's choosing (the bridge's own table names no
/// provider).
pub struct Named<I> {
    inner: I,
    name: String,
}

impl<I: Implementation> Named<I> {
    /// `inner`, reported as `name`.
    pub fn new(inner: I, name: String) -> Named<I> {
        Named { inner, name }
    }
}

impl<I: Implementation> Implementation for Named<I> {
    fn name(&self) -> String {
        let inner = self.inner.name();
        match inner.strip_prefix("MAPI provider") {
            Some(rest) => format!("{}{rest}", self.name),
            None => self.name.clone(),
        }
    }
    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        self.inner.reset(choices)
    }
    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        self.inner.apply(op, support)
    }
    fn observe(&mut self) -> Result<Observation, SeamError> {
        self.inner.observe()
    }
}

/// The report name of a provider library.
pub fn provider_name(provider: &Path) -> String {
    format!(
        "MAPI provider {}",
        provider.file_name().map_or_else(
            || provider.display().to_string(),
            |n| n.to_string_lossy().into_owned()
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_config_reads_and_becomes_the_bridges_text() {
        let c = ProviderConfig::parse(
            "reset = \"empty\"\n[properties]\n\"0x6600001E\" = \"store-{reset}\"\n\
             \"0x6601000B\" = true\n\"0x66020003\" = 7\n\"0x6603000B\" = \"{choices.submission}\"\n",
        )
        .unwrap();
        assert_eq!(c.reset, ResetMode::Empty);
        let text = c.bridge_text(Path::new("/p.so"), Path::new("/n.txt"));
        assert!(text.contains("prop\t6600001E\tstore-{reset}\n"), "{text}");
        assert!(text.contains("prop\t6601000B\ttrue\n"), "{text}");
        assert!(text.contains("prop\t66020003\t7\n"), "{text}");
    }

    #[test]
    fn provider_config_errors_say_what_to_change() {
        for (text, expect) in [
            ("reset = \"later\"", "say \"fresh\""),
            ("colour = 1", "unknown key `colour`"),
            ("[properties]\nPR_X = \"a\"", "0x and 8 hex digits"),
            (
                "[properties]\n\"0x66000040\" = \"a\"",
                "type 0x0040 is not one",
            ),
            (
                "[properties]\n\"0x66000003\" = true",
                "does not fit its type",
            ),
            (
                "[properties]\n\"0x6600001E\" = \"{choices.colour}\"",
                "unknown placeholder",
            ),
        ] {
            let e = ProviderConfig::parse(text).unwrap_err();
            assert!(e.contains(expect), "{text}: {e}");
        }
    }

    #[test]
    fn notes_are_merged_and_sorted() {
        let dir = std::env::temp_dir().join(format!("spoolcheck-notes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("notes.txt");
        std::fs::write(
            &path,
            "no-support\tIMAPISupport::OpenAddressBook\nleak\t2\t40\nno-support\t\
             IMAPISupport::Address\nleak\t1\t8\nno-support\tIMAPISupport::OpenAddressBook\n",
        )
        .unwrap();
        let notes = read_notes(&path);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(notes.len(), 3, "{notes:?}");
        assert!(notes[0].contains("IMAPISupport::Address;"), "{notes:?}");
        assert!(notes[2].starts_with("leak: "), "{notes:?}");
        assert!(notes[2].contains("notes.txt"), "{notes:?}");
    }
}
