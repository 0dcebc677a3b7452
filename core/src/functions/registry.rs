//! Installs every function of the sandbox (the allowlist of `builtins`, and the domain functions
//! of `dates`, `credit_code` and `lists`) into a rhai engine.
//!
//! Each overload is a row of [`OVERLOADS`]: its name, its parameter types, and the [`Overload`]
//! that [`call`] dispatches on. All of them go through one `register_raw_fn` closure. Registering
//! each with `register_fn` instead instantiates rhai's generic call wrappers once per signature:
//! 57 signatures were 8.6 KB of the gzipped browser engine, and one function 23 KB of its code.
//!
//! rhai resolves a call by the name and the exact types of its arguments, so [`call`] always
//! receives the types its row declares. It still checks them, and a mismatch is an error naming
//! the function, never a panic.

use std::any::TypeId;

use rhai::{
    Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, NativeCallContext, Position,
    FLOAT, INT,
};

use super::FnError;

use super::builtins::{
    arrays_equal, count, list_position, make_lower_in_place, make_upper_in_place, maps_equal,
    parse_float, parse_int, replace_in_place, sub_string, trim_in_place, values_equal,
};
use super::{credit_code, dates, lists, FnResult};
use crate::compile::sandbox::PendingSignal;

/// A parameter's type, as rhai sees the argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    Text,
    Int,
    Float,
    Array,
    Map,
    /// Any value (`Dynamic`): rhai tries this overload when no exact one matches.
    Any,
}

impl Param {
    fn type_id(self) -> TypeId {
        match self {
            Param::Text => TypeId::of::<ImmutableString>(),
            Param::Int => TypeId::of::<INT>(),
            Param::Float => TypeId::of::<FLOAT>(),
            Param::Array => TypeId::of::<Array>(),
            Param::Map => TypeId::of::<Map>(),
            Param::Any => TypeId::of::<Dynamic>(),
        }
    }
}

/// One registered overload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overload {
    TextLen,
    TextTrim,
    TextReplace,
    TextSubString,
    TextSubStringToEnd,
    TextMakeUpper,
    TextMakeLower,
    TextContains,
    TextStartsWith,
    TextEndsWith,
    TextIndexOf,
    TextPlusValue,
    ValuePlusText,
    ArrayLen,
    ArrayPush,
    ArrayContainsText,
    ArrayContains,
    ArrayIndexOf,
    ArrayGet,
    ArrayEquals,
    ArrayNotEquals,
    MapLen,
    MapContains,
    MapKeys,
    MapValues,
    MapEquals,
    MapNotEquals,
    AbsInt,
    AbsFloat,
    Floor,
    Ceiling,
    Round,
    MinInt,
    MaxInt,
    MinFloat,
    MaxFloat,
    MinIntFloat,
    MaxIntFloat,
    MinFloatInt,
    MaxFloatInt,
    ParseInt,
    ParseFloat,
    AddDays,
    AddMonths,
    AddYears,
    DaysBetween,
    WithinYearsBefore,
    UsccValid,
    MaxByOrder,
    MinByOrder,
    AnyWhere,
    AllWhere,
    CountWhere,
    Pluck,
    Sum,
    PendingPath,
    PendingPaths,
}

use Param::{Any, Array as List, Float, Int, Map as Record, Text};

