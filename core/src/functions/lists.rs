//! List helpers over rhai arrays and object maps.
//!
//! Rules describe ordinal scales (hazard grades, protection levels) as ordered arrays and records
//! (exams, workers) as maps. These helpers keep such rules short without giving them loops, and
//! they fail loudly on ill-typed data instead of skipping it, so a malformed fact cannot quietly
//! turn a violation into a pass.

use rhai::{Array, Dynamic, ImmutableString, Map};

use super::FnResult;

/// Equality used by the list helpers (`any_where`, `count_where`, the order functions): same-typed
/// bool, integer, float or string values compare by value, and an integer equals a float of
/// exactly the same numeric value. Anything else (unit, arrays, maps, chars, mixed types) is never
/// equal, which keeps rule semantics predictable. Not rhai's `==`: an array's `contains` and `in`
/// use that one (`builtins::values_equal`).
fn scalars_equal(a: &Dynamic, b: &Dynamic) -> bool {
    if let (Ok(x), Ok(y)) = (a.as_bool(), b.as_bool()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (Number::of(a), Number::of(b)) {
        return x.equals(y);
    }
    match (a.as_immutable_string_ref(), b.as_immutable_string_ref()) {
        (Ok(x), Ok(y)) => *x == *y,
        _ => false,
    }
}

/// A numeric rhai value, keeping integers exact.
#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    /// The number held by `v`, or `None` when it is not an integer or float.
    fn of(v: &Dynamic) -> Option<Self> {
        match (v.as_int(), v.as_float()) {
            (Ok(i), _) => Some(Self::Int(i)),
            (_, Ok(f)) => Some(Self::Float(f)),
            _ => None,
        }
    }

    /// Numeric equality across integer and float, exact for large integers.
    fn equals(self, other: Self) -> bool {
        match (self, other) {
            (Self::Int(x), Self::Int(y)) => x == y,
            (Self::Float(x), Self::Float(y)) => x == y,
            (Self::Int(i), Self::Float(f)) | (Self::Float(f), Self::Int(i)) => {
                int_equals_float(i, f)
            }
        }
    }

    /// Value as f64; only used once the caller has opted into float arithmetic.
    fn to_f64(self) -> f64 {
        match self {
            Self::Int(i) => i as f64,
            Self::Float(f) => f,
        }
    }
}

/// Exact integer/float equality: converting the integer to f64 would round large values and
/// could make distinct numbers compare equal, so the float is converted instead when it is integral.
fn int_equals_float(i: i64, f: f64) -> bool {
    // 2^63 is exactly representable; every integral f64 in [-2^63, 2^63) fits in i64 exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) && f as i64 == i
}

/// Position of `value` in `order`, or a runtime error naming the value.
fn rank(value: &Dynamic, order: &Array) -> FnResult<usize> {
    order
        .iter()
        .position(|o| scalars_equal(o, value))
        .ok_or_else(|| format!("value {value:?} is not in the order list {order:?}").into())
}

/// Element of `list` whose rank in `order` satisfies `better(candidate, best)`; `()` if empty.
fn extreme_by_order(
    list: &Array,
    order: &Array,
    better: fn(usize, usize) -> bool,
) -> FnResult<Dynamic> {
    let mut best: Option<(usize, &Dynamic)> = None;
    for item in list {
        let r = rank(item, order)?;
        let replace = match &best {
            Some((b, _)) => better(r, *b),
            None => true,
        };
        if replace {
            best = Some((r, item));
        }
    }
    Ok(best.map_or(Dynamic::UNIT, |(_, item)| item.clone()))
}

/// rhai `max_by_order(list, order)`: the element of `list` that comes last in `order`.
///
/// Every element is ranked, even after a maximum is known, so an unknown grade is always reported.
pub fn max_by_order(list: &Array, order: &Array) -> FnResult<Dynamic> {
    extreme_by_order(list, order, |candidate, best| candidate > best)
}

/// rhai `min_by_order(list, order)`: the element of `list` that comes first in `order`.
pub fn min_by_order(list: &Array, order: &Array) -> FnResult<Dynamic> {
    extreme_by_order(list, order, |candidate, best| candidate < best)
}

/// Borrows `item` as a map, or reports which item was not one.
fn as_map<'a>(
    item: &'a Dynamic,
    function: &str,
) -> FnResult<impl std::ops::Deref<Target = Map> + 'a> {
    item.as_map_ref().map_err(|_| {
        format!(
            "{function}: expected every item to be a map, found {} {item:?}",
            item.type_name()
        )
        .into()
    })
}

