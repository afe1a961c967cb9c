//! Any text as a jurisdiction file of the rules pack, and facts from the first 16 bytes:
//! validating the pack and evaluating the facts never panic.
#![no_main]

use candor::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (seed, text) = data.split_at(data.len().min(16));
    if let Ok(text) = std::str::from_utf8(text) {
        fuzzing::rules(seed, text);
    }
});