/// Every overload: name, parameter types, what [`call`] runs. Methods (`x.f(y)`) are functions
/// whose first parameter is the receiver.
const OVERLOADS: &[(&str, &[Param], Overload)] = &[
    // strings
    ("len", &[Text], Overload::TextLen),
    ("trim", &[Text], Overload::TextTrim),
    ("replace", &[Text, Text, Text], Overload::TextReplace),
    ("sub_string", &[Text, Int, Int], Overload::TextSubString),
    ("sub_string", &[Text, Int], Overload::TextSubStringToEnd),
    ("make_upper", &[Text], Overload::TextMakeUpper),
    ("make_lower", &[Text], Overload::TextMakeLower),
    ("contains", &[Text, Text], Overload::TextContains),
    ("starts_with", &[Text, Text], Overload::TextStartsWith),
    ("ends_with", &[Text, Text], Overload::TextEndsWith),
    ("index_of", &[Text, Text], Overload::TextIndexOf),
    // `"text" + value` and `value + "text"`: the value as rhai displays it. String + string,
    // char and `()` are built-in operators and never reach these.
    ("+", &[Text, Any], Overload::TextPlusValue),
    ("+", &[Any, Text], Overload::ValuePlusText),
    // arrays
    ("len", &[List], Overload::ArrayLen),
    ("push", &[List, Any], Overload::ArrayPush),
    // `text in list`: strings compared natively (rhai prefers the exact overload to `Any`).
    ("contains", &[List, Text], Overload::ArrayContainsText),
    ("contains", &[List, Any], Overload::ArrayContains),
    ("index_of", &[List, Any], Overload::ArrayIndexOf),
    ("get", &[List, Int], Overload::ArrayGet),
    ("==", &[List, List], Overload::ArrayEquals),
    ("!=", &[List, List], Overload::ArrayNotEquals),
    // maps
    ("len", &[Record], Overload::MapLen),
    ("contains", &[Record, Text], Overload::MapContains),
    ("keys", &[Record], Overload::MapKeys),
    ("values", &[Record], Overload::MapValues),
    ("==", &[Record, Record], Overload::MapEquals),
    ("!=", &[Record, Record], Overload::MapNotEquals),
    // numbers
    ("abs", &[Int], Overload::AbsInt),
    ("abs", &[Float], Overload::AbsFloat),
    ("floor", &[Float], Overload::Floor),
    ("ceiling", &[Float], Overload::Ceiling),
    ("round", &[Float], Overload::Round),
    ("min", &[Int, Int], Overload::MinInt),
    ("max", &[Int, Int], Overload::MaxInt),
    ("min", &[Float, Float], Overload::MinFloat),
    ("max", &[Float, Float], Overload::MaxFloat),
    ("min", &[Int, Float], Overload::MinIntFloat),
    ("max", &[Int, Float], Overload::MaxIntFloat),
    ("min", &[Float, Int], Overload::MinFloatInt),
    ("max", &[Float, Int], Overload::MaxFloatInt),
    ("parse_int", &[Text], Overload::ParseInt),
    ("parse_float", &[Text], Overload::ParseFloat),
    // dates
    ("add_days", &[Text, Int], Overload::AddDays),
    ("add_months", &[Text, Int], Overload::AddMonths),
    ("add_years", &[Text, Int], Overload::AddYears),
    ("days_between", &[Text, Text], Overload::DaysBetween),
    (
        "within_years_before",
        &[Text, Text, Int],
        Overload::WithinYearsBefore,
    ),
    // credit code
    ("uscc_valid", &[Text], Overload::UsccValid),
    // lists
    ("max_by_order", &[List, List], Overload::MaxByOrder),
    ("min_by_order", &[List, List], Overload::MinByOrder),
    ("any_where", &[List, Text, Any], Overload::AnyWhere),
    ("all_where", &[List, Text, Any], Overload::AllWhere),
    ("count_where", &[List, Text, Any], Overload::CountWhere),
    ("pluck", &[List, Text], Overload::Pluck),
    ("sum", &[List], Overload::Sum),
    // `pending("a.b")` / `pending(["a.b", "c[0].d"])`: the rule needs more input
    // (`crate::compile::sandbox`); an array's items as rhai prints them.
    ("pending", &[Text], Overload::PendingPath),
    ("pending", &[List], Overload::PendingPaths),
];

/// The name of every function [`register`] installs (with repeats, one per overload).
pub fn names() -> impl Iterator<Item = &'static str> {
    OVERLOADS.iter().map(|&(name, _, _)| name)
}

/// The table's spelling of `name` when some overload of it takes `arity` arguments (the
/// receiver of a method counted).
pub(crate) fn known(name: &str, arity: usize) -> Option<&'static str> {
    OVERLOADS
        .iter()
        .find(|&&(n, params, _)| n == name && params.len() == arity)
        .map(|&(n, _, _)| n)
}

