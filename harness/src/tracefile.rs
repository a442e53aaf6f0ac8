//! Counterexamples as literal, versioned JSON traces: the operations and what the implementation
//! answered to each, not only a seed, so a trace survives changes to the generators and replays on
//! every adapter.

use crate::failure::{Failure, FailureSummary};
use crate::seam::Response;
use serde::{Deserialize, Serialize};
use spoolcheck_model::recipient;
use spoolcheck_model::state::AddrType;
use spoolcheck_model::{Choices, Op};
use std::path::{Path, PathBuf};

/// The `format` field of every trace file.
pub const FORMAT: &str = "spoolcheck-trace";
/// The version this build writes and reads.
pub const VERSION: u32 = 2;
/// The oldest version this build still reads (see [`upgrade_v1`]).
pub const OLDEST: u32 = 1;

/// A trace file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// The implementation that produced `observed`.
    pub implementation: String,
    /// The declared choices.
    pub choices: Choices,
    /// The seed of the run that found it, if a run did.
    #[serde(default)]
    pub seed: Option<u64>,
    /// The operations.
    pub ops: Vec<Op>,
    /// What the implementation answered to each operation it answered.
    #[serde(default)]
    pub observed: Vec<Response>,
    /// The failure, if the trace records one.
    #[serde(default)]
    pub failure: Option<FailureSummary>,
}

/// Just the fields that say what a file is.
#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

/// serde_json's message without its trailing "at line L column C", which the error repeats in front.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Why a trace file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid JSON of this format; the message names the line, column and field.
    #[error("{path}:{line}:{column}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The file has no operations, so there is nothing to replay.
    #[error("{path}: the trace has no operations (`ops` is empty): nothing to replay")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A version 1 file whose operations could not be read as this version's.
    #[error("{path}: a {FORMAT} version 1 file, read as version {VERSION}: {message}; re-record it with this version of spoolcheck")]
    Upgrade {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The file is a trace of another format or version.
    #[error("{path}: this is not a {FORMAT} version {VERSION} file (format `{format}`, version {version}); re-record it with this version of spoolcheck")]
    Version {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: String,
        /// Its version.
        version: u32,
    },
}

/// Reads a version 1 trace as version 2. Version 1 knew a recipient by its address type only; each
/// becomes the To row of the address-book person of that type ([`recipient::to`]), which is what
/// version 1's stores were sent. The answers version 1 recorded (`observed`) had version 1's shapes
/// and are not kept: a replay records them anew. The failure summary is kept when it still reads.
pub fn upgrade_v1(mut old: serde_json::Value) -> Result<TraceFile, serde_json::Error> {
    use serde_json::Value;
    if let Some(ops) = old.get_mut("ops").and_then(Value::as_array_mut) {
        for op in ops {
            let Some(recipients) = op.get_mut("recipients").and_then(Value::as_array_mut) else {
                continue;
            };
            for r in recipients.iter_mut() {
                if r.is_string() {
                    let addr: AddrType = serde_json::from_value(r.clone())?;
                    *r = serde_json::to_value(recipient::to(addr))?;
                }
            }
        }
    }
    if let Some(fields) = old.as_object_mut() {
        fields.insert("version".into(), Value::from(VERSION));
        fields.remove("observed");
        let summary = fields
            .remove("failure")
            .and_then(|f| serde_json::from_value::<FailureSummary>(f).ok());
        let mut trace: TraceFile = serde_json::from_value(old)?;
        trace.failure = summary;
        return Ok(trace);
    }
    serde_json::from_value(old)
}

impl TraceFile {
    /// A trace of a failure.
    pub fn of_failure(implementation: &str, failure: &Failure) -> TraceFile {
        TraceFile {
            format: FORMAT.into(),
            version: VERSION,
            implementation: implementation.into(),
            choices: failure.choices.clone(),
            seed: Some(failure.seed),
            ops: failure.ops.clone(),
            observed: failure.observed.clone(),
            failure: Some(FailureSummary::from(failure)),
        }
    }

    /// Parses a trace from text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<TraceFile, TraceError> {
        let malformed = |e: serde_json::Error| TraceError::Malformed {
            path: path.into(),
            line: e.line(),
            column: e.column(),
            message: without_position(&e),
        };
        // The format and version first, so a file from another version is named as such rather
        // than failing on a field this version does not know.
        let header: Header = serde_json::from_str(text).map_err(malformed)?;
        if header.format.as_deref() == Some(FORMAT) && header.version == Some(1) {
            let old: serde_json::Value = serde_json::from_str(text).map_err(malformed)?;
            let trace = upgrade_v1(old).map_err(|e| TraceError::Upgrade {
                path: path.into(),
                message: e.to_string(),
            })?;
            if trace.ops.is_empty() {
                return Err(TraceError::Empty { path: path.into() });
            }
            return Ok(trace);
        }
        if header.format.as_deref() != Some(FORMAT) || header.version != Some(VERSION) {
            return Err(TraceError::Version {
                path: path.into(),
                format: header.format.unwrap_or_else(|| "(none)".into()),
                version: header.version.unwrap_or(0),
            });
        }
        let trace: TraceFile = serde_json::from_str(text).map_err(malformed)?;
        if trace.ops.is_empty() {
            return Err(TraceError::Empty { path: path.into() });
        }
        Ok(trace)
    }

    /// Reads a trace file.
    pub fn load(path: &Path) -> Result<TraceFile, TraceError> {
        let text = std::fs::read_to_string(path).map_err(|source| TraceError::Io {
            path: path.into(),
            source,
        })?;
        TraceFile::parse(&text, path)
    }

    /// The trace as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a trace always serialises")
    }

    /// Writes the trace into `dir` under a name made of the implementation, rule and seed, and
    /// returns the path. Existing files are not overwritten.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, TraceError> {
        std::fs::create_dir_all(dir).map_err(|source| TraceError::Io {
            path: dir.into(),
            source,
        })?;
        let rule = self
            .failure
            .as_ref()
            .and_then(|f| f.rule.clone())
            .unwrap_or_else(|| "failure".into());
        let slug: String = self
            .implementation
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let base = format!(
            "{}-{}-seed{}",
            slug.trim_matches('-'),
            rule,
            self.seed.unwrap_or(0)
        );
        let mut path = dir.join(format!("{base}.json"));
        let mut n = 1;
        while path.exists() {
            n += 1;
            path = dir.join(format!("{base}-{n}.json"));
        }
        std::fs::write(&path, self.to_json() + "\n").map_err(|source| TraceError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }
}
