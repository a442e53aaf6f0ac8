//! Two defects in one store: a SHOULD one (no TABLE_ROW_MODIFIED when the lock changes, OQ-11) that
//! happens at every lock, and a MUST one (a client can read a locked message, ACCESS-01) that can only
//! show after a lock. The run must report both, and fail.

use spoolcheck_harness::driver::Factory;
use spoolcheck_harness::mutant::Mutant;
use spoolcheck_harness::reference::ReferenceStore;
use spoolcheck_harness::report::RunVerdict;
use spoolcheck_harness::runner::{run, RunConfig};
use spoolcheck_harness::seam::{Answer, Implementation, SeamError, Support};
use spoolcheck_model::mapi::TableEvent;
use spoolcheck_model::{Choices, Notification, Observation, Op, Ret, RuleId, SupportCall};
use std::sync::Arc;

/// The ACCESS-01 mutant, whose ROW_MODIFIED notifications are also swallowed.
struct TwoDefects(ReferenceStore);

struct DropRowModified<'a>(&'a mut dyn Support);

impl Support for DropRowModified<'_> {
    fn call(&mut self, call: SupportCall) -> Answer {
        self.0.call(call)
    }

    fn notify(&mut self, n: Notification) {
        if !matches!(
            n,
            Notification::QueueTable {
                table_event: TableEvent::RowModified,
                ..
            }
        ) {
            self.0.notify(n);
        }
    }
}

impl Implementation for TwoDefects {
    fn name(&self) -> String {
        "two defects".into()
    }

    fn reset(&mut self, choices: &Choices) -> Result<(), SeamError> {
        self.0.reset(choices)
    }

    fn apply(&mut self, op: &Op, support: &mut dyn Support) -> Result<Ret, SeamError> {
        self.0.apply(op, &mut DropRowModified(support))
    }

    fn observe(&mut self) -> Result<Observation, SeamError> {
        self.0.observe()
    }
}

#[test]
fn a_should_violation_does_not_hide_a_later_must_violation() {
    let factory: Arc<Factory> = Arc::new(|| {
        Ok(Box::new(TwoDefects(ReferenceStore::with_mutant(
            Mutant::Access01ReadLocked,
        ))) as _)
    });
    for seed in 0..4 {
        let report = run(
            factory.clone(),
            &RunConfig {
                seed,
                ..RunConfig::default()
            },
        );
        let named: Vec<RuleId> = report.failures.iter().filter_map(|f| f.rule()).collect();
        assert!(named.contains(&RuleId::Oq11), "seed {seed}: {named:?}");
        assert!(
            named.contains(&RuleId::Access01),
            "seed {seed}: ACCESS-01 hidden: {named:?}"
        );
        assert_eq!(
            RunVerdict::of(&report, false),
            RunVerdict::NotConformant,
            "seed {seed}"
        );
    }
}
