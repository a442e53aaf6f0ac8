//! Which rules apply to an implementation, given its declared choices: the rest are reported as
//! "not applicable" rather than passed or failed.

use spoolcheck_model::choices::Completion;
use spoolcheck_model::{Choices, Profile, RuleId};
use spoolcheck_specs::Catalog;

/// Why a rule does not apply, or `None` when it does.
pub fn not_applicable(rule: RuleId, choices: &Choices) -> Option<&'static str> {
    let profile = match choices.profile {
        Profile::Provider => spoolcheck_specs::Profile::Provider,
        Profile::System => spoolcheck_specs::Profile::System,
    };
    if Catalog::embedded()
        .rule(rule.as_str())
        .is_some_and(|r| !r.applies_in(profile))
    {
        return Some("not a rule of the declared profile");
    }
    use RuleId as R;
    if !choices.submission {
        let without_sending = [
            R::Cap01,
            R::Cap03,
            R::Access12,
            R::Abort01,
            R::Abort03,
            R::Spl11,
            R::Spl04,
            R::Oq01,
            R::Nnm01,
            R::Nnm02,
            R::Persist04,
        ];
        return (!without_sending.contains(&rule)).then_some("submission is declared unsupported");
    }
    match (rule, &choices.tight_coupling) {
        (R::Cap01, _) => Some("submission is declared supported"),
        (R::Submit10, Some(_)) => {
            Some("a tightly coupled store queues for the spooler under TC-07")
        }
        (R::Tc02 | R::Tc03 | R::Tc04 | R::Tc05 | R::Tc06 | R::Tc07 | R::Pre05 | R::Oq10, None) => {
            Some("no tight coupling is declared")
        }
        (R::Tc04, Some(tc)) if tc.completion == Completion::CompleteMsg => {
            Some("completion is declared complete-msg")
        }
        _ => None,
    }
}

/// The rules that apply, in catalog order.
pub fn applicable(choices: &Choices) -> Vec<RuleId> {
    RuleId::ALL
        .iter()
        .copied()
        .filter(|&r| not_applicable(r, choices).is_none())
        .collect()
}
