//! Recipient rows as a client writes them and as ExpandRecips leaves them, and the address book the
//! harness plays: people with their original display names, personal distribution lists (address
//! type MAPIPDL) with their members, lists within lists, and one-off addresses typed by hand.
//!
//! [`expand`] is what MAPI's ExpandRecips does to a recipient table (S131, S132, the ExpandRecips
//! page; the readings AMB-38 and AMB-39): in profile `provider` the harness plays it and hands the
//! store the result; in profile `system` the implementation is MAPI and must do it itself.

use crate::state::AddrType;
use serde::{Deserialize, Serialize};
use std::fmt;

/// PR_RECIPIENT_TYPE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum RecipType {
    /// MAPI_TO (1).
    To,
    /// MAPI_CC (2).
    Cc,
    /// MAPI_BCC (3).
    Bcc,
}

impl RecipType {
    /// The MAPI value.
    pub fn value(self) -> u32 {
        match self {
            RecipType::To => 1,
            RecipType::Cc => 2,
            RecipType::Bcc => 3,
        }
    }
}

/// PR_ENTRYID of a recipient row, as the harness names the entries of its address book.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "kebab-case")]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum EntryRef {
    /// No entry ID: a one-off address the client typed, not yet resolved.
    Unresolved,
    /// A one-off entry ID, made for a typed address when it is resolved.
    OneOff,
    /// An address-book entry: a person.
    Person(u32),
    /// An address-book entry: a personal distribution list.
    List(u32),
}

/// One recipient row: what the client writes with ModifyRecipients, and what ExpandRecips leaves.
/// PR_RESPONSIBILITY is kept beside it (see [`crate::state::Recipient`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct RecipientRow {
    /// PR_RECIPIENT_TYPE.
    pub kind: RecipType,
    /// PR_ADDRTYPE.
    pub addr: AddrType,
    /// PR_DISPLAY_NAME.
    pub name: String,
    /// PR_EMAIL_ADDRESS.
    pub email: String,
    /// PR_ENTRYID.
    pub entry: EntryRef,
}

impl fmt::Display for RecipientRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            RecipType::To => "to",
            RecipType::Cc => "cc",
            RecipType::Bcc => "bcc",
        };
        let entry = match self.entry {
            EntryRef::Unresolved => String::new(),
            EntryRef::OneOff => " one-off".into(),
            EntryRef::Person(n) => format!(" #{n}"),
            EntryRef::List(n) => format!(" list#{n}"),
        };
        write!(
            f,
            "{kind} {:?} <{}:{}>{entry}",
            self.name,
            self.addr.name(),
            self.email
        )
    }
}

impl RecipientRow {
    /// A short form for traces: `to:SMTP#1` (book person 1, an SMTP address, under the book's
    /// name), `to:X400#2 "Bobby"` (under another name), `cc:list#3`, `bcc:SMTP:guest@example.test` (a typed one-off).
    pub fn short(&self) -> String {
        let kind = match self.kind {
            RecipType::To => "to",
            RecipType::Cc => "cc",
            RecipType::Bcc => "bcc",
        };
        let book = book();
        let original = lookup(&book, self.entry).is_some_and(|b| b.name == self.name);
        let name = if original {
            String::new()
        } else {
            format!(" {:?}", self.name)
        };
        match self.entry {
            EntryRef::Person(n) => format!("{kind}:{}#{n}{name}", self.addr.name()),
            EntryRef::List(n) => format!("{kind}:list#{n}{name}"),
            EntryRef::Unresolved => format!("{kind}:{}:{}", self.addr.name(), self.email),
            EntryRef::OneOff => format!("{kind}:one-off {}:{}", self.addr.name(), self.email),
        }
    }
}

/// One entry of the address book the harness plays.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct BookEntry {
    /// The entry: [`EntryRef::Person`] or [`EntryRef::List`].
    pub entry: EntryRef,
    /// Its original display name.
    pub name: String,
    /// Its address type (MAPIPDL for a list).
    pub addr: AddrType,
    /// Its address (empty for a list).
    pub email: String,
    /// A list's members, in order (empty for a person).
    pub members: Vec<EntryRef>,
}

