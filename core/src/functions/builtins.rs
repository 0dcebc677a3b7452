//! The general-purpose functions of the rule sandbox: a small, documented allowlist registered as
//! native functions (`super::registry`) instead of rhai's standard packages (which cost ≈ 75 KB gzipped in the browser
//! engine and offer far more than rules need). Semantics follow rhai's packages for every function
//! kept, so a rule reads the same here as in the rhai book, with one exception: `make_upper` and
//! `make_lower` change ASCII letters only.
//!
//! Operators need no registration: `Engine::new_raw()` evaluates `+ - * / % **`, comparisons and
//! `==` between integers, floats (mixed too), strings, chars, bools and `()`, `!`, `&&`, `||`,
//! `??`, indexing of arrays, maps and strings. Added here:
//! - `for x in array` (an iterator over arrays; ranges and strings stay not iterable);
//! - string `+` with any value on either side (`"row " + i`), and so `s += value`;
//! - `in` (rhai calls `contains(container, item)`): item of an array, key of a map, sub-string of
//!   a string;
//! - `==` / `!=` between two arrays or two maps.
//!
//! [`NAMES`] lists every function name, for docs and tests; the sandbox refuses at load time a
//! rule that calls anything not registered (see `compile::sandbox`).

use rhai::{Array, Dynamic, ImmutableString, Map, FLOAT, INT};

/// Every general-purpose function name registered (`super::registry`; methods and free functions).
pub const NAMES: &[&str] = &[
    // strings
    "len",
    "trim",
    "replace",
    "sub_string",
    "make_upper",
    "make_lower",
    "contains",
    "starts_with",
    "ends_with",
    "index_of",
    // arrays (also `len`, `contains`, `index_of`)
    "push",
    "get",
    // maps (also `len`, `contains`)
    "keys",
    "values",
    // numbers
    "abs",
    "floor",
    "ceiling",
    "round",
    "min",
    "max",
    "parse_int",
    "parse_float",
];

/// The position `index` names in a list of `len` items: a negative index counts from the end, as
/// in rhai; `None` when out of range.
pub(crate) fn list_position(len: usize, index: INT) -> Option<usize> {
    if index < 0 {
        usize::try_from(index.unsigned_abs())
            .ok()
            .and_then(|back| len.checked_sub(back))
    } else {
        usize::try_from(index).ok().filter(|&i| i < len)
    }
}

pub(crate) fn count(n: usize) -> INT {
    INT::try_from(n).unwrap_or(INT::MAX)
}

// The string methods that change their receiver, shared with the engine's direct forms
// (`crate::eval::direct`), which must give exactly what rules get from rhai.

pub(crate) fn trim_in_place(s: &mut ImmutableString) {
    let trimmed = s.trim();
    if trimmed.len() != s.len() {
        *s = trimmed.into();
    }
}

pub(crate) fn replace_in_place(s: &mut ImmutableString, find: &str, with: &str) {
    if !s.is_empty() && s.contains(find) {
        *s = s.replace(find, with).into();
    }
}

// `make_upper` and `make_lower` change the ASCII letters only (rhai's change every cased
// character): rules use them to normalise codes (industry codes, credit codes), which are ASCII,
// and Unicode's case tables would be 16 KB of the 370 KB gzipped browser engine. A fullwidth
// letter (`ｃ`) stays as it is, as it would stay fullwidth under Unicode's rules too.

pub(crate) fn make_upper_in_place(s: &mut ImmutableString) {
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        *s = s.to_ascii_uppercase().into();
    }
}

pub(crate) fn make_lower_in_place(s: &mut ImmutableString) {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        *s = s.to_ascii_lowercase().into();
    }
}

