//! Rule identifiers. Each one names a rule of the catalog in `specs/rules.toml`; a test in the workspace
//! checks that the two lists agree in both directions.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! rule_ids {
    ($($variant:ident = $id:literal,)*) => {
        /// The ID of a rule of the catalog. `Display` prints the catalog form, e.g. `SUBMIT-09`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum RuleId {
            $(#[doc = concat!("Catalog rule `", $id, "`.")] $variant,)*
        }

        impl RuleId {
            /// Every rule the model encodes.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant,)*];

            /// The catalog form of the ID.
            pub fn as_str(self) -> &'static str {
                match self { $(RuleId::$variant => $id,)* }
            }
        }
    };
}

rule_ids! {
    Cap01 = "CAP-01", Cap02 = "CAP-02", Cap03 = "CAP-03", Cap09 = "CAP-09",
    Flag01 = "FLAG-01", Flag02 = "FLAG-02", Flag05 = "FLAG-05", Flag06 = "FLAG-06",
    Flag15 = "FLAG-15", Flag16 = "FLAG-16",
    Submit01 = "SUBMIT-01", Submit02 = "SUBMIT-02", Submit03 = "SUBMIT-03", Submit04 = "SUBMIT-04",
    Submit06 = "SUBMIT-06", Submit07 = "SUBMIT-07", Submit08 = "SUBMIT-08", Submit09 = "SUBMIT-09",
    Submit10 = "SUBMIT-10", Submit12 = "SUBMIT-12", Submit14 = "SUBMIT-14", Submit15 = "SUBMIT-15",
    Submit16 = "SUBMIT-16", Submit21 = "SUBMIT-21", Submit22 = "SUBMIT-22", Submit23 = "SUBMIT-23",
    Submit24 = "SUBMIT-24",
    Prep02 = "PREP-02",
    Exp04 = "EXP-04", Exp05 = "EXP-05", Exp06 = "EXP-06", Exp07 = "EXP-07", Exp08 = "EXP-08",
    Pre02 = "PRE-02", Pre03 = "PRE-03", Pre04 = "PRE-04", Pre05 = "PRE-05", Pre08 = "PRE-08",
    Tc02 = "TC-02", Tc03 = "TC-03", Tc04 = "TC-04", Tc05 = "TC-05", Tc06 = "TC-06", Tc07 = "TC-07",
    Spl02 = "SPL-02", Spl03 = "SPL-03", Spl04 = "SPL-04", Spl06 = "SPL-06", Spl07 = "SPL-07",
    Spl08 = "SPL-08", Spl10 = "SPL-10", Spl11 = "SPL-11", Spl12 = "SPL-12", Spl13 = "SPL-13",
    Spl14 = "SPL-14", Spl16 = "SPL-16", Spl19 = "SPL-19", Spl20 = "SPL-20", Spl21 = "SPL-21",
    Abort01 = "ABORT-01", Abort02 = "ABORT-02", Abort03 = "ABORT-03", Abort04 = "ABORT-04",
    Abort07 = "ABORT-07", Abort10 = "ABORT-10",
    Access01 = "ACCESS-01", Access02 = "ACCESS-02", Access03 = "ACCESS-03", Access04 = "ACCESS-04",
    Access05 = "ACCESS-05", Access06 = "ACCESS-06", Access07 = "ACCESS-07", Access08 = "ACCESS-08",
    Access09 = "ACCESS-09", Access10 = "ACCESS-10", Access11 = "ACCESS-11", Access12 = "ACCESS-12",
    Access13 = "ACCESS-13",
    Oq01 = "OQ-01", Oq02 = "OQ-02", Oq03 = "OQ-03", Oq05 = "OQ-05", Oq10 = "OQ-10", Oq11 = "OQ-11",
    Nnm01 = "NNM-01", Nnm02 = "NNM-02",
    Persist01 = "PERSIST-01", Persist03 = "PERSIST-03", Persist04 = "PERSIST-04", Persist07 = "PERSIST-07",
}

impl RuleId {
    /// Looks a rule up by its catalog form (case-insensitive).
    pub fn parse(text: &str) -> Option<RuleId> {
        RuleId::ALL
            .iter()
            .copied()
            .find(|r| r.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        RuleId::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown rule ID `{text}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_parse_back() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in RuleId::ALL {
            assert!(seen.insert(rule.as_str()), "duplicate {rule}");
            assert_eq!(RuleId::parse(&rule.as_str().to_lowercase()), Some(*rule));
        }
        assert_eq!(RuleId::parse("SUBMIT-99"), None);
    }
}