/// Whether a value has a parameter's type (`Any` takes every value).
fn takes(param: Param, value: &Dynamic) -> bool {
    match param {
        Param::Text => value.is_string(),
        Param::Int => value.is_int(),
        Param::Float => value.is_float(),
        Param::Array => value.is_array(),
        Param::Map => value.is_map(),
        Param::Any => true,
    }
}

/// Calls `name` on `args` as rhai resolves a call: the overload whose parameters are exactly the
/// arguments' types, else one that takes any value where they differ. `None`: no overload takes
/// these arguments.
pub(crate) fn call_named(
    name: &'static str,
    args: &mut [&mut Dynamic],
) -> Option<FnResult<Dynamic>> {
    let fits = |params: &[Param], exact: bool| {
        params.len() == args.len()
            && params
                .iter()
                .zip(args.iter())
                .all(|(&p, v)| takes(p, v) && !(exact && p == Param::Any))
    };
    let row = OVERLOADS
        .iter()
        .filter(|&&(n, _, _)| n == name)
        .find(|&&(_, params, _)| fits(params, true))
        .or_else(|| {
            OVERLOADS
                .iter()
                .filter(|&&(n, _, _)| n == name)
                .find(|&&(_, params, _)| fits(params, false))
        })?;
    Some(call(name, row.2, args))
}

/// Installs every overload, and `for x in array`, into `engine`.
pub fn register(engine: &mut Engine) {
    // `for x in array { … }` (rhai iterates nothing on its own).
    engine.register_iterator::<Array>();
    for &(name, params, overload) in OVERLOADS {
        let types: Vec<TypeId> = params.iter().map(|p| p.type_id()).collect();
        engine.register_raw_fn(name, types, move |_: NativeCallContext, args| {
            call(name, overload, args).map_err(rhai_error)
        });
    }
}

/// A function's error as rhai raises it: `pending` as its signal, anything else as a runtime
/// error with the message.
fn rhai_error(e: FnError) -> Box<EvalAltResult> {
    let value = match e {
        FnError::Pending(paths) => Dynamic::from(PendingSignal(paths)),
        FnError::Failed(message) => message.into(),
    };
    Box::new(EvalAltResult::ErrorRuntime(value, Position::NONE))
}

/// What an argument of an unexpected type gives (the resolution never passes one: see the
/// module's notes).
fn mismatch(function: &str, at: usize) -> FnError {
    FnError::Failed(format!(
        "internal: argument {at} of `{function}` has an unexpected type"
    ))
}

/// The arguments of one call, read as the types of their overload.
struct Args<'a, 'b> {
    function: &'static str,
    values: &'a mut [&'b mut Dynamic],
}

impl Args<'_, '_> {
    fn value(&self, at: usize) -> FnResult<&Dynamic> {
        self.values
            .get(at)
            .map(|v| &**v)
            .ok_or_else(|| mismatch(self.function, at))
    }

    fn text(&self, at: usize) -> FnResult<ImmutableString> {
        let value = self.value(at)?;
        value
            .as_immutable_string_ref()
            .map(|s| s.clone())
            .map_err(|_| mismatch(self.function, at))
    }

    fn int(&self, at: usize) -> FnResult<INT> {
        self.value(at)?
            .as_int()
            .map_err(|_| mismatch(self.function, at))
    }

    fn float(&self, at: usize) -> FnResult<FLOAT> {
        self.value(at)?
            .as_float()
            .map_err(|_| mismatch(self.function, at))
    }

