//! `cargo fuzz run -s none model_ops`: see [`spoolcheck_harness::fuzzing::model_ops`].
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Running out of input ends the case early; that is not a finding.
    let _ = spoolcheck_harness::fuzzing::model_ops(&mut Unstructured::new(data));
});