/// rhai's `sub_string`, by characters: a negative `start` counts from the end (clamped to the
/// first character), a `start` past the end or a `len` ≤ 0 gives `""`, `len` is clamped.
pub(crate) fn sub_string(s: &str, start: INT, len: INT) -> ImmutableString {
    if s.is_empty() || len <= 0 {
        return ImmutableString::new();
    }
    let chars = s.chars().count();
    let offset = if start < 0 {
        let back = usize::try_from(start.unsigned_abs()).unwrap_or(usize::MAX);
        chars.saturating_sub(back)
    } else {
        match usize::try_from(start) {
            Ok(start) if start < chars => start,
            _ => return ImmutableString::new(),
        }
    };
    let take = usize::try_from(len).unwrap_or(usize::MAX);
    s.chars().skip(offset).take(take).collect::<String>().into()
}

/// Equality as rhai's `==` gives it: numbers by value (an integer equals the same float), strings,
/// chars (a one-character string equals its char), bools and `()` by value, arrays and maps
/// element by element; values of different kinds are never equal. An array's `contains` (and
/// `in`) uses it for every item but a string, in rhai and in the direct forms alike.
pub(crate) fn values_equal(a: &Dynamic, b: &Dynamic) -> bool {
    if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (as_number(a), as_number(b)) {
        return x == y;
    }
    if let (Ok(x), Ok(y)) = (a.as_bool(), b.as_bool()) {
        return x == y;
    }
    if a.is_unit() || b.is_unit() {
        return a.is_unit() && b.is_unit();
    }
    if let (Ok(x), Ok(y)) = (a.as_char(), b.as_char()) {
        return x == y;
    }
    if let (Ok(x), Ok(y)) = (a.as_immutable_string_ref(), b.as_immutable_string_ref()) {
        return *x == *y;
    }
    if let Some(eq) = char_equals_string(a, b).or_else(|| char_equals_string(b, a)) {
        return eq;
    }
    if let (Ok(x), Ok(y)) = (a.as_array_ref(), b.as_array_ref()) {
        return arrays_equal(&x, &y);
    }
    if let (Ok(x), Ok(y)) = (a.as_map_ref(), b.as_map_ref()) {
        return maps_equal(&x, &y);
    }
    false
}

fn char_equals_string(c: &Dynamic, s: &Dynamic) -> Option<bool> {
    let c = c.as_char().ok()?;
    let s = s.as_immutable_string_ref().ok()?;
    let mut chars = s.chars();
    Some(chars.next() == Some(c) && chars.next().is_none())
}

fn as_number(v: &Dynamic) -> Option<FLOAT> {
    match (v.as_int(), v.as_float()) {
        (Ok(i), _) => Some(i as FLOAT),
        (_, Ok(f)) => Some(f),
        _ => None,
    }
}

pub(crate) fn arrays_equal(a: &Array, b: &Array) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_equal(x, y))
}

pub(crate) fn maps_equal(a: &Map, b: &Map) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|(k, x)| b.get(k).is_some_and(|y| values_equal(x, y)))
}

/// `parse_int(s)`: the text trimmed, then Rust's parse (also the direct forms' `parse_int`).
pub(crate) fn parse_int(s: &str) -> Result<INT, std::num::ParseIntError> {
    s.trim().parse()
}

