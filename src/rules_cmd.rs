//! `spoolcheck rules`: the rules of the embedded catalog, filtered by level and profile.

use crate::cli::{Format, RulesArgs};
use crate::output::Streams;
use crate::status;
use spoolcheck_model::trace::align;
use spoolcheck_specs::{Catalog, Level, Profile, Rule};
use std::io;

/// Prints the selected rules in catalog order.
pub fn run(args: &RulesArgs, io: &mut Streams<'_>) -> io::Result<u8> {
    let level = args.level.map(Level::from);
    let profile = args.profile.map(Profile::from);
    let rules = select(Catalog::embedded(), level, profile);
    match args.format {
        Format::Text => io.out.write_all(text(&rules).as_bytes())?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut *io.out, &rules).map_err(io::Error::from)?;
            io.out.write_all(b"\n")?;
        }
    }
    Ok(status::SUCCESS)
}

/// The catalog's rules that match both filters (a filter left out matches everything).
fn select(catalog: &Catalog, level: Option<Level>, profile: Option<Profile>) -> Vec<&Rule> {
    catalog
        .rules
        .iter()
        .filter(|rule| level.is_none_or(|l| rule.level == l))
        .filter(|rule| profile.is_none_or(|p| rule.applies_in(p)))
        .collect()
}

/// An aligned table: a header, then one line per rule.
fn text(rules: &[&Rule]) -> String {
    let mut cells = vec![["id", "level", "profiles", "title"].map(String::from)];
    for rule in rules {
        let profiles: Vec<&str> = rule.profiles.iter().map(|p| p.as_str()).collect();
        cells.push([
            rule.id.clone(),
            rule.level.to_string(),
            profiles.join(","),
            rule.title.clone(),
        ]);
    }
    align(&cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_combine() {
        let catalog = Catalog::embedded();
        let all = select(catalog, None, None);
        assert_eq!(all.len(), catalog.rules.len());
        let must_system = select(catalog, Some(Level::Must), Some(Profile::System));
        assert!(!must_system.is_empty());
        assert!(must_system
            .iter()
            .all(|r| r.level == Level::Must && r.applies_in(Profile::System)));
        assert!(must_system.len() < all.len());
    }

    #[test]
    fn the_table_has_a_header_and_one_line_per_rule() {
        let catalog = Catalog::embedded();
        let rules = select(catalog, None, None);
        let table = text(&rules);
        assert_eq!(table.lines().count(), rules.len() + 1);
        assert!(table.starts_with("id "));
    }
}
