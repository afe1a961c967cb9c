//! Any bytes as a systems, customers or holdings file in Jsonl (the first byte picks the kind):
//! reading and validating them never panics.
#![no_main]

use candor::fuzzing;
use candor::inventory::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&kind, file)) = data.split_first() {
        fuzzing::inventory(kind, Format::Jsonl, file);
    }
});