/// The address book: five people, three personal distribution lists (one nested in another, and
/// two that share a member), in a fixed order.
pub fn book() -> Vec<BookEntry> {
    the_book().to_vec()
}

/// [`book`], built once: generation looks entries up for every submission candidate it builds.
fn the_book() -> &'static [BookEntry] {
    static BOOK: std::sync::OnceLock<Vec<BookEntry>> = std::sync::OnceLock::new();
    BOOK.get_or_init(build_book)
}

fn build_book() -> Vec<BookEntry> {
    let person = |n, name: &str, addr, email: &str| BookEntry {
        entry: EntryRef::Person(n),
        name: name.into(),
        addr,
        email: email.into(),
        members: Vec::new(),
    };
    let list = |n, name: &str, members: Vec<EntryRef>| BookEntry {
        entry: EntryRef::List(n),
        name: name.into(),
        addr: AddrType::Mapipdl,
        email: String::new(),
        members,
    };
    use EntryRef::{List, Person};
    vec![
        person(1, "Ann Archer", AddrType::Smtp, "ann@example.test"),
        person(2, "Bo Baker", AddrType::Smtp, "bo@example.test"),
        person(3, "Cy Cole", AddrType::Fax, "+1 555 0103"),
        person(4, "Di Dunn", AddrType::X400, "c=us;p=example;s=dunn"),
        person(5, "Ed Eames", AddrType::Smtp, "ed@example.test"),
        list(1, "Team", vec![Person(1), Person(2)]),
        list(2, "Fax desk", vec![Person(3), Person(1)]),
        list(3, "Everyone", vec![List(1), Person(4), Person(5)]),
    ]
}

/// The book entry an entry ID names.
pub fn lookup(book: &[BookEntry], entry: EntryRef) -> Option<&BookEntry> {
    book.iter().find(|b| b.entry == entry)
}

/// The row a client writes for a book entry, with its original name.
pub fn row_of(kind: RecipType, entry: EntryRef) -> RecipientRow {
    let b = lookup(the_book(), entry).expect("the entry is in the book");
    RecipientRow {
        kind,
        addr: b.addr,
        name: b.name.clone(),
        email: b.email.clone(),
        entry,
    }
}

/// A To row for the first person of the book with this address type (SMTP: Ann, FAX: Cy, X400:
/// Di): a plain recipient for tests and examples that only care about the transport.
pub fn to(addr: AddrType) -> RecipientRow {
    let all = book();
    let b = all
        .iter()
        .find(|b| b.addr == addr && matches!(b.entry, EntryRef::Person(_)))
        .expect("the book has a person of every transport's address type");
    row_of(RecipType::To, b.entry)
}

/// A row for a book person whose display name the client changed.
pub fn renamed(kind: RecipType, person: u32, name: &str) -> RecipientRow {
    RecipientRow {
        name: name.into(),
        ..row_of(kind, EntryRef::Person(person))
    }
}

/// A one-off address the client typed.
pub fn one_off(kind: RecipType, addr: AddrType, name: &str, email: &str) -> RecipientRow {
    RecipientRow {
        kind,
        addr,
        name: name.into(),
        email: email.into(),
        entry: EntryRef::Unresolved,
    }
}

/// The book entries a table refers to, lists' members included: what the harness hands over with a
/// submission, as MAPI's address book would answer.
pub fn book_for(rows: &[RecipientRow]) -> Vec<BookEntry> {
    let all = the_book();
    let mut wanted: Vec<EntryRef> = rows.iter().map(|r| r.entry).collect();
    let mut out: Vec<BookEntry> = Vec::new();
    while let Some(entry) = wanted.pop() {
        if out.iter().any(|b| b.entry == entry) {
            continue;
        }
        if let Some(b) = lookup(all, entry) {
            wanted.extend(b.members.iter().copied());
            out.push(b.clone());
        }
    }
    out.sort_by_key(|b| b.entry);
    out
}

