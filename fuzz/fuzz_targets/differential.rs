//! `cargo fuzz run -s none differential`: see [`spoolcheck_harness::fuzzing::differential`].
#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Running out of input ends the case early; that is not a finding.
    let _ = spoolcheck_harness::fuzzing::differential(&mut Unstructured::new(data));
});
