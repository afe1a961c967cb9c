//! Any text as one notice template file (the first byte picks which): compiling the edited set
//! and linting the text never panic.
#![no_main]

use candor::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&file, text)) = data.split_first() {
        if let Ok(text) = std::str::from_utf8(text) {
            fuzzing::notice_template(file, text);
        }
    }
});
