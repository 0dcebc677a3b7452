//! Canonical JSON: the one serialisation behind pack digests.
//!
//! Object keys are sorted by their UTF-8 bytes and nothing is indented, so the same value gives the
//! same bytes on every machine and target, whatever order a map kept its keys in.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::json_write;
use crate::sorted::SortedSet;

/// Writes `value` canonically.
pub fn to_canonical_string(value: &Value) -> String {
    let mut out = Vec::new();
    write_value(value, &mut out);
    // Only strings (UTF-8 already) and ASCII were written, so this cannot fail.
    String::from_utf8(out).unwrap_or_default()
}

/// `sha256:` followed by the lower-case hex digest of the canonical form.
pub fn digest(value: &Value) -> String {
    // A bundle's pack is about 130 KB: reserve once instead of growing the text step by step.
    let mut text = Vec::with_capacity(64 * 1024);
    write_value(value, &mut text);
    let bytes = Sha256::digest(&text);
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for b in bytes {
        hex.push(hex_digit(b >> 4));
        hex.push(hex_digit(b & 0xf));
    }
    hex
}

/// The lower-case hex digit of `n` (0 to 15).
fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'a' + (n - 10) })
}

/// Writes into one buffer, without a `String` per value (the earlier cost of a digest): strings
/// as `crate::json_write` writes them and numbers through serde_json's own writer, so both are
/// spelt exactly as serde_json spells them.
fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        // serde_json's map is a BTreeMap (keys in byte order) unless its `preserve_order` feature
        // is on somewhere in the build: sort only when the keys are not in order.
        Value::Object(map) if map.keys().zip(map.keys().skip(1)).all(|(a, b)| a < b) => {
            json_write::write_map(map, out, write_value);
        }
        // Keys sorted by the core's sorted set, whose sort the browser engine has already (a
        // sort of the entries would be another instantiation of it).
        Value::Object(map) => {
            let keys: SortedSet<String> = map.keys().cloned().collect();
            let entries = keys.iter().filter_map(|k| map.get_key_value(k));
            json_write::write_map(entries, out, write_value);
        }
        Value::Array(items) => json_write::write_seq(items, out, write_value),
        // Strings, numbers, booleans and null have one spelling only.
        scalar => json_write::write_value(scalar, out),
    }
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
    fn strings_and_numbers_are_written_as_serde_json_writes_them() {
        let mut samples: Vec<String> = (0u32..0x80)
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}b"))
            .collect();
        samples.extend(
            [
                "",
                "中文“引号”",
                "\u{7f}\u{2028}\u{fffd}😀",
                "\"\\\"",
                "x == \"a\"\n\t",
            ]
            .map(String::from),
        );
        for s in samples {
            let v = Value::String(s.clone());
            assert_eq!(to_canonical_string(&v), v.to_string(), "{s:?}");
        }
        for v in [
            json!(0),
            json!(-17),
            json!(u64::MAX),
            json!(1.5),
            json!(1e300),
            json!(-0.0),
        ] {
            assert_eq!(to_canonical_string(&v), v.to_string());
        }
        let nested = json!({"k\"ey": ["\u{1}", {"z": null, "a": false, "m": true}]});
        assert_eq!(
            to_canonical_string(&nested),
            r#"{"k\"ey":["\u0001",{"a":false,"m":true,"z":null}]}"#
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