/// Number of items whose `key` equals `value`; every item is type-checked, even after a decision
/// could be made, so a malformed list fails the same way whichever helper is used.
fn count_matches(list: &Array, key: &str, value: &Dynamic, function: &str) -> FnResult<usize> {
    let mut count = 0;
    for item in list {
        let map = as_map(item, function)?;
        if map.get(key).is_some_and(|v| scalars_equal(v, value)) {
            count += 1;
        }
    }
    Ok(count)
}

/// rhai `any_where(list, key, value)`: some item has `item[key] == value`.
pub fn any_where(list: &Array, key: &str, value: &Dynamic) -> FnResult<bool> {
    Ok(count_matches(list, key, value, "any_where")? > 0)
}

/// rhai `all_where(list, key, value)`: every item has `item[key] == value` (true for an empty list).
pub fn all_where(list: &Array, key: &str, value: &Dynamic) -> FnResult<bool> {
    Ok(count_matches(list, key, value, "all_where")? == list.len())
}

/// rhai `count_where(list, key, value)`: number of items with `item[key] == value`.
pub fn count_where(list: &Array, key: &str, value: &Dynamic) -> FnResult<i64> {
    let count = count_matches(list, key, value, "count_where")?;
    i64::try_from(count).map_err(|_| format!("count_where: count {count} overflows").into())
}

/// rhai `pluck(list, key)`: `item[key]` for every item, `()` where the key is missing.
pub fn pluck(list: &Array, key: &str) -> FnResult<Array> {
    list.iter()
        .map(|item| {
            let map = as_map(item, "pluck")?;
            Ok(map.get(key).cloned().unwrap_or(Dynamic::UNIT))
        })
        .collect()
}

/// rhai `sum(list)`: integer sum when every item is an integer (overflow is an error), float sum
/// when every item is numeric and at least one is a float, `0` for an empty list.
pub fn sum(list: &Array) -> FnResult<Dynamic> {
    let numbers = list
        .iter()
        .map(|v| {
            Number::of(v).ok_or_else(|| {
                format!("sum: expected numbers, found {} {v:?}", v.type_name()).into()
            })
        })
        .collect::<FnResult<Vec<Number>>>()?;
    let ints = numbers
        .iter()
        .map(|n| match n {
            Number::Int(i) => Some(*i),
            Number::Float(_) => None,
        })
        .collect::<Option<Vec<i64>>>();
    match ints {
        Some(ints) => sum_ints(&ints).map(Dynamic::from_int),
        None => Ok(Dynamic::from_float(
            numbers.iter().map(|n| n.to_f64()).sum(),
        )),
    }
}

/// Checked integer sum: a silently wrapped total would be a wrong compliance figure.
fn sum_ints(ints: &[i64]) -> FnResult<i64> {
    ints.iter().try_fold(0i64, |acc, &n| {
        acc.checked_add(n)
            .ok_or_else(|| format!("sum: integer overflow adding {n} to {acc}").into())
    })
}

