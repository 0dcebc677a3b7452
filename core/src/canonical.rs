//! Canonical JSON: the one serialisation behind pack digests.
//!
//! Object keys are sorted by their UTF-8 bytes and nothing is indented, so the same value gives the
//! same bytes on every machine and target, whatever order a map kept its keys in.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Writes `value` canonically.
pub fn to_canonical_string(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// `sha256:` followed by the lower-case hex digest of the canonical form.
pub fn digest(value: &Value) -> String {
    let bytes = Sha256::digest(to_canonical_string(value).as_bytes());
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in bytes {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_value(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        // serde_json prints numbers, booleans and null one way only.
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push_str(&Value::String(s.to_owned()).to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level() {
        let v = json!({"b": 1, "a": {"d": [true, null], "c": "中"}});
        assert_eq!(
            to_canonical_string(&v),
            r#"{"a":{"c":"中","d":[true,null]},"b":1}"#
        );
    }

    #[test]
    fn digest_is_sha256_hex() {
        // sha256 of "{}"
        assert_eq!(
            digest(&json!({})),
            "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
        );
    }
}