    fn array(&self, at: usize) -> FnResult<impl std::ops::Deref<Target = Array> + '_> {
        self.value(at)?
            .as_array_ref()
            .map_err(|_| mismatch(self.function, at))
    }

    fn map(&self, at: usize) -> FnResult<impl std::ops::Deref<Target = Map> + '_> {
        self.value(at)?
            .as_map_ref()
            .map_err(|_| mismatch(self.function, at))
    }

    /// The receiver of a method that changes it in place.
    fn receiver<T: Clone + 'static>(
        &mut self,
    ) -> FnResult<impl std::ops::DerefMut<Target = T> + '_> {
        let function = self.function;
        self.values
            .first_mut()
            .and_then(|v| v.write_lock::<T>())
            .ok_or_else(|| mismatch(function, 0))
    }

    /// An argument taken by value, as `register_fn` takes it (rhai's arguments after the
    /// receiver are the call's own copies).
    fn take(&mut self, at: usize) -> FnResult<Dynamic> {
        let function = self.function;
        self.values
            .get_mut(at)
            .map(|v| std::mem::take(&mut **v))
            .ok_or_else(|| mismatch(function, at))
    }
}

/// `min` and `max` of two floats as rhai's packages give them (the first when they are equal).
fn min_float(x: FLOAT, y: FLOAT) -> FLOAT {
    if x <= y {
        x
    } else {
        y
    }
}

fn max_float(x: FLOAT, y: FLOAT) -> FLOAT {
    if x >= y {
        x
    } else {
        y
    }
}

