//! A failure's minimal trace, read back from the aligned table of the JSON report (`trace`): one
//! row per operation, with the party that made the call, the call, its result, the support calls
//! and notifications the implementation made, and the state afterwards.

use spoolcheck_model::trace::COLUMNS;

/// One operation of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Counted from 1.
    pub number: String,
    /// Who made the call: client, spooler, transport or store.
    pub role: String,
    /// The call.
    pub call: String,
    /// What it returned.
    pub result: String,
    /// The calls the implementation made to MAPI's support object (and, in profile system, to
    /// preprocessors and transports).
    pub calls: Vec<String>,
    /// The notifications it raised.
    pub notifications: Vec<String>,
    /// The message (or the queue) afterwards.
    pub after: String,
}

/// The rows of a trace table as [`crate::report::trace_table`] writes it, or `None` if the text
/// is not such a table. The header gives the columns' positions (every cell is padded to its
/// column's width, then ` | `), so a cell may itself contain `|`.
pub fn parse(table: &str) -> Option<Vec<Step>> {
    let mut lines = table.lines();
    let header: Vec<char> = lines.next()?.chars().collect();
    // Where each column starts and ends, from the separators of the header.
    let mut bounds = Vec::with_capacity(COLUMNS.len());
    let mut start = 0;
    for (i, name) in COLUMNS.iter().enumerate() {
        let text: String = header.get(start..)?.iter().collect();
        if !text.starts_with(name) {
            return None;
        }
        if i + 1 == COLUMNS.len() {
            bounds.push((start, usize::MAX));
        } else {
            let sep = text.find(" | ")?;
            let end = start + text[..sep].chars().count();
            bounds.push((start, end));
            start = end + 3;
        }
    }
    let cell = |row: &[char], (from, to): (usize, usize)| -> String {
        let to = to.min(row.len());
        row.get(from.min(to)..to)
            .map(|c| c.iter().collect::<String>().trim().to_string())
            .unwrap_or_default()
    };
    let list = |text: String| -> Vec<String> {
        if text == "-" || text.is_empty() {
            Vec::new()
        } else {
            text.split("; ").map(String::from).collect()
        }
    };
    let steps = lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let row: Vec<char> = line.chars().collect();
            Step {
                number: cell(&row, bounds[0]),
                role: cell(&row, bounds[1]),
                call: cell(&row, bounds[2]),
                result: cell(&row, bounds[3]),
                calls: list(cell(&row, bounds[4])),
                notifications: list(cell(&row, bounds[5])),
                after: cell(&row, bounds[6]),
            }
        })
        .collect();
    Some(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use spoolcheck_model::trace::align;

    #[test]
    fn a_table_reads_back_into_its_cells() {
        let rows = vec![
            COLUMNS.map(String::from),
            [
                "1",
                "client",
                "SubmitMessage(m1, expand=0x1)",
                "S_OK",
                "PrepareSubmit(m1, 0); ExpandRecips(m1)",
                "queue ROW_ADDED m1",
                "m1: SUBMIT|UNSENT; queued",
            ]
            .map(String::from),
            [
                "10",
                "spooler",
                "a | b",
                "MAPI_E_NO_SUPPORT",
                "-",
                "-",
                "queue [m1]",
            ]
            .map(String::from),
        ];
        let steps = parse(&align(&rows)).expect("a trace table");
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].call, "SubmitMessage(m1, expand=0x1)");
        assert_eq!(steps[0].calls, ["PrepareSubmit(m1, 0)", "ExpandRecips(m1)"]);
        assert_eq!(steps[0].notifications, ["queue ROW_ADDED m1"]);
        assert_eq!(steps[0].after, "m1: SUBMIT|UNSENT; queued");
        assert_eq!(steps[1].number, "10");
        assert_eq!(steps[1].call, "a | b");
        assert!(steps[1].calls.is_empty());
        assert_eq!(parse("not a table"), None);
    }
}