/// Two rows name the same recipient (AMB-38): the same recipient type and the same address (the
/// address type, and the address compared without regard to case).
pub fn same_recipient(a: &RecipientRow, b: &RecipientRow) -> bool {
    a.kind == b.kind && a.addr == b.addr && a.email.eq_ignore_ascii_case(&b.email)
}

/// What ExpandRecips leaves of a table: personal distribution lists replaced by their members, in
/// place and recursively, each member with the list row's recipient type (EXP-04); changed display
/// names back to the book's (EXP-05); typed one-off addresses resolved to one-off entry IDs
/// (EXP-06); later rows naming a recipient an earlier row names removed (EXP-07, AMB-38). Each row
/// comes with the index of the row it came from, so PR_RESPONSIBILITY can follow it.
pub fn expand(rows: &[RecipientRow], book: &[BookEntry]) -> Vec<(RecipientRow, usize)> {
    let mut flat: Vec<(RecipientRow, usize)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        members(row, book, &mut Vec::new(), &mut |member| {
            flat.push((member, i))
        });
    }
    let mut out: Vec<(RecipientRow, usize)> = Vec::new();
    for (row, from) in flat {
        if !out.iter().any(|(kept, _)| same_recipient(kept, &row)) {
            out.push((row, from));
        }
    }
    out
}

/// A row, or for a list its members, recursively; `path` guards against a list within itself.
fn members(
    row: &RecipientRow,
    book: &[BookEntry],
    path: &mut Vec<EntryRef>,
    emit: &mut dyn FnMut(RecipientRow),
) {
    match row.entry {
        EntryRef::List(_) if row.addr == AddrType::Mapipdl && !path.contains(&row.entry) => {
            let Some(list) = lookup(book, row.entry) else {
                return emit(row.clone());
            };
            path.push(row.entry);
            for &m in &list.members {
                let Some(b) = lookup(book, m) else { continue };
                let member = RecipientRow {
                    kind: row.kind,
                    addr: b.addr,
                    name: b.name.clone(),
                    email: b.email.clone(),
                    entry: m,
                };
                members(&member, book, path, emit);
            }
            path.pop();
        }
        EntryRef::Person(_) => {
            let name = lookup(book, row.entry).map_or(row.name.clone(), |b| b.name.clone());
            emit(RecipientRow {
                name,
                ..row.clone()
            });
        }
        EntryRef::Unresolved => emit(RecipientRow {
            entry: EntryRef::OneOff,
            ..row.clone()
        }),
        _ => emit(row.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntryRef::{List, Person};
    use RecipType::{Cc, To};

    #[test]
    fn lists_expand_in_place_recursively_and_duplicates_go() {
        let rows = vec![
            row_of(To, List(3)),
            row_of(To, Person(1)),
            row_of(Cc, Person(1)),
        ];
        let got: Vec<RecipientRow> = expand(&rows, &book_for(&rows))
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        let want = vec![
            row_of(To, Person(1)),
            row_of(To, Person(2)),
            row_of(To, Person(4)),
            row_of(To, Person(5)),
            row_of(Cc, Person(1)),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn names_come_back_and_one_offs_are_resolved() {
        let rows = vec![
            renamed(To, 2, "Bobby"),
            one_off(Cc, AddrType::Smtp, "Guest", "guest@example.test"),
        ];
        let got: Vec<RecipientRow> = expand(&rows, &book_for(&rows))
            .into_iter()
            .map(|(r, _)| r)
            .collect();
        assert_eq!(got[0], row_of(To, Person(2)));
        assert_eq!(got[1].entry, EntryRef::OneOff);
        assert_eq!(got[1].name, "Guest");
    }

    #[test]
    fn the_book_handed_over_covers_nested_members() {
        let entries: Vec<EntryRef> = book_for(&[row_of(To, List(3))])
            .into_iter()
            .map(|b| b.entry)
            .collect();
        assert_eq!(
            entries,
            vec![Person(1), Person(2), Person(4), Person(5), List(1), List(3)]
        );
    }
}
