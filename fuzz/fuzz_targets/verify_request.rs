//! The verify path (`hegui::verify`, used by `POST /v1/verify` and `hegui check`): the input as
//! a verify request `{pack, input, outcome}` against every shipped pack.
#![no_main]
use std::sync::OnceLock;

use hegui::verify::{PackClaim, Registry};
use hegui_core::{EvalOptions, Limits};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| {
        let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");
        Registry::load(std::path::Path::new(rules), &Limits::default()).expect("shipped packs load")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let Ok(claim) = serde_json::from_value::<PackClaim>(request["pack"].clone()) else {
        return;
    };
    let input = request.get("input").cloned().unwrap_or(Value::Null);
    let claimed = request.get("outcome").cloned().unwrap_or(Value::Null);
    let checked = registry().verify(&claim, &input, &claimed, &EvalOptions::default());
    let _ = serde_json::to_string(&checked.reasons);
});
