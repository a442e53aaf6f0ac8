//! Traces as readable tables: step, role, call, result, support calls, notifications and the
//! resulting flags. Used by `spoolcheck explain`, the documented-path snapshots and failure reports.

use crate::choices::Choices;
use crate::effect::{Notification, SupportCall};
use crate::observe::{message_flags_text, submit_flags_text};
use crate::op::{Op, Ret, Role};
use crate::rules::RuleId;
use crate::state::{MsgId, State};
use crate::step::step;

/// One row of a trace table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The operation.
    pub op: Op,
    /// The result.
    pub ret: Ret,
    /// Support calls made.
    pub calls: Vec<SupportCall>,
    /// Notifications raised.
    pub notifications: Vec<Notification>,
    /// The message's flags afterwards (or the queue, for calls on no message).
    pub after: String,
    /// Rules applied.
    pub rules: Vec<RuleId>,
}

/// Runs `ops` through the model from an empty store, taking the default outcome each time.
pub fn run(choices: &Choices, ops: &[Op]) -> (Vec<Row>, State) {
    let mut state = State::new(choices.clone());
    let mut rows = Vec::with_capacity(ops.len());
    for op in ops {
        let result = step(&state, op);
        let outcome = result.default_outcome();
        rows.push(Row {
            op: op.clone(),
            ret: outcome.ret.clone(),
            calls: outcome.calls.iter().map(|c| c.what.clone()).collect(),
            notifications: outcome
                .notifications
                .iter()
                .map(|n| n.what.clone())
                .collect(),
            after: after_text(&outcome.next, subject_of(op, &outcome.ret)),
            rules: outcome.rules.clone(),
        });
        state = outcome.next.clone();
    }
    (rows, state)
}

/// The message a row is about: the call's own, or the one CreateMessage made.
fn subject_of(op: &Op, ret: &Ret) -> Option<MsgId> {
    match (op, &ret.data) {
        (Op::CreateMessage(_), crate::op::RetData::Created(id)) => Some(*id),
        _ => op.msg(),
    }
}

/// The state of one message as a trace cell: `SUBMIT|UNSENT; LOCKED; queued; Outbox`.
pub fn after_text(state: &State, msg: Option<MsgId>) -> String {
    let queue: Vec<String> = state.queue.iter().map(ToString::to_string).collect();
    let Some(id) = msg else {
        // A call on no message (a restart, a queue read): show every message that is locked too.
        let locked: Vec<String> = state
            .messages
            .iter()
            .filter(|(_, m)| m.locked)
            .map(|(id, _)| id.to_string())
            .collect();
        let locks = if locked.is_empty() {
            String::new()
        } else {
            format!("; locked [{}]", locked.join(","))
        };
        return format!("queue [{}]{locks}", queue.join(","));
    };
    let Some(m) = state.messages.get(&id) else {
        return format!("{id} deleted");
    };
    let mut parts = vec![message_flags_text(
        m.flags & crate::observe::OBSERVED_MESSAGE_FLAGS,
    )];
    if m.submit_flags() != 0 {
        parts.push(submit_flags_text(m.submit_flags()));
    }
    if state.queued(id) {
        parts.push("queued".into());
    }
    let rows: Vec<Option<bool>> = m.recipients.iter().map(|r| r.responsibility).collect();
    if rows.iter().any(Option::is_some) {
        parts.push(crate::observe::responsibility_text(&rows));
    }
    parts.push(format!("{:?}", m.folder));
    format!("{id}: {}", parts.join("; "))
}

/// Renders rows as an aligned text table with a header.
pub fn table(rows: &[Row]) -> String {
    let header = [
        "#",
        "role",
        "call",
        "result",
        "support calls",
        "notifications",
        "after",
    ]
    .map(String::from);
    let mut cells: Vec<[String; 7]> = vec![header];
    for (i, row) in rows.iter().enumerate() {
        cells.push([
            (i + 1).to_string(),
            party(&row.op).into(),
            row.op.to_string(),
            row.ret.to_string(),
            joined(&row.calls),
            joined(&row.notifications),
            row.after.clone(),
        ]);
    }
    align(&cells)
}

/// Who makes the call, for the table's first column.
pub fn party(op: &Op) -> &'static str {
    match op {
        Op::Restart => "store",
        Op::RegisterPreprocessor { .. } | Op::SetTransportAvailable { .. } => "transport",
        _ if op.caller() == Role::Spooler => "spooler",
        _ => "client",
    }
}

/// The column headings of a trace table.
pub const COLUMNS: [&str; 7] = [
    "#",
    "role",
    "call",
    "result",
    "support calls",
    "notifications",
    "after",
];

/// A list of calls or notifications as one cell: `a; b`, or `-` when empty.
pub fn joined<T: ToString>(items: &[T]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Pads columns to a common width; the last column is not padded.
pub fn align<const N: usize>(rows: &[[String; N]]) -> String {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$} | ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