/// Runs one overload on the arguments rhai resolved it for.
fn call(
    function: &'static str,
    overload: Overload,
    values: &mut [&mut Dynamic],
) -> FnResult<Dynamic> {
    let mut args = Args { function, values };
    let a = &mut args;
    Ok(match overload {
        Overload::TextLen => Dynamic::from_int(count(a.text(0)?.chars().count())),
        Overload::TextTrim => {
            trim_in_place(&mut *a.receiver::<ImmutableString>()?);
            Dynamic::UNIT
        }
        Overload::TextReplace => {
            let (find, with) = (a.text(1)?, a.text(2)?);
            replace_in_place(&mut *a.receiver::<ImmutableString>()?, &find, &with);
            Dynamic::UNIT
        }
        Overload::TextSubString => Dynamic::from(sub_string(&a.text(0)?, a.int(1)?, a.int(2)?)),
        Overload::TextSubStringToEnd => Dynamic::from(sub_string(&a.text(0)?, a.int(1)?, INT::MAX)),
        Overload::TextMakeUpper => {
            make_upper_in_place(&mut *a.receiver::<ImmutableString>()?);
            Dynamic::UNIT
        }
        Overload::TextMakeLower => {
            make_lower_in_place(&mut *a.receiver::<ImmutableString>()?);
            Dynamic::UNIT
        }
        Overload::TextContains => Dynamic::from_bool(a.text(0)?.contains(a.text(1)?.as_str())),
        Overload::TextStartsWith => Dynamic::from_bool(a.text(0)?.starts_with(a.text(1)?.as_str())),
        Overload::TextEndsWith => Dynamic::from_bool(a.text(0)?.ends_with(a.text(1)?.as_str())),
        Overload::TextIndexOf => {
            let (s, find) = (a.text(0)?, a.text(1)?);
            Dynamic::from_int(
                s.find(find.as_str())
                    .and_then(|at| s.get(..at))
                    .map_or(-1, |before| count(before.chars().count())),
            )
        }
        Overload::TextPlusValue => Dynamic::from(ImmutableString::from(format!(
            "{}{}",
            a.text(0)?,
            a.value(1)?
        ))),
        Overload::ValuePlusText => Dynamic::from(ImmutableString::from(format!(
            "{}{}",
            a.value(0)?,
            a.text(1)?
        ))),
        Overload::ArrayLen => Dynamic::from_int(count(a.array(0)?.len())),
        Overload::ArrayPush => {
            let item = a.take(1)?;
            a.receiver::<Array>()?.push(item);
            Dynamic::UNIT
        }
        Overload::ArrayContainsText => {
            Dynamic::from_bool(lists::array_contains_str(&*a.array(0)?, &a.text(1)?))
        }
        Overload::ArrayContains => {
            let item = a.value(1)?;
            Dynamic::from_bool(a.array(0)?.iter().any(|x| values_equal(x, item)))
        }
        Overload::ArrayIndexOf => {
            let item = a.value(1)?;
            Dynamic::from_int(
                a.array(0)?
                    .iter()
                    .position(|x| values_equal(x, item))
                    .map_or(-1, count),
            )
        }
        // `get(i)`: like `a[i]` (negative counts from the end) but `()` when out of range.
        Overload::ArrayGet => {
            let (list, index) = (a.array(0)?, a.int(1)?);
            list_position(list.len(), index)
                .and_then(|i| list.get(i))
                .cloned()
                .unwrap_or(Dynamic::UNIT)
        }
        Overload::ArrayEquals => Dynamic::from_bool(arrays_equal(&*a.array(0)?, &*a.array(1)?)),
        Overload::ArrayNotEquals => Dynamic::from_bool(!arrays_equal(&*a.array(0)?, &*a.array(1)?)),
        Overload::MapLen => Dynamic::from_int(count(a.map(0)?.len())),
        Overload::MapContains => Dynamic::from_bool(a.map(0)?.contains_key(a.text(1)?.as_str())),
        Overload::MapKeys => Dynamic::from_array(
            a.map(0)?
                .keys()
                .map(|k| Dynamic::from(ImmutableString::from(k.as_str())))
                .collect(),
        ),
        Overload::MapValues => Dynamic::from_array(a.map(0)?.values().cloned().collect()),
        Overload::MapEquals => Dynamic::from_bool(maps_equal(&*a.map(0)?, &*a.map(1)?)),
        Overload::MapNotEquals => Dynamic::from_bool(!maps_equal(&*a.map(0)?, &*a.map(1)?)),
        Overload::AbsInt => {
            let x = a.int(0)?;
            Dynamic::from_int(
                x.checked_abs()
                    .ok_or_else(|| FnError::Failed(format!("Negation overflow: -{x}")))?,
            )
        }
        Overload::AbsFloat => Dynamic::from_float(a.float(0)?.abs()),
        Overload::Floor => Dynamic::from_float(a.float(0)?.floor()),
        Overload::Ceiling => Dynamic::from_float(a.float(0)?.ceil()),
        Overload::Round => Dynamic::from_float(a.float(0)?.round()),
        Overload::MinInt => Dynamic::from_int(a.int(0)?.min(a.int(1)?)),
        Overload::MaxInt => Dynamic::from_int(a.int(0)?.max(a.int(1)?)),
        Overload::MinFloat => Dynamic::from_float(min_float(a.float(0)?, a.float(1)?)),
        Overload::MaxFloat => Dynamic::from_float(max_float(a.float(0)?, a.float(1)?)),
        Overload::MinIntFloat => Dynamic::from_float(min_float(a.int(0)? as FLOAT, a.float(1)?)),
        Overload::MaxIntFloat => Dynamic::from_float(max_float(a.int(0)? as FLOAT, a.float(1)?)),
        Overload::MinFloatInt => Dynamic::from_float(min_float(a.float(0)?, a.int(1)? as FLOAT)),
        Overload::MaxFloatInt => Dynamic::from_float(max_float(a.float(0)?, a.int(1)? as FLOAT)),
        Overload::ParseInt => {
            let s = a.text(0)?;
            Dynamic::from_int(
                parse_int(&s).map_err(|e| {
                    FnError::Failed(format!("Error parsing integer number '{s}': {e}"))
                })?,
            )
        }
        Overload::ParseFloat => {
            let s = a.text(0)?;
            Dynamic::from_float(parse_float(&s).map_err(|e| {
                FnError::Failed(format!("Error parsing floating-point number '{s}': {e}"))
            })?)
        }
        Overload::AddDays => Dynamic::from(dates::add_days(a.text(0)?, a.int(1)?)?),
        Overload::AddMonths => Dynamic::from(dates::add_months(a.text(0)?, a.int(1)?)?),
        Overload::AddYears => Dynamic::from(dates::add_years(a.text(0)?, a.int(1)?)?),
        Overload::DaysBetween => Dynamic::from_int(dates::days_between(a.text(0)?, a.text(1)?)?),
        Overload::WithinYearsBefore => Dynamic::from_bool(dates::within_years_before(
            a.text(0)?,
            a.text(1)?,
            a.int(2)?,
        )?),
        Overload::UsccValid => Dynamic::from_bool(credit_code::uscc_valid(&a.text(0)?)),
        Overload::MaxByOrder => lists::max_by_order(&*a.array(0)?, &*a.array(1)?)?,
        Overload::MinByOrder => lists::min_by_order(&*a.array(0)?, &*a.array(1)?)?,
        Overload::AnyWhere => {
            Dynamic::from_bool(lists::any_where(&*a.array(0)?, &a.text(1)?, a.value(2)?)?)
        }
        Overload::AllWhere => {
            Dynamic::from_bool(lists::all_where(&*a.array(0)?, &a.text(1)?, a.value(2)?)?)
        }
        Overload::CountWhere => {
            Dynamic::from_int(lists::count_where(&*a.array(0)?, &a.text(1)?, a.value(2)?)?)
        }
        Overload::Pluck => Dynamic::from_array(lists::pluck(&*a.array(0)?, &a.text(1)?)?),
        Overload::Sum => lists::sum(&*a.array(0)?)?,
        Overload::PendingPath => return Err(FnError::Pending(vec![a.text(0)?.to_string()])),
        Overload::PendingPaths => {
            return Err(FnError::Pending(
                a.array(0)?.iter().map(ToString::to_string).collect(),
            ))
        }
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    /// A value of each parameter type that every overload accepts without a domain error.
    fn sample(param: Param) -> Dynamic {
        match param {
            Param::Text => Dynamic::from(ImmutableString::from("2026-01-31")),
            Param::Int => Dynamic::from_int(1),
            Param::Float => Dynamic::from_float(1.5),
            Param::Array => Dynamic::from_array(Vec::new()),
            Param::Map => Dynamic::from_map(Map::new()),
            Param::Any => Dynamic::from_int(2),
        }
    }

    #[test]
    fn no_overload_is_declared_twice() {
        for (i, (name, params, _)) in OVERLOADS.iter().enumerate() {
            let twice = OVERLOADS
                .iter()
                .skip(i + 1)
                .any(|(n, p, _)| n == name && p == params);
            assert!(!twice, "{name}{params:?} is declared twice");
        }
    }

    #[test]
    fn every_overload_reads_the_arguments_its_row_declares() {
        for &(name, params, overload) in OVERLOADS {
            let mut values: Vec<Dynamic> = params.iter().map(|&p| sample(p)).collect();
            let mut refs: Vec<&mut Dynamic> = values.iter_mut().collect();
            let result = call(name, overload, &mut refs);
            if let Err(e) = result {
                // Parsing a date as a number, say, is the function's own error, not a mismatch.
                assert!(!e.to_string().contains("internal"), "{name}{params:?}: {e}");
            }
        }
    }

    #[test]
    fn a_wrong_argument_is_an_error_not_a_panic() {
        for &(name, params, overload) in OVERLOADS {
            if params.iter().all(|&p| p == Param::Any) {
                continue;
            }
            let mut values: Vec<Dynamic> = params.iter().map(|_| Dynamic::TRUE).collect();
            let mut refs: Vec<&mut Dynamic> = values.iter_mut().collect();
            let err = call(name, overload, &mut refs).expect_err(name);
            assert!(err.to_string().contains("internal"), "{name}: {err}");
            let err = call(name, overload, &mut []).expect_err(name);
            assert!(err.to_string().contains("internal"), "{name}: {err}");
        }
    }

    #[test]
    fn the_names_are_those_of_the_engines_functions() {
        let mut engine = Engine::new_raw();
        register(&mut engine);
        let mut registered =
            engine.collect_fn_metadata(None, |f| Some(f.metadata.name.to_string()), false);
        registered.sort();
        registered.dedup();
        let mut listed: Vec<String> = names().map(str::to_owned).collect();
        listed.sort();
        listed.dedup();
        assert_eq!(registered, listed);
    }

    #[test]
    fn every_name_of_the_allowlist_has_an_overload() {
        for name in super::super::builtins::NAMES {
            assert!(
                OVERLOADS.iter().any(|(n, _, _)| n == name),
                "{name} is listed but has no overload"
            );
        }
    }
}
