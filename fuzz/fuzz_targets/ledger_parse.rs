//! `cargo fuzz run -s none ledger_parse`: see [`spoolcheck_harness::fuzzing::ledger_parse`].
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| spoolcheck_harness::fuzzing::ledger_parse(data));
