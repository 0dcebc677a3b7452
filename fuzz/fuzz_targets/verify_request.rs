//! The verify path (`hegui::verify`, used by `POST /v1/verify` and `hegui check`): the input as
//! a verify request `{pack, input, outcome}` against every shipped pack. The claimed outcome
//! parsed thin (as the server parses it) must give the reasons the whole claim gives, and the
//! answer's own JSON writer must write what serde writes.
#![no_main]
use std::sync::OnceLock;

use hegui::serve::api::VerifyResponse;
use hegui::verify::{ClaimedOutcome, PackClaim, Registry};
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
    let thin: ClaimedOutcome =
        serde_json::from_str(&claimed.to_string()).expect("any JSON value parses as a claim");
    let thin_checked = registry().verify(&claim, &input, &thin.0, &EvalOptions::default());
    assert_eq!(thin_checked.reasons, checked.reasons);
    let response = VerifyResponse {
        verdict: checked.verdict.name().into(),
        reasons: checked.reasons,
        outcome: checked.outcome,
    };
    let written = response.to_json_bytes().expect("the answer is written");
    assert_eq!(written, serde_json::to_vec(&response).expect("serde writes it"));
});
