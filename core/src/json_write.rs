//! Compact JSON written straight into a byte buffer, spelt exactly as serde_json spells it.
//!
//! The outcome document is mostly short strings: keys, rule ids, field paths, citations. Through
//! serde, every one of them (keys included) goes through serde_json's byte-at-a-time escaping and
//! a call chain per field; that was the largest single cost of writing an outcome (about 12 % of
//! a server re-check with the full outcome, and a fifth of `evaluateJson` in WASM). Here a string
//! that needs no escape (nearly all of them) is checked eight bytes at a time and copied whole;
//! one that does is handed to serde_json, so escapes are always serde_json's own. Numbers too are
//! printed by serde_json. The tests compare the bytes with serde_json's for every kind of value.

use serde_json::Value;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `chunk` is below 0x20, `"` or `\`: the bytes JSON escapes. Each test is
/// the classic "has a byte less than n" bit trick, exact about whether such a byte exists.
fn has_escape(chunk: u64) -> bool {
    let control = chunk.wrapping_sub(ONES * 0x20) & !chunk;
    let quote = chunk ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = chunk ^ (ONES * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & HIGHS != 0
}

fn needs_escape(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if has_escape(u64::from_le_bytes(word)) {
            return true;
        }
    }
    // The last bytes padded with spaces (never escaped) to one more word: most strings here
    // (keys, ids, statuses) are shorter than eight bytes.
    let rest = chunks.remainder();
    let mut word = [b' '; 8];
    if let Some(head) = word.get_mut(..rest.len()) {
        head.copy_from_slice(rest);
    }
    has_escape(u64::from_le_bytes(word))
}

/// `s` as a JSON string, quotes included.
pub(crate) fn write_str(s: &str, out: &mut Vec<u8>) {
    if needs_escape(s) {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(out, s);
    } else {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

/// `"key":` for a map key, escaped as needed.
pub(crate) fn write_key(key: &str, out: &mut Vec<u8>) {
    write_str(key, out);
    out.push(b':');
}

/// `"name":` for one of the document's own field names: plain ASCII words, never escaped.
pub(crate) fn write_name(name: &str, out: &mut Vec<u8>) {
    debug_assert!(!needs_escape(name), "{name}");
    out.reserve(name.len() + 3);
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// `,"name":`: the next of the document's own field names, after a value.
pub(crate) fn write_next_name(name: &str, out: &mut Vec<u8>) {
    out.push(b',');
    write_name(name, out);
}

/// `{"key":value,...}` with the entries in the order given, each value written by `write`.
pub(crate) fn write_map<'a, V: 'a>(
    entries: impl IntoIterator<Item = (&'a String, &'a V)>,
    out: &mut Vec<u8>,
    write: impl Fn(&V, &mut Vec<u8>),
) {
    out.push(b'{');
    for (i, (key, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_key(key, out);
        write(v, out);
    }
    out.push(b'}');
}

/// `value` as compact JSON, object entries in the map's own order (as serde_json writes them).
pub(crate) fn write_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            let _ = serde_json::to_writer(out, n);
        }
        Value::String(s) => write_str(s, out),
        Value::Array(items) => write_seq(items, out, write_value),
        Value::Object(map) => write_map(map, out, write_value),
    }
}

/// `[a,b,...]`, each item written by `write`.
pub(crate) fn write_seq<T>(items: &[T], out: &mut Vec<u8>, write: impl Fn(&T, &mut Vec<u8>)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(item, out);
    }
    out.push(b']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn written(v: &Value) -> String {
        let mut out = Vec::new();
        write_value(v, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_byte_and_position_is_escaped_as_serde_json_escapes_it() {
        // Each ASCII character at each offset of a 17-byte string: before, inside and after an
        // eight-byte chunk, so both the chunked test and the remainder see every character.
        for c in (0u32..0x80).filter_map(char::from_u32) {
            for at in 0..17 {
                let mut s: String = "abcdefghijklmnopq".chars().take(17).collect();
                s.replace_range(at..=at, &c.to_string());
                let v = Value::String(s.clone());
                assert_eq!(written(&v), v.to_string(), "{s:?}");
            }
        }
        for s in [
            "",
            "中文“引号”（全角）",
            "\u{7f}\u{2028}\u{fffd}😀",
            "\"\\\"",
            "x == \"a\"\n\t",
            "附件1 性质①–③（另见 HT2003 第1–54项）",
        ] {
            let v = Value::String(s.into());
            assert_eq!(written(&v), v.to_string(), "{s:?}");
        }
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        for v in [
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(-17),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(1.5),
            json!(1e300),
            json!(-0.0),
            json!(0.1),
            json!([]),
            json!({}),
            json!([1, "a", [null, {"z": 1, "a": [true]}]]),
            json!({"k\"ey": ["\u{1}", {"z": null, "a": false}], "中": "文"}),
        ] {
            assert_eq!(written(&v), v.to_string());
        }
    }

    #[test]
    fn the_chunk_test_agrees_with_a_byte_by_byte_test_on_mixed_words() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            // xorshift64: every kind of byte next to every other.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let expected = x
                .to_le_bytes()
                .iter()
                .any(|&b| b < 0x20 || b == b'"' || b == b'\\');
            assert_eq!(has_escape(x), expected, "{x:#018x}");
        }
    }

    #[test]
    fn the_chunk_test_finds_exactly_the_escaped_bytes() {
        for b in 0u8..=255 {
            for at in 0..8 {
                let mut word = [b'a'; 8];
                word[at] = b;
                let expected = b < 0x20 || b == b'"' || b == b'\\';
                assert_eq!(
                    has_escape(u64::from_le_bytes(word)),
                    expected,
                    "byte {b:#x} at {at}"
                );
            }
        }
    }
}
