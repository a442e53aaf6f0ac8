//! Integration tests of the embedded rule catalog, in one binary so it links once.

use spoolcheck_specs::{data, render_markdown, Catalog, Level, Problem, Profile, SentenceClass};

/// The embedded catalog is sound and has the shape the rule plan decided.
mod embedded {
    use super::*;

    #[test]
    fn validates_without_problems() {
        let problems = Catalog::embedded().validate();
        let listing: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            problems.is_empty(),
            "catalog problems:\n{}",
            listing.join("\n")
        );
    }

    #[test]
    fn rule_counts_by_level_and_profile_match_the_plan() {
        let rules = &Catalog::embedded().rules;
        let at = |level| rules.iter().filter(|rule| rule.level == level).count();
        assert_eq!(
            [
                at(Level::Must),
                at(Level::Should),
                at(Level::May),
                at(Level::Info)
            ],
            [61, 27, 2, 0]
        );
        let in_profile = |profile| rules.iter().filter(|rule| rule.applies_in(profile)).count();
        assert_eq!(in_profile(Profile::Provider), 77);
        assert_eq!(
            in_profile(Profile::System),
            71,
            "the store side of the spooler's calls, and the calls to MAPI's support object, are \
             checked in provider only"
        );
    }

    #[test]
    fn ambiguities_run_from_amb_01_to_amb_39_in_order() {
        let ids: Vec<&str> = Catalog::embedded()
            .ambiguities
            .iter()
            .map(|a| a.id.as_str())
            .collect();
        let expected: Vec<String> = (1..=39).map(|n| format!("AMB-{n:02}")).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn invariants_run_from_inv_01_to_inv_15_in_order() {
        let ids: Vec<&str> = Catalog::embedded()
            .invariants
            .iter()
            .map(|i| i.id.as_str())
            .collect();
        let expected: Vec<String> = (1..=15).map(|n| format!("INV-{n:02}")).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn every_sentence_has_one_row_with_derived_rules() {
        let catalog = Catalog::embedded();
        let rows = catalog.sentence_rows();
        assert_eq!(rows.len(), 70);
        for row in rows {
            let normative = row.class == SentenceClass::Normative;
            assert_eq!(normative, !row.rules.is_empty(), "{}", row.sentence);
        }
    }

    #[test]
    fn expand_recips_duties_are_rules_of_profile_system() {
        let catalog = Catalog::embedded();
        for id in ["S131", "S132"] {
            let sentence = catalog.sentence(id).expect("classified");
            assert_eq!(sentence.class, SentenceClass::Normative, "{id}");
            let citing = catalog.rules_citing(id);
            assert!(
                citing
                    .iter()
                    .any(|r| r.applies_in(Profile::System) && r.family() == "EXP"),
                "{id}"
            );
        }
    }
}

/// Together, rules.toml and excluded.toml account for every rule id of the rule survey.
mod digest_coverage {
    use std::collections::BTreeSet;

    use super::*;

    /// Rule ids per family in sections 1-12 of the rule survey of the reference pages, counted with
    /// `awk '/^## 1\. /{f=1} /^## 13\. /{f=0} f' mapi-rules.md | grep -oE '^\| [A-Z]+-[0-9]+ \|'`:
    /// 131 table rows, each family numbered from 01 to its size without gaps or repeats. The
    /// survey is outside this repository, so its count is pinned here.
    const DIGEST_FAMILIES: [(&str, u32); 13] = [
        ("CAP", 11),
        ("FLAG", 14),
        ("SUBMIT", 20),
        ("EXP", 3),
        ("PREP", 4),
        ("PRE", 8),
        ("TC", 10),
        ("SPL", 18),
        ("ABORT", 9),
        ("ACCESS", 10),
        ("OQ", 12),
        ("NNM", 6),
        ("PERSIST", 6),
    ];
    const DIGEST_RULE_COUNT: usize = 131;

    /// Our own rules (splits of surveyed rules, and one frame rule): encoded, never excluded, not in the survey.
    const OWN_SPLITS: [&str; 8] = [
        "ACCESS-11",
        "ACCESS-12",
        "SPL-19",
        "SPL-20",
        "SPL-21",
        "EXP-04",
        "EXP-05",
        "EXP-06",
    ];

    /// Our own derived rules: conclusions from other rules and ambiguity readings, each with its
    /// reasoning, encoded, never excluded, not in the survey.
    const OWN_DERIVED: [&str; 11] = [
        "EXP-07",
        "EXP-08",
        "FLAG-15",
        "FLAG-16",
        "SUBMIT-21",
        "SUBMIT-22",
        "SUBMIT-23",
        "SUBMIT-24",
        "ABORT-10",
        "ACCESS-13",
        "PERSIST-07",
    ];

    fn digest_ids() -> BTreeSet<String> {
        DIGEST_FAMILIES
            .iter()
            .flat_map(|(family, size)| (1..=*size).map(move |n| format!("{family}-{n:02}")))
            .collect()
    }

    #[test]
    fn the_pinned_family_sizes_add_up() {
        assert_eq!(digest_ids().len(), DIGEST_RULE_COUNT);
    }

    #[test]
    fn rules_and_exclusions_count_every_digest_id_once() {
        let catalog = Catalog::embedded();
        let total = catalog.rules.len() + catalog.excluded.len();
        assert_eq!(
            total,
            DIGEST_RULE_COUNT + OWN_SPLITS.len() + OWN_DERIVED.len()
        );
    }

    #[test]
    fn rules_and_exclusions_are_exactly_the_digest_ids_plus_our_splits() {
        let catalog = Catalog::embedded();
        let encoded = catalog.rules.iter().map(|rule| rule.id.clone());
        let excluded = catalog.excluded.iter().map(|entry| entry.id.clone());
        let covered: BTreeSet<String> = encoded.chain(excluded).collect();
        let mut expected = digest_ids();
        expected.extend(OWN_SPLITS.map(String::from));
        expected.extend(OWN_DERIVED.map(String::from));
        assert_eq!(covered, expected);
    }

    #[test]
    fn our_derived_rules_give_their_reasoning() {
        let catalog = Catalog::embedded();
        for id in OWN_DERIVED {
            let rule = catalog.rule(id).expect("derived rules are encoded");
            assert!(rule.is_derived() && !rule.from.is_empty(), "{id}");
        }
    }

    #[test]
    fn our_splits_are_encoded_and_say_so() {
        let catalog = Catalog::embedded();
        for id in OWN_SPLITS {
            let rule = catalog.rule(id).expect("split rules are encoded");
            let note = rule.note.as_deref().unwrap_or_default();
            assert!(
                note.starts_with("Our own"),
                "{id} needs a note saying it is our own rule"
            );
        }
    }
}

/// Each validation fires on a catalog broken on purpose, naming the right entry.
mod negative {
    use super::*;

    /// The five embedded files as editable text.
    struct Files {
        rules: String,
        excluded: String,
        ambiguities: String,
        invariants: String,
        sentences: String,
    }

    impl Files {
        fn embedded() -> Files {
            Files {
                rules: data::RULES.to_owned(),
                excluded: data::EXCLUDED.to_owned(),
                ambiguities: data::AMBIGUITIES.to_owned(),
                invariants: data::INVARIANTS.to_owned(),
                sentences: data::SENTENCES.to_owned(),
            }
        }

        fn problems(&self) -> Vec<Problem> {
            Catalog::parse(
                &self.rules,
                &self.excluded,
                &self.ambiguities,
                &self.invariants,
                &self.sentences,
            )
            .expect("the mutated files still parse")
            .validate()
        }
    }

    /// Applies `edit` to the one `[[...]]` entry whose id is `id`, and checks it changed.
    fn edit_entry(text: &mut String, id: &str, edit: impl FnOnce(&str) -> String) {
        let marker = format!("id = \"{id}\"\n");
        assert_eq!(
            text.matches(&marker).count(),
            1,
            "{id} is not a unique entry"
        );
        let at = text.find(&marker).expect("counted above");
        let start = text[..at].rfind("[[").expect("an entry starts with [[");
        let end = text[at..]
            .find("\n[[")
            .map_or(text.len(), |offset| at + offset + 1);
        let edited = edit(&text[start..end]);
        assert_ne!(edited, text[start..end], "the edit of {id} changed nothing");
        text.replace_range(start..end, &edited);
    }

    /// Replaces `from` (which must occur) with `to` in a block.
    fn swap(block: &str, from: &str, to: &str) -> String {
        assert!(block.contains(from), "{from:?} not in:\n{block}");
        block.replacen(from, to, 1)
    }

    fn assert_reports(files: &Files, expected: Problem) {
        let problems = files.problems();
        assert!(
            problems.contains(&expected),
            "expected {expected:?} among {problems:#?}"
        );
    }

    #[test]
    fn a_rule_that_governs_nothing_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "CAP-03", |block| {
            swap(block, "governs = [\"return:GetProps\"]", "governs = []")
        });
        assert_reports(
            &files,
            Problem::GovernsNothing {
                rule: "CAP-03".into(),
            },
        );
    }

    #[test]
    fn a_system_rule_that_governs_only_calls_inside_the_system_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "PREP-02", |block| {
            swap(
                block,
                "profiles = [\"provider\"]",
                "profiles = [\"provider\", \"system\"]",
            )
        });
        assert_reports(
            &files,
            Problem::InvisibleInSystem {
                rule: "PREP-02".into(),
                governs: "call:PrepareSubmit".into(),
            },
        );
    }

    #[test]
    fn a_malformed_subject_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "CAP-03", |block| {
            swap(block, "\"return:GetProps\"", "\"returns:Get*Props\"")
        });
        assert_reports(
            &files,
            Problem::MalformedSubject {
                rule: "CAP-03".into(),
                pattern: "returns:Get*Props".into(),
            },
        );
    }

    #[test]
    fn a_derived_rule_without_its_origin_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "SUBMIT-22", |block| {
            swap(block, "from = [\"AMB-10\"]", "from = [\"AMB-99\"]")
        });
        assert_reports(
            &files,
            Problem::DerivationIncomplete {
                rule: "SUBMIT-22".into(),
                what: "is derived from AMB-99, which is no other rule or ambiguity of the catalog"
                    .into(),
            },
        );
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "SUBMIT-22", |block| {
            swap(block, "from = [\"AMB-10\"]\n", "")
        });
        assert_reports(
            &files,
            Problem::DerivationIncomplete {
                rule: "SUBMIT-22".into(),
                what: "names nothing it is derived from".into(),
            },
        );
    }

    #[test]
    fn a_reading_left_open_on_an_unknown_rule_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.ambiguities, "AMB-09", |block| {
            swap(block, "on = [\"SUBMIT-23\"]", "on = [\"SUBMIT-99\"]")
        });
        assert_reports(
            &files,
            Problem::MalformedOpen {
                ambiguity: "AMB-09".into(),
                what: "fields open on the paths of SUBMIT-99, which rules.toml lacks".into(),
            },
        );
    }

    #[test]
    fn a_dropped_sentence_is_missing() {
        let mut files = Files::embedded();
        edit_entry(&mut files.sentences, "S106", |_| String::new());
        assert_reports(
            &files,
            Problem::SentenceMissing {
                sentence: "S106".into(),
            },
        );
    }

    #[test]
    fn a_sentence_listed_twice_is_duplicated() {
        let mut files = Files::embedded();
        edit_entry(&mut files.sentences, "S106", |block| {
            format!("{block}{block}")
        });
        assert_reports(
            &files,
            Problem::SentenceDuplicated {
                sentence: "S106".into(),
            },
        );
    }

    #[test]
    fn a_sentence_entry_outside_the_page_is_reported() {
        let mut files = Files::embedded();
        files
            .sentences
            .push_str("\n[[sentence]]\nid = \"S999\"\nclass = \"informative\"\nreason = \"x\"\n");
        assert_reports(
            &files,
            Problem::SentenceOutOfRange {
                sentence: "S999".into(),
            },
        );
    }

    #[test]
    fn citing_a_sentence_outside_the_page_is_reported() {
        for outside in ["S999", "S200", "S102"] {
            let mut files = Files::embedded();
            edit_entry(&mut files.rules, "CAP-01", |block| {
                swap(block, "sources = [", &format!("sources = [\"{outside}\", "))
            });
            let expected = Problem::RuleCitesUnknownSentence {
                rule: "CAP-01".into(),
                sentence: outside.into(),
            };
            assert_reports(&files, expected);
        }
    }

    #[test]
    fn a_source_that_is_neither_sentence_nor_page_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "CAP-01", |block| {
            swap(
                block,
                "\"message-store-features\"",
                "\"Message Store Features\"",
            )
        });
        let expected = Problem::MalformedSource {
            rule: "CAP-01".into(),
            cited: "Message Store Features".into(),
        };
        assert_reports(&files, expected);
    }

    #[test]
    fn an_uncited_normative_sentence_is_reported() {
        // S114 is cited by ACCESS-11 alone.
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "ACCESS-11", |block| {
            swap(
                block,
                "sources = [\"S114\"]",
                "sources = [\"imsgstore-openentry\"]",
            )
        });
        assert_reports(
            &files,
            Problem::NormativeUncited {
                sentence: "S114".into(),
            },
        );
    }

    #[test]
    fn citing_an_informative_sentence_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "CAP-01", |block| {
            swap(block, "sources = [", "sources = [\"S106\", ")
        });
        let expected = Problem::NonNormativeCited {
            sentence: "S106".into(),
            class: SentenceClass::Informative,
            rule: "CAP-01".into(),
        };
        assert_reports(&files, expected);
    }

    #[test]
    fn an_informative_sentence_without_reason_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.sentences, "S106", |block| {
            let without: Vec<&str> = block.lines().filter(|l| !l.starts_with("reason")).collect();
            without.join("\n") + "\n"
        });
        let expected = Problem::ReasonMissing {
            sentence: "S106".into(),
            class: SentenceClass::Informative,
        };
        assert_reports(&files, expected);
    }

    #[test]
    fn a_duplicated_rule_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "SUBMIT-09", |block| {
            format!("{block}{block}")
        });
        assert_reports(
            &files,
            Problem::DuplicateRule {
                rule: "SUBMIT-09".into(),
            },
        );
    }

    #[test]
    fn a_rule_both_encoded_and_excluded_is_reported() {
        let mut files = Files::embedded();
        files
            .excluded
            .push_str("\n[[excluded]]\nid = \"SUBMIT-09\"\nreason = \"x\"\n");
        assert_reports(
            &files,
            Problem::EncodedAndExcluded {
                rule: "SUBMIT-09".into(),
            },
        );
    }

    #[test]
    fn an_empty_statement_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "SUBMIT-09", |block| {
            let lines = block.lines().map(|line| {
                if line.starts_with("statement = ") {
                    "statement = \"\""
                } else {
                    line
                }
            });
            lines.collect::<Vec<_>>().join("\n") + "\n"
        });
        assert_reports(
            &files,
            Problem::EmptyStatement {
                rule: "SUBMIT-09".into(),
            },
        );
    }

    #[test]
    fn a_rule_without_sources_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "ACCESS-11", |block| {
            swap(block, "sources = [\"S114\"]", "sources = []")
        });
        assert_reports(
            &files,
            Problem::NoSources {
                rule: "ACCESS-11".into(),
            },
        );
    }

    #[test]
    fn a_rule_without_check_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "CAP-01", |block| {
            swap(block, "check = \"oracle\"\n", "")
        });
        assert_reports(
            &files,
            Problem::NoCheck {
                rule: "CAP-01".into(),
            },
        );
    }

    #[test]
    fn a_check_naming_an_unknown_invariant_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "FLAG-05", |block| {
            swap(block, "check = \"INV-04\"", "check = \"INV-99\"")
        });
        let expected = Problem::UnknownInvariantInCheck {
            rule: "FLAG-05".into(),
            invariant: "INV-99".into(),
        };
        assert_reports(&files, expected);
    }

    #[test]
    fn a_check_that_is_neither_oracle_nor_invariant_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "CAP-01", |block| {
            swap(block, "check = \"oracle\"", "check = \"model\"")
        });
        let expected = Problem::MalformedCheck {
            rule: "CAP-01".into(),
            check: "model".into(),
        };
        assert_reports(&files, expected);
    }

    #[test]
    fn settling_an_unknown_ambiguity_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "FLAG-01", |block| {
            swap(block, "settles = [\"AMB-08\"]", "settles = [\"AMB-99\"]")
        });
        let expected = Problem::UnknownAmbiguity {
            rule: "FLAG-01".into(),
            ambiguity: "AMB-99".into(),
        };
        assert_reports(&files, expected);
    }

    #[test]
    fn a_rule_without_profiles_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.rules, "CAP-01", |block| {
            swap(
                block,
                "profiles = [\"provider\", \"system\"]",
                "profiles = []",
            )
        });
        assert_reports(
            &files,
            Problem::EmptyProfiles {
                rule: "CAP-01".into(),
            },
        );
    }

    #[test]
    fn an_invariant_naming_an_unknown_rule_is_reported() {
        let mut files = Files::embedded();
        edit_entry(&mut files.invariants, "INV-01", |block| {
            swap(block, "rules = [", "rules = [\"FLAG-99\", ")
        });
        let expected = Problem::InvariantNamesUnknownRule {
            invariant: "INV-01".into(),
            rule: "FLAG-99".into(),
        };
        assert_reports(&files, expected);
    }

    #[test]
    fn an_invariant_naming_an_excluded_rule_is_reported() {
        // FLAG-09 is in the survey's INV-05 but excluded from the catalog.
        let mut files = Files::embedded();
        edit_entry(&mut files.invariants, "INV-05", |block| {
            swap(block, "rules = [", "rules = [\"FLAG-09\", ")
        });
        let expected = Problem::InvariantNamesUnknownRule {
            invariant: "INV-05".into(),
            rule: "FLAG-09".into(),
        };
        assert_reports(&files, expected);
    }

    #[test]
    fn a_toml_error_names_the_file() {
        let broken = format!("{}\n[[rule]\n", data::RULES);
        let error = Catalog::parse(
            &broken,
            data::EXCLUDED,
            data::AMBIGUITIES,
            data::INVARIANTS,
            data::SENTENCES,
        )
        .expect_err("an unclosed table header is not TOML");
        assert!(error.to_string().starts_with("rules.toml: "), "{error}");
    }
}