/// `parse_float(s)`: the text trimmed, then Rust's parse (also the direct forms' `parse_float`).
pub(crate) fn parse_float(s: &str) -> Result<FLOAT, std::num::ParseFloatError> {
    s.trim().parse()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use rhai::{Dynamic, Engine};

    use crate::compile::sandbox;
    use crate::{CompiledPack, PackFiles};

    /// The engine rules run in: the allowlist, the domain functions and the call check.
    fn engine() -> Engine {
        sandbox::engine(&sandbox::Limits::default())
    }

    fn eval(expr: &str) -> Dynamic {
        engine()
            .eval::<Dynamic>(expr)
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn check(cases: &[(&str, &str)]) {
        for (expr, want) in cases {
            let got = eval(expr);
            assert_eq!(format!("{got:?}"), *want, "{expr}");
        }
    }

    #[test]
    fn strings() {
        check(&[
            (r#""职业病 ab".len()"#, "6"),
            (r#"let s = "  x y  "; s.trim(); s"#, r#""x y""#),
            (r#"let s = "a-b-c"; s.replace("-", ""); s"#, r#""abc""#),
            (r#""合规引擎".sub_string(1, 2)"#, r#""规引""#),
            (r#""abc".sub_string(1)"#, r#""bc""#),
            (r#""abc".sub_string(-2, 5)"#, r#""bc""#),
            (r#""abc".sub_string(-9, 2)"#, r#""ab""#),
            (r#""abc".sub_string(3, 1)"#, r#""""#),
            (r#""abc".sub_string(0, 0)"#, r#""""#),
            (r#""2026-03-01".sub_string(0, 4)"#, r#""2026""#),
            (r#"let s = "c12a"; s.make_upper(); s"#, r#""C12A""#),
            (r#"let s = "AbC"; s.make_lower(); s"#, r#""abc""#),
            // ASCII letters only: other characters keep their case.
            (r#"let s = "ßaéｃ"; s.make_upper(); s"#, r#""ßAéｃ""#),
            (r#"let s = "ÉAＣ职"; s.make_lower(); s"#, r#""ÉaＣ职""#),
            (r#""0123456789".contains("7")"#, "true"),
            (r#""abc".contains("d")"#, "false"),
            (r#""abc".starts_with("ab")"#, "true"),
            (r#""abc".ends_with("ab")"#, "false"),
            (r#""职业病危害".index_of("危害")"#, "3"),
            (r#""abc".index_of("x")"#, "-1"),
            (r#""row " + 1 + "." "#, r#""row 1.""#),
            (r#"1 + "a""#, r#""1a""#),
            (r#""x" + 2.5"#, r#""x2.5""#),
            (r#""x" + ()"#, r#""x""#),
            (r#"let s = "n"; s += 3; s"#, r#""n3""#),
            (r#""b" in "abc""#, "true"),
        ]);
    }

    #[test]
    fn arrays() {
        check(&[
            ("[1, 2, 3].len()", "3"),
            ("let a = [1]; a.push(\"x\"); a", r#"[1, "x"]"#),
            ("[1, 2].contains(2)", "true"),
            ("2 in [1, 2]", "true"),
            ("2.0 in [1, 2]", "true"),
            (r#""b" in ["a", "b"]"#, "true"),
            (r#""2" in [1, 2]"#, "false"),
            ("() in [1, ()]", "true"),
            ("[1] in [[1], [2]]", "true"),
            ("[1, 2, 3].index_of(3)", "2"),
            ("[1, 2, 3].index_of(4)", "-1"),
            ("[1, 2, 3].get(0)", "1"),
            ("[1, 2, 3].get(-1)", "3"),
            ("[1, 2, 3].get(3)", "()"),
            ("[1, 2, 3].get(-4)", "()"),
            ("[1, 2, 3][1]", "2"),
            ("[1, [2]] == [1, [2]]", "true"),
            ("[1, 2] != [1, 2.0]", "false"),
            ("let n = 0; for x in [1, 2, 3] { n += x; } n", "6"),
        ]);
    }

    #[test]
    fn maps() {
        check(&[
            ("#{a: 1, b: 2}.len()", "2"),
            (r#"#{a: 1}.contains("a")"#, "true"),
            (r#""b" in #{a: 1}"#, "false"),
            ("#{a: 1, b: 2}.keys()", r#"["a", "b"]"#),
            ("#{a: 1, b: 2}.values()", "[1, 2]"),
            ("#{a: [1]} == #{a: [1]}", "true"),
            ("#{a: 1} != #{a: 2}", "true"),
            ("let m = #{}; m.x ?? 3", "3"),
        ]);
    }

    #[test]
    fn numbers() {
        check(&[
            ("abs(-3)", "3"),
            ("abs(-2.5)", "2.5"),
            ("floor(2.7)", "2.0"),
            ("ceiling(2.1)", "3.0"),
            ("round(2.5)", "3.0"),
            ("min(2, 3)", "2"),
            ("max(2, 3.5)", "3.5"),
            ("max(4.5, 3)", "4.5"),
            ("min(1.5, 2.5)", "1.5"),
            (r#"parse_int(" 42 ")"#, "42"),
            (r#"parse_float("2.5")"#, "2.5"),
            ("let score = 90.5; score >= 90", "true"),
            ("89 < 89.5 && 1 + 0.5 == 1.5", "true"),
            ("1 == 1.0", "true"),
        ]);
    }

    #[test]
    fn failures_are_runtime_errors_not_panics() {
        for expr in [
            r#"parse_int("x")"#,
            r#"parse_float("")"#,
            "abs(-9223372036854775807 - 1)",
            "[1][5]",
        ] {
            assert!(engine().eval::<Dynamic>(expr).is_err(), "{expr}");
        }
        let err = engine().eval::<Dynamic>(r#"parse_int("12a")"#).unwrap_err();
        assert!(err.to_string().contains("'12a'"), "{err}");
    }

    #[test]
    fn every_listed_name_is_registered_and_nothing_else_general() {
        let e = engine();
        for name in super::NAMES {
            // Wrong argument types: "function not found" at run time means the name compiled.
            let err = e.eval::<Dynamic>(&format!("{name}(#{{}}, #{{}}, #{{}}, #{{}})"));
            let msg = err.map(|_| String::new()).unwrap_err().to_string();
            assert!(msg.contains("Function not found"), "{name}: {msg}");
        }
        // Refused when compiled. A method call names the function; a free call of a name that
        // is neither a function nor a variable is an undefined variable (strict variables).
        for (call, says) in [
            (
                r#""a,b".split(",")"#,
                "function 'split' is not available to rules",
            ),
            (
                "let a = []; a.pad(5, 0)",
                "function 'pad' is not available to rules",
            ),
            (
                "let to_json = 1; to_json(1)",
                "function 'to_json' is not available to rules",
            ),
            (r#"split("a,b", ",")"#, "Undefined variable: split"),
        ] {
            let err = e.compile(call).map(|_| ()).expect_err(call);
            assert!(err.to_string().contains(says), "{call}: {err}");
        }
    }

    #[test]
    fn a_variable_followed_by_parentheses_elsewhere_is_not_a_call() {
        check(&[
            ("let split = 2; (split) * (3)", "6"),
            ("#{split: (1)}.split", "1"),
        ]);
        let e = engine();
        // A parse that failed half-way leaves no stale state behind.
        assert!(e.eval::<Dynamic>("let x = 1; x +").is_err());
        assert_eq!(e.eval::<i64>("(1) + 1").unwrap(), 2);
    }

    const PACK: &str = r#"
id = "test.builtins"
version = "1.0.0"
jurisdiction = "test"
title = { zh = "测试", en = "Test" }
[[sources]]
id = "S"
title = "Source"
issuer = "Issuer"
"#;

    const FIELDS: &str = r#"
[[field]]
path = "org.name"
type = "string"
label = { zh = "名称", en = "Name" }
"#;

    fn load(assert: &str) -> Result<CompiledPack, crate::LoadError> {
        let rules = format!(
            r#"
[[rule]]
id = "name_ok"
kind = "check"
message = {{ zh = "名称", en = "name" }}
basis = {{ source = "S", article = "1" }}
assert = '{assert}'
"#
        );
        let mut files = PackFiles::new();
        files.insert("pack.toml", PACK);
        files.insert("fields.toml", FIELDS);
        files.insert("rules.toml", &rules);
        CompiledPack::compile(crate::resolve::resolve(&files, None)?)
    }

    #[test]
    fn a_rule_calling_a_function_outside_the_allowlist_is_refused_at_load() {
        load(r#"org.name.len() > 0 && "a" in [org.name]"#).unwrap();
        for (assert, says) in [
            (
                r#"org.name.split(",").len() > 1"#,
                "function `split` is not available to rules",
            ),
            (
                r#"to_json(org.name) != """#,
                "function `to_json` is not available",
            ),
        ] {
            let err = load(assert).expect_err(assert);
            let msg = err.to_string();
            assert_eq!(err.code(), "pack.rule", "{msg}");
            assert!(msg.contains("`name_ok`") && msg.contains(says), "{msg}");
        }
    }
}
