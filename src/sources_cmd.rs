//! `spoolcheck sources`: the traceability matrix from source sentences to rules.

use crate::cli::{Format, SourcesArgs};
use crate::output::Streams;
use crate::status;
use spoolcheck_model::trace::align;
use spoolcheck_specs::{Catalog, SentenceRow};
use std::io;

/// Prints one row per sentence S103..S172: its class, the rules citing it and the reason.
pub fn run(args: &SourcesArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let rows = Catalog::embedded().sentence_rows();
    match args.format {
        Format::Text => io.out.write_all(text(&rows).as_bytes())?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut *io.out, &rows).map_err(io::Error::from)?;
            io.out.write_all(b"\n")?;
        }
    }
    Ok(status::SUCCESS)
}

/// An aligned table: a header, then one line per sentence.
fn text(rows: &[SentenceRow<'_>]) -> String {
    let mut cells = vec![["sentence", "class", "rules", "reason"].map(String::from)];
    for row in rows {
        cells.push([
            row.sentence.to_string(),
            row.class.to_string(),
            if row.rules.is_empty() {
                "-".to_string()
            } else {
                row.rules.join(", ")
            },
            row.reason.unwrap_or("-").to_string(),
        ]);
    }
    align(&cells)
}