/// The committed readable spec is the rendering of the current catalog.
mod spec_md {
    use super::*;

    const COMMITTED: &str = include_str!("../SPEC.md");

    #[test]
    fn spec_md_is_current() {
        let fresh = render_markdown(Catalog::embedded());
        if COMMITTED == fresh {
            return;
        }
        let first_difference = COMMITTED
            .lines()
            .zip(fresh.lines())
            .position(|(committed, rendered)| committed != rendered)
            .unwrap_or_else(|| COMMITTED.lines().count().min(fresh.lines().count()));
        panic!(
            "specs/SPEC.md is out of date (first difference at line {}). Run \
             `cargo run -q -p spoolcheck-specs --example render > specs/SPEC.md` and review the diff.",
            first_difference + 1
        );
    }
}

/// Lookups used by the command line and by the harness's reports.
mod queries {
    use super::*;

    #[test]
    fn a_near_miss_suggests_the_rule() {
        let suggestions = Catalog::embedded().closest_ids("SUBMT-09");
        assert!(suggestions.contains(&"SUBMIT-09"), "{suggestions:?}");
        assert!(suggestions.len() <= 3);
    }

    #[test]
    fn suggestions_ignore_case() {
        assert_eq!(
            Catalog::embedded().closest_ids("access-11").first(),
            Some(&"ACCESS-11")
        );
    }

    #[test]
    fn rule_lookup_is_exact() {
        let catalog = Catalog::embedded();
        assert_eq!(
            catalog.rule("TC-04").map(|rule| rule.level),
            Some(Level::Must)
        );
        assert!(catalog.rule("tc-04").is_none());
        assert!(
            catalog.rule("EXP-01").is_none(),
            "excluded rules are not rules"
        );
    }

    #[test]
    fn s133_is_cited_by_the_preprocess_route() {
        let citing = Catalog::embedded().rules_citing("S133");
        let ids: Vec<&str> = citing.iter().map(|rule| rule.id.as_str()).collect();
        assert_eq!(ids, ["SUBMIT-09"]);
    }

    #[test]
    fn invariant_checks_resolve() {
        let catalog = Catalog::embedded();
        let checked: Vec<&str> = catalog
            .rules_checked_by("INV-04")
            .iter()
            .map(|rule| rule.id.as_str())
            .collect();
        assert_eq!(checked, ["FLAG-05"]);
    }
}