/// `text in list` for a string: compares strings natively. rhai's generic `contains` dispatches
/// `==` as a script call per element, which dominates rules that look names up in reference lists.
/// Same answer: a string equals only an equal string.
pub fn array_contains_str(list: &Array, text: &str) -> bool {
    list.iter().any(|item| {
        item.read_lock::<ImmutableString>()
            .is_some_and(|s| s.as_str() == text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(items: &[&str]) -> Array {
        items
            .iter()
            .map(|s| Dynamic::from(ImmutableString::from(*s)))
            .collect()
    }

    #[test]
    fn contains_str_matches_only_equal_strings() {
        let mut list = strs(&["苯", "氨"]);
        list.push(Dynamic::from_int(7));
        assert!(array_contains_str(&list, "氨"));
        assert!(!array_contains_str(&list, "7"));
        assert!(!array_contains_str(&list, "苯 "));
    }

    #[test]
    fn in_operator_uses_it_and_keeps_its_meaning() {
        let mut engine = rhai::Engine::new_raw();
        rhai::packages::Package::register_into_engine(
            &rhai::packages::BasicArrayPackage::new(),
            &mut engine,
        );
        crate::functions::register(&mut engine);
        let yes: bool = engine.eval(r#""b" in ["a", "b", 3]"#).unwrap();
        let no: bool = engine.eval(r#""3" in ["a", "b", 3]"#).unwrap();
        let int: bool = engine.eval(r#"3 in ["a", "b", 3]"#).unwrap();
        assert!(yes && !no && int);
    }

    fn grades() -> Array {
        strs(&["I", "II", "III", "IV"])
    }

    fn map(entries: &[(&str, Dynamic)]) -> Dynamic {
        let m: Map = entries
            .iter()
            .map(|(k, v)| ((*k).into(), v.clone()))
            .collect();
        Dynamic::from_map(m)
    }

    fn text(v: &Dynamic) -> String {
        v.clone().into_immutable_string().unwrap().to_string()
    }

    /// Exams: two with result "ok", one "abnormal", one without a result, ages mixed int/float.
    fn exams() -> Array {
        vec![
            map(&[("result", "ok".into()), ("age", Dynamic::from_int(40))]),
            map(&[
                ("result", "abnormal".into()),
                ("age", Dynamic::from_float(40.0)),
            ]),
            map(&[("result", "ok".into()), ("age", Dynamic::from_int(41))]),
            map(&[("age", Dynamic::from_float(40.5))]),
        ]
    }

    fn key(k: &str) -> ImmutableString {
        k.into()
    }

    #[test]
    fn max_and_min_follow_the_order_not_the_text() {
        let list = strs(&["II", "IV", "I", "III"]);
        assert_eq!(text(&max_by_order(&list.clone(), &grades()).unwrap()), "IV");
        assert_eq!(text(&min_by_order(&list, &grades()).unwrap()), "I");
        // An order that is neither alphabetical nor insertion order: only `order` decides.
        let order = strs(&["low", "high", "medium"]);
        let list = strs(&["medium", "high"]);
        assert_eq!(
            text(&max_by_order(&list.clone(), &order.clone()).unwrap()),
            "medium"
        );
        assert_eq!(text(&min_by_order(&list, &order).unwrap()), "high");
    }

    #[test]
    fn single_item_and_duplicates() {
        assert_eq!(
            text(&max_by_order(&strs(&["II"]), &grades()).unwrap()),
            "II"
        );
        assert_eq!(
            text(&min_by_order(&strs(&["III", "III"]), &grades()).unwrap()),
            "III"
        );
    }

    #[test]
    fn empty_list_gives_unit() {
        assert!(max_by_order(&Array::new(), &grades()).unwrap().is_unit());
        assert!(min_by_order(&Array::new(), &Array::new())
            .unwrap()
            .is_unit());
    }

    #[test]
    fn order_works_for_integers() {
        let order: Array = [3, 1, 2].into_iter().map(Dynamic::from_int).collect();
        let list: Array = [1, 2].into_iter().map(Dynamic::from_int).collect();
        assert_eq!(
            max_by_order(&list.clone(), &order.clone())
                .unwrap()
                .as_int(),
            Ok(2)
        );
        assert_eq!(min_by_order(&list, &order).unwrap().as_int(), Ok(1));
    }

    #[test]
    fn unknown_element_is_an_error_naming_it() {
        // The unknown value comes after the maximum so that short-circuiting would hide it.
        let err = max_by_order(&strs(&["IV", "V"]), &grades())
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"V\""), "{err}");
        let err = min_by_order(&strs(&["i"]), &grades())
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"i\""), "{err}");
    }

    #[test]
    fn where_helpers_match_strings() {
        assert!(any_where(&exams(), &key("result"), &"abnormal".into()).unwrap());
        assert!(!any_where(&exams(), &key("result"), &"missing".into()).unwrap());
        assert!(!all_where(&exams(), &key("result"), &"ok".into()).unwrap());
        assert_eq!(
            count_where(&exams(), &key("result"), &"ok".into()).unwrap(),
            2
        );
    }

    #[test]
    fn where_helpers_treat_equal_int_and_float_as_equal() {
        assert_eq!(
            count_where(&exams(), &key("age"), &Dynamic::from_int(40)).unwrap(),
            2
        );
        assert_eq!(
            count_where(&exams(), &key("age"), &Dynamic::from_float(40.0)).unwrap(),
            2
        );
        assert_eq!(
            count_where(&exams(), &key("age"), &Dynamic::from_float(40.5)).unwrap(),
            1
        );
        assert_eq!(
            count_where(&exams(), &key("age"), &Dynamic::from_int(39)).unwrap(),
            0
        );
    }

    #[test]
    fn missing_key_never_matches() {
        // The fourth exam has no "result", not even against unit.
        assert_eq!(
            count_where(&exams(), &key("result"), &Dynamic::UNIT).unwrap(),
            0
        );
        assert_eq!(
            count_where(&exams(), &key("nope"), &"ok".into()).unwrap(),
            0
        );
    }

    #[test]
    fn all_where_on_empty_and_uniform_lists() {
        assert!(all_where(&Array::new(), &key("k"), &Dynamic::TRUE).unwrap());
        assert!(!any_where(&Array::new(), &key("k"), &Dynamic::TRUE).unwrap());
        let list = vec![map(&[("k", Dynamic::TRUE)]), map(&[("k", Dynamic::TRUE)])];
        assert!(all_where(&list.clone(), &key("k"), &Dynamic::TRUE).unwrap());
        assert!(!all_where(&list, &key("k"), &Dynamic::FALSE).unwrap());
    }

    #[test]
    fn mixed_types_are_not_equal() {
        assert!(!scalars_equal(&"1".into(), &Dynamic::from_int(1)));
        assert!(!scalars_equal(&Dynamic::TRUE, &Dynamic::from_int(1)));
        assert!(!scalars_equal(&Dynamic::UNIT, &Dynamic::UNIT));
        assert!(scalars_equal(
            &Dynamic::from_float(2.0),
            &Dynamic::from_int(2)
        ));
        assert!(!scalars_equal(
            &Dynamic::from_float(f64::NAN),
            &Dynamic::from_float(f64::NAN)
        ));
    }

    #[test]
    fn int_float_equality_is_exact_for_large_values() {
        // 2^53 + 1 has no f64 form; rounding the integer would wrongly call these equal.
        let big = (1i64 << 53) + 1;
        assert!(!int_equals_float(big, (1i64 << 53) as f64));
        assert!(int_equals_float(1i64 << 53, (1i64 << 53) as f64));
        assert!(int_equals_float(i64::MIN, -9_223_372_036_854_775_808.0));
        assert!(!int_equals_float(i64::MAX, 9_223_372_036_854_775_808.0));
        assert!(!int_equals_float(0, f64::INFINITY));
    }

    #[test]
    fn non_map_item_is_an_error() {
        // The bad item is last, after a match, so a short-circuit would have hidden it.
        let mut list = exams();
        list.push(Dynamic::from_int(7));
        for err in [
            any_where(&list.clone(), &key("result"), &"ok".into()).map(|_| ()),
            all_where(&list.clone(), &key("result"), &"ok".into()).map(|_| ()),
            count_where(&list.clone(), &key("result"), &"ok".into()).map(|_| ()),
            pluck(&list, &key("result")).map(|_| ()),
        ] {
            let msg = err.unwrap_err().to_string();
            assert!(msg.contains('7') && msg.contains("map"), "{msg}");
        }
    }

    #[test]
    fn pluck_fills_missing_with_unit() {
        let plucked = pluck(&exams(), &key("result")).unwrap();
        let texts: Vec<String> = plucked.iter().take(3).map(text).collect();
        assert_eq!(texts, ["ok", "abnormal", "ok"]);
        assert!(plucked[3].is_unit());
        assert!(pluck(&Array::new(), &key("k")).unwrap().is_empty());
    }

    #[test]
    fn sum_of_integers_stays_integer() {
        let list: Array = [1, -2, 40].into_iter().map(Dynamic::from_int).collect();
        assert_eq!(sum(&list).unwrap().as_int(), Ok(39));
        assert_eq!(sum(&Array::new()).unwrap().as_int(), Ok(0));
    }

    #[test]
    fn sum_with_a_float_is_float() {
        let list = vec![Dynamic::from_int(1), Dynamic::from_float(0.5)];
        assert_eq!(sum(&list).unwrap().as_float(), Ok(1.5));
        let list = vec![Dynamic::from_float(2.0)];
        let total = sum(&list).unwrap();
        assert!(total.is_float());
        assert_eq!(total.as_float(), Ok(2.0));
    }

    #[test]
    fn sum_errors() {
        let overflow = vec![Dynamic::from_int(i64::MAX), Dynamic::from_int(1)];
        assert!(sum(&overflow).unwrap_err().to_string().contains("overflow"));
        let underflow = vec![Dynamic::from_int(i64::MIN), Dynamic::from_int(-1)];
        assert!(sum(&underflow).is_err());
        let bad = vec![Dynamic::from_int(1), "x".into()];
        let msg = sum(&bad).unwrap_err().to_string();
        assert!(msg.contains("\"x\""), "{msg}");
        assert!(sum(&vec![Dynamic::TRUE]).is_err());
        assert!(sum(&vec![Dynamic::UNIT]).is_err());
    }
}
