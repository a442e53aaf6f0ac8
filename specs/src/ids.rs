//! Identifier helpers: sentence ids, reference page names, rule families, edit distance.

/// The first sentence number of the seed page (`S103`).
pub const FIRST_SENTENCE: u16 = 103;
/// The last sentence number of the seed page (`S172`).
pub const LAST_SENTENCE: u16 = 172;

/// The rule families in the order the spec presents them, with a heading for each.
pub const FAMILIES: [(&str, &str); 13] = [
    ("CAP", "Capability and prerequisites"),
    ("FLAG", "Message and submit flags"),
    ("SUBMIT", "Client SubmitMessage"),
    ("EXP", "ExpandRecips"),
    ("PREP", "PrepareSubmit"),
    ("PRE", "Preprocessing"),
    ("TC", "Tightly coupled store and transport"),
    ("SPL", "Spooler path: lock, send, finish"),
    ("ABORT", "AbortSubmit"),
    ("ACCESS", "Opening and changing submitted messages"),
    ("OQ", "Outgoing queue table"),
    ("NNM", "NotifyNewMail"),
    ("PERSIST", "Restart and shutdown"),
];

/// The id of sentence `number`, e.g. `S133`.
pub fn sentence_id(number: u16) -> String {
    format!("S{number}")
}

/// Whether a source entry is meant as a sentence id: `S` followed by digits only.
///
/// Anything else in a rule's sources is a reference page name.
pub fn is_sentence_ref(source: &str) -> bool {
    source
        .strip_prefix('S')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The number of a sentence id of the seed page, `None` if it is malformed or outside
/// `S103..=S172`.
pub fn sentence_number(id: &str) -> Option<u16> {
    if !is_sentence_ref(id) {
        return None;
    }
    let number: u16 = id[1..].parse().ok()?;
    (FIRST_SENTENCE..=LAST_SENTENCE)
        .contains(&number)
        .then_some(number)
}

/// Whether a source entry is a plausible reference page name: lowercase letters, digits,
/// `-` and `_`, starting with a letter (e.g. `imsgstore-setlockstate`, `table_notification`).
pub fn is_page_name(source: &str) -> bool {
    let starts_with_letter = source
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase());
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_';
    starts_with_letter && source.bytes().all(allowed)
}

/// Whether `id` has the form `FAMILY-NN` with a known family and a two-digit number.
pub fn is_rule_id(id: &str) -> bool {
    let Some((family, digits)) = id.rsplit_once('-') else {
        return false;
    };
    let known_family = FAMILIES.iter().any(|(name, _)| *name == family);
    known_family && digits.len() == 2 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Levenshtein distance between `a` and `b`, ignoring ASCII case.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_numbers_are_bounded_to_the_seed_page() {
        assert_eq!(sentence_number("S103"), Some(103));
        assert_eq!(sentence_number("S172"), Some(172));
        assert_eq!(sentence_number("S102"), None);
        assert_eq!(sentence_number("S173"), None);
        assert_eq!(sentence_number("S999"), None);
        assert_eq!(sentence_number("s133"), None);
        assert_eq!(sentence_number("S13a"), None);
        assert_eq!(sentence_id(133), "S133");
    }

    #[test]
    fn sources_split_into_sentences_and_page_names() {
        assert!(is_sentence_ref("S999"));
        assert!(!is_sentence_ref("S"));
        assert!(!is_sentence_ref("imsgstore-setlockstate"));
        assert!(is_page_name("imsgstore-setlockstate"));
        assert!(is_page_name("table_notification"));
        assert!(!is_page_name("S133"));
        assert!(!is_page_name("-leading-dash"));
        assert!(!is_page_name(""));
    }

    #[test]
    fn rule_ids_need_a_known_family_and_two_digits() {
        assert!(is_rule_id("SUBMIT-09"));
        assert!(is_rule_id("PERSIST-04"));
        assert!(!is_rule_id("SUBMIT-9"));
        assert!(is_rule_id("EXP-04"));
        assert!(!is_rule_id("XYZ-01"), "not a family of the catalog");
        assert!(!is_rule_id("SUBMIT"));
    }

    #[test]
    fn edit_distance_counts_single_edits_case_insensitively() {
        assert_eq!(edit_distance("SUBMT-09", "SUBMIT-09"), 1);
        assert_eq!(edit_distance("submit-09", "SUBMIT-09"), 0);
        assert_eq!(edit_distance("SUBMIT-90", "SUBMIT-09"), 2);
        assert_eq!(edit_distance("", "OQ-01"), 5);
        assert_eq!(edit_distance("OQ-01", ""), 5);
    }
}
