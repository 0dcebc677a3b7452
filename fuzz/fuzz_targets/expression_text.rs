//! The direct forms' reader (`compile::syntax`) on any text: it must not panic, and whatever it
//! takes, rhai must compile (the sandbox's checks included) and lower to the same direct form
//! (`compile::syntax_check`). A load through the reader does not compile its texts with rhai, so
//! a text the reader takes and rhai refuses would load where it should not.
#![no_main]
use hegui_core::compile::syntax_check;
use libfuzzer_sys::fuzz_target;

/// The variables in scope; the check's stand-in schema makes some of their paths document fields
/// and others produced values.
const NAMES: [&str; 7] = ["x", "y", "org", "risk", "params", "it", "i"];

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        if let Err(e) = syntax_check::check(src, &NAMES) {
            panic!("{e}");
        }
    }
});
