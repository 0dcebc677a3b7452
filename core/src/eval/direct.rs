//! Evaluates the direct form of an expression (`crate::compile::direct`): the one evaluator of
//! rule expressions, natively and in the browser alike.
//!
//! Every value it answers is the value rhai gives for the same text and values (the tests and
//! fuzz targets compare the two: `core/tests/direct_forms*.rs`). Where an operation has no
//! answer (a type mismatch, a failing function, an index out of range, an arithmetic overflow, a
//! `throw`) the run stops with a [`Stop`] naming what went wrong, in the engine's own words; the
//! sandbox's limits (operations, string and list sizes, variables) stop it the same way.

use rhai::{Array, Dynamic, ImmutableString, Map, Scope, INT};

use crate::compile::direct::{
    Comparison, Direct, DirectExpr, ForLoop, Function, Mutation, Operator, Step,
};
use crate::compile::PARAMS_ROOT;
use crate::functions::{builtins, credit_code, dates, lists, FnError};

/// Why a run ended without a value.
#[derive(Debug, Clone)]
pub(crate) enum Stop {
    /// The expression has no answer for these values: the message says why.
    Error(String),
    /// The run went past one of the sandbox's limits.
    Budget(String),
    /// The expression reached `pending(paths)`.
    Pending(Vec<String>),
    /// `return value`: not an error, the expression's value (taken by [`evaluate`]).
    Return(Dynamic),
}

type Answer = Result<Dynamic, Stop>;

/// An internal inconsistency (a slot or value the compiler promised is missing): reported as the
/// rule's error, never a panic.
fn internal(what: &str) -> Stop {
    Stop::Error(format!("internal: {what}"))
}

/// A value's type as messages name it.
fn type_name(v: &Dynamic) -> &'static str {
    match kind(v) {
        Kind::Unit => "()",
        Kind::Bool => "bool",
        Kind::Int => "integer",
        Kind::Float => "number",
        Kind::Str => "string",
        Kind::Container if v.is_array() => "list",
        Kind::Container => "map",
        Kind::Other => v.type_name(),
    }
}

/// What the expression can read: the evaluation scope, and for a `for_each` rule its current
/// item (by its alias) and index.
pub(crate) struct Env<'a> {
    /// Empty until the evaluation needs it (a form with `needs_scope` fills it first).
    pub scope: &'a Scope<'static>,
    /// The pack's parameters (`params.*`), read in place.
    pub params: &'a Map,
    /// The values the rules run so far produced, by rule index (`Direct::Produced`); `None` for
    /// a rule not run yet, pending or in error.
    pub produced: &'a [Option<Dynamic>],
    /// The scalar document fields by slot (`Direct::Field`).
    pub fields: &'a [Dynamic],
    pub item: Option<(&'a str, &'a Map)>,
    pub index: Option<(&'a str, INT)>,
    /// Values of the expression's own `let`s.
    pub locals: Vec<Dynamic>,
    /// Longest string the sandbox lets a rule build, in bytes (0: no limit).
    pub max_string: usize,
    /// Most `let` variables one expression may have (0: no limit).
    pub max_variables: usize,
    /// Longest list the sandbox lets a rule build, in items (0: no limit).
    pub max_array: usize,
    /// Operations the rule may take (0: no limit): one per node evaluated and one per item a
    /// loop goes over. And the operations counted so far.
    pub max_operations: u64,
    pub visited: u64,
}

pub(crate) fn evaluate(expr: &DirectExpr, env: &mut Env<'_>) -> Answer {
    // The expression's own variables: every `let` of the text, branches included.
    if env.max_variables > 0 && expr.slots > env.max_variables {
        return Err(Stop::Budget(format!(
            "more variables than the sandbox allows ({})",
            env.max_variables
        )));
    }
    env.locals.clear();
    env.locals.resize(expr.slots, Dynamic::UNIT);
    match eval(&expr.root, env) {
        Err(Stop::Return(value)) => Ok(value),
        other => other,
    }
}

/// Counts one operation: past the budget, the run stops.
fn operation(env: &mut Env<'_>) -> Result<(), Stop> {
    env.visited += 1;
    if env.max_operations > 0 && env.visited > env.max_operations {
        return Err(Stop::Budget(format!(
            "more operations than the sandbox allows ({})",
            env.max_operations
        )));
    }
    Ok(())
}

fn eval(d: &Direct, env: &mut Env<'_>) -> Answer {
    operation(env)?;
    match d {
        Direct::Const(v) => Ok(v.clone()),
        Direct::Name(name) => Ok(match lookup(name, env)? {
            Base::Map(map) => Dynamic::from_map(map.clone()),
            Base::Value(v) => v.clone(),
            Base::Owned(v) => v,
        }),
        Direct::Local(slot) => local(env, *slot).cloned(),
        Direct::Field(slot) => field(env, *slot).cloned(),
        Direct::Produced(rule) => produced(*rule, env).cloned(),
        Direct::Path(base, steps) => match &**base {
            // From the value in place: only what the steps reach is cloned.
            Direct::Produced(rule) => walk(produced(*rule, env)?, steps, env),
            Direct::Field(slot) => walk(field(env, *slot)?, steps, env),
            // Walk from the variable itself: only the value at the end is cloned.
            Direct::Name(name) => match lookup(name, env)? {
                Base::Map(map) => walk_map(map, steps, env),
                Base::Value(v) => walk(v, steps, env),
                Base::Owned(v) => walk(&v, steps, env),
            },
            other => {
                let v = eval(other, env)?;
                walk(&v, steps, env)
            }
        },
        Direct::Not(operand) => Ok(Dynamic::from_bool(!as_bool(&eval(operand, env)?)?)),
        Direct::Negate(operand) => {
            let v = eval(operand, env)?;
            if let Ok(i) = v.as_int() {
                i.checked_neg()
                    .map(Dynamic::from_int)
                    .ok_or_else(|| Stop::Error(format!("arithmetic overflow: -({i})")))
            } else if let Ok(f) = v.as_float() {
                Ok(Dynamic::from_float(-f))
            } else {
                Err(Stop::Error(format!(
                    "`-` does not apply to {}",
                    type_name(&v)
                )))
            }
        }
        Direct::And(items) => {
            for item in items {
                if !as_bool(&eval(item, env)?)? {
                    return Ok(Dynamic::FALSE);
                }
            }
            Ok(Dynamic::TRUE)
        }
        Direct::Or(items) => {
            for item in items {
                if as_bool(&eval(item, env)?)? {
                    return Ok(Dynamic::TRUE);
                }
            }
            Ok(Dynamic::FALSE)
        }
        Direct::Coalesce(items) => {
            let mut value = Dynamic::UNIT;
            for item in items {
                value = eval(item, env)?;
                if !value.is_unit() {
                    break;
                }
            }
            Ok(value)
        }
        Direct::Compare(op, pair) => {
            let (a, b) = (eval(&pair.0, env)?, eval(&pair.1, env)?);
            compare(*op, &a, &b).map(Dynamic::from_bool)
        }
        Direct::Arithmetic(op, pair) => {
            let (a, b) = (eval(&pair.0, env)?, eval(&pair.1, env)?);
            arithmetic(*op, a, &b, env.max_string, env.max_array)
        }
        Direct::Call(f, args) => call_with(*f, None, args, env),
        Direct::Array(items) => Ok(Dynamic::from_array(
            items
                .iter()
                .map(|i| eval(i, env))
                .collect::<Result<Array, _>>()?,
        )),
        Direct::Map(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let v = eval(value, env)?;
                map.insert(key.as_str().into(), v);
            }
            Ok(Dynamic::from_map(map))
        }
        Direct::If(parts) => {
            let (condition, then, otherwise) = &**parts;
            if as_bool(&eval(condition, env)?)? {
                eval(then, env)
            } else {
                eval(otherwise, env)
            }
        }
        Direct::Block(statements) => {
            let mut value = Dynamic::UNIT;
            for s in statements {
                value = eval(s, env)?;
            }
            Ok(value)
        }
        Direct::Let(slot, value) | Direct::Assign(slot, value) => {
            let v = eval(value, env)?;
            *local_mut(env, *slot)? = v;
            Ok(Dynamic::UNIT)
        }
        Direct::Mutate(slot, m, args) => {
            let values = eval_args(args, env, false)?;
            let (max_string, max_array) = (env.max_string, env.max_array);
            let target = local_mut(env, *slot)?;
            let [a, b, ..] = &values;
            match (args.len(), a, b) {
                (0, ..) => mutate(target, *m, &[], max_string, max_array)?,
                (1, Some(a), _) => mutate(target, *m, &[a], max_string, max_array)?,
                (2, Some(a), Some(b)) => mutate(target, *m, &[a, b], max_string, max_array)?,
                _ => return Err(internal("a method's arguments")),
            }
            Ok(Dynamic::UNIT)
        }
        Direct::For(parts) => for_loop(parts, env),
        Direct::Throw(value) => {
            let value = eval(value, env)?;
            Err(Stop::Error(thrown(&value)))
        }
        Direct::Return(value) => Err(Stop::Return(eval(value, env)?)),
    }
}

/// The message of `throw value`: the value as text (a rule's `throw` says why it cannot decide).
fn thrown(value: &Dynamic) -> String {
    let text = value.to_string();
    if value.is_unit() || text.is_empty() {
        "the rule threw without a message".into()
    } else {
        text
    }
}

fn local<'e>(env: &'e Env<'_>, slot: usize) -> Result<&'e Dynamic, Stop> {
    env.locals
        .get(slot)
        .ok_or_else(|| internal("a variable's slot"))
}

fn local_mut<'e>(env: &'e mut Env<'_>, slot: usize) -> Result<&'e mut Dynamic, Stop> {
    env.locals
        .get_mut(slot)
        .ok_or_else(|| internal("a variable's slot"))
}

fn field<'a>(env: &Env<'a>, slot: usize) -> Result<&'a Dynamic, Stop> {
    let fields: &'a [Dynamic] = env.fields;
    fields.get(slot).ok_or_else(|| internal("a field's slot"))
}

fn for_loop(parts: &ForLoop, env: &mut Env<'_>) -> Answer {
    let list = eval(&parts.list, env)?;
    // Lists only (the one iterator the sandbox has), on a copy.
    if !list.is_array() {
        return Err(Stop::Error(format!(
            "`for` goes over a list, not {}",
            type_name(&list)
        )));
    }
    let items = list.into_array().map_err(|_| internal("a list"))?;
    for (i, item) in items.into_iter().enumerate() {
        // Each item counts, so an empty body cannot run past the budget either.
        operation(env)?;
        *local_mut(env, parts.item)? = item;
        if let Some(counter) = parts.counter {
            *local_mut(env, counter)? = Dynamic::from_int(builtins::count(i));
        }
        let _unit = eval(&parts.body, env)?;
    }
    Ok(Dynamic::UNIT)
}

/// The string and array methods of `crate::functions::builtins` that change their receiver.
fn mutate(
    target: &mut Dynamic,
    m: Mutation,
    args: &[&Dynamic],
    max_string: usize,
    max_array: usize,
) -> Result<(), Stop> {
    let method = m.name();
    let refused = |target: &Dynamic| {
        Stop::Error(format!(
            "no method `{method}` of {}{}",
            type_name(target),
            args.iter()
                .map(|a| format!(", {}", type_name(a)))
                .collect::<String>()
        ))
    };
    if m == Mutation::Push {
        let [item] = args else {
            return Err(refused(target));
        };
        if !target.is_array() {
            return Err(refused(target));
        }
        let mut array = target.as_array_mut().map_err(|_| internal("a list"))?;
        if max_array > 0 && array.len() >= max_array {
            return Err(list_too_long(max_array));
        }
        array.push((*item).clone());
        return Ok(());
    }
    let fits = match (m, args) {
        (Mutation::Replace, [find, with]) => find.is_string() && with.is_string(),
        (_, []) => true,
        _ => false,
    };
    if !target.is_string() || !fits {
        return Err(refused(target));
    }
    // Taken out of the variable, so that a string no one else holds changes in place.
    let mut s = std::mem::take(target)
        .into_immutable_string()
        .map_err(|_| internal("a string"))?;
    match (m, args) {
        (Mutation::Replace, [find, with]) => {
            builtins::replace_in_place(&mut s, &as_str(find)?, &as_str(with)?);
        }
        (Mutation::MakeUpper, _) => builtins::make_upper_in_place(&mut s),
        (Mutation::MakeLower, _) => builtins::make_lower_in_place(&mut s),
        _ => builtins::trim_in_place(&mut s),
    }
    check_string(s.len(), max_string)?;
    *target = Dynamic::from(s);
    Ok(())
}

/// A string of `len` bytes against the sandbox's limit.
fn check_string(len: usize, max_string: usize) -> Result<(), Stop> {
    if max_string > 0 && len >= max_string {
        return Err(Stop::Budget(format!(
            "a string longer than the sandbox allows ({max_string} bytes)"
        )));
    }
    Ok(())
}

fn list_too_long(max_array: usize) -> Stop {
    Stop::Budget(format!(
        "a list longer than the sandbox allows ({max_array} items)"
    ))
}

/// Where a variable's value is.
enum Base<'a> {
    Map(&'a Map),
    Value(&'a Dynamic),
    Owned(Dynamic),
}

/// A rule's value, as published for the rules after it. Its readers stop at their gate before
/// reading a rule that has not published one, so a missing value is an internal error.
fn produced<'a>(rule: usize, env: &Env<'a>) -> Result<&'a Dynamic, Stop> {
    let values: &'a [Option<Dynamic>] = env.produced;
    values
        .get(rule)
        .and_then(Option::as_ref)
        .ok_or_else(|| internal("a rule's value read before it was published"))
}

/// Resolves a variable: the item alias and index first (they are fresh names), then the scope.
fn lookup<'a>(name: &str, env: &Env<'a>) -> Result<Base<'a>, Stop> {
    if let Some((alias, map)) = env.item {
        if alias == name {
            return Ok(Base::Map(map));
        }
    }
    if let Some((index_name, i)) = env.index {
        if index_name == name {
            return Ok(Base::Owned(Dynamic::from_int(i)));
        }
    }
    if name == PARAMS_ROOT {
        let params: &'a Map = env.params;
        return Ok(Base::Map(params));
    }
    let scope: &'a Scope<'static> = env.scope;
    scope
        .get(name)
        .map(Base::Value)
        .ok_or_else(|| Stop::Error(format!("no variable `{name}`")))
}

/// The error of `text[i]`: characters are not values of the rule language (rhai's answer).
pub(crate) const STRING_INDEX: &str =
    "a string is not indexed in rules: take a part of it with `sub_string`";

/// Follows `steps` from `value`, cloning only what the last step reaches.
fn walk(value: &Dynamic, steps: &[Step], env: &mut Env<'_>) -> Answer {
    let Some((step, rest)) = steps.split_first() else {
        return Ok(value.clone());
    };
    match step {
        Step::Property(name) => match value.as_map_ref() {
            Ok(map) => walk_key(&map, name, rest, env),
            // Only maps have properties.
            Err(_) => Err(Stop::Error(format!(
                "`.{name}` reads a property of a map, not of {}",
                type_name(value)
            ))),
        },
        Step::Index(index) => {
            let key = eval(index, env)?;
            if let (Ok(array), Ok(i)) = (value.as_array_ref(), key.as_int()) {
                // A negative index counts from the end, as in rhai; out of range is an error.
                match builtins::list_position(array.len(), i).and_then(|at| array.get(at)) {
                    Some(item) => walk(item, rest, env),
                    None => Err(Stop::Error(format!(
                        "index {i} is outside a list of {} items",
                        array.len()
                    ))),
                }
            } else if let (Ok(map), Ok(name)) = (value.as_map_ref(), key.as_immutable_string_ref())
            {
                walk_key(&map, &name, rest, env)
            } else if let (Ok(bits), Ok(i)) = (value.as_int(), key.as_int()) {
                // rhai reads an integer's bits by index (a negative one counts from the top).
                let bit = if i < 0 { i + 64 } else { i };
                if !(0..64).contains(&bit) {
                    return Err(Stop::Error(format!(
                        "bit {i} is outside an integer's 64 bits"
                    )));
                }
                walk(&Dynamic::from_bool(bits & (1 << bit) != 0), rest, env)
            } else if value.is_string() {
                // rhai gives a character, which no other part of the language takes.
                Err(Stop::Error(STRING_INDEX.into()))
            } else {
                Err(Stop::Error(format!(
                    "`[{}]` does not index {}",
                    type_name(&key),
                    type_name(value)
                )))
            }
        }
        Step::Method(f, args) => {
            let v = method(*f, value, args, env)?;
            walk(&v, rest, env)
        }
    }
}

fn walk_map(map: &Map, steps: &[Step], env: &mut Env<'_>) -> Answer {
    match steps.split_first() {
        Some((Step::Property(name), rest)) => walk_key(map, name, rest, env),
        _ => walk(&Dynamic::from_map(map.clone()), steps, env),
    }
}

/// A map's entry; a missing one reads as unit, as in rhai.
fn walk_key(map: &Map, key: &str, rest: &[Step], env: &mut Env<'_>) -> Answer {
    match map.get(key) {
        Some(v) => walk(v, rest, env),
        None => walk(&Dynamic::UNIT, rest, env),
    }
}

/// `receiver.f(args)`, reading the receiver in place for the functions that only look at it.
fn method(f: Function, receiver: &Dynamic, args: &[Direct], env: &mut Env<'_>) -> Answer {
    call_with(f, Some(receiver), args, env)
}

/// No function of the allowlist takes more arguments (the reader refuses longer calls).
const MAX_ARGS: usize = 4;

/// Evaluates `args` into the first `args.len()` slots; with `by_ref`, a `let` variable, a
/// constant, a document field or a rule's value is left `None`, to be read in place. On the
/// stack: most rules call a function for every item.
fn eval_args(
    args: &[Direct],
    env: &mut Env<'_>,
    by_ref: bool,
) -> Result<[Option<Dynamic>; MAX_ARGS], Stop> {
    if args.len() > MAX_ARGS {
        return Err(internal("a call with too many arguments"));
    }
    let mut values: [Option<Dynamic>; MAX_ARGS] = Default::default();
    for (slot, arg) in values.iter_mut().zip(args) {
        match arg {
            Direct::Local(_) if by_ref => {}
            // Read where it is (a list is not copied on every call), counted as evaluating it
            // would count it.
            Direct::Const(_) | Direct::Field(_) | Direct::Produced(_) if by_ref => operation(env)?,
            _ => *slot = Some(eval(arg, env)?),
        }
    }
    Ok(values)
}

/// An argument `eval_args` left to be read in place: a `let` variable, a constant, a document
/// field or a rule's value.
fn in_place<'e>(arg: &'e Direct, env: &'e Env<'_>) -> Result<&'e Dynamic, Stop> {
    match arg {
        Direct::Local(slot) => local(env, *slot),
        Direct::Const(v) => Ok(v),
        Direct::Field(slot) => field(env, *slot),
        Direct::Produced(rule) => produced(*rule, env),
        _ => Err(internal("an argument read in place")),
    }
}

/// `f(receiver?, args)`: what `eval_args` leaves in place is passed by reference, the other
/// arguments evaluated first.
fn call_with(
    f: Function,
    receiver: Option<&Dynamic>,
    args: &[Direct],
    env: &mut Env<'_>,
) -> Answer {
    let values = eval_args(args, env, true)?;
    if f == Function::Pending {
        return raise_pending(receiver, args, &values, env);
    }
    let filler = Dynamic::UNIT;
    let mut refs: [&Dynamic; MAX_ARGS + 1] = [&filler; MAX_ARGS + 1];
    let mut n = 0;
    if let Some(receiver) = receiver {
        *refs.get_mut(n).ok_or_else(|| internal("arguments"))? = receiver;
        n += 1;
    }
    for (arg, owned) in args.iter().zip(&values) {
        let value = match (arg, owned) {
            (_, Some(v)) => v,
            (arg, None) => in_place(arg, env)?,
        };
        *refs.get_mut(n).ok_or_else(|| internal("arguments"))? = value;
        n += 1;
    }
    call(f, refs.get(..n).ok_or_else(|| internal("arguments"))?)
}

/// `pending(path)` or `pending([paths])`: a string is one path, a list's items are printed as
/// rhai prints them (`to_string`); the run stops there, and the caller reports the rule pending
/// on these paths.
fn raise_pending(
    receiver: Option<&Dynamic>,
    args: &[Direct],
    values: &[Option<Dynamic>; MAX_ARGS],
    env: &mut Env<'_>,
) -> Answer {
    let argument = match (receiver, args, values) {
        (Some(v), [], _) => v,
        (None, [arg], [None, ..]) => in_place(arg, env)?,
        (None, [_], [Some(v), ..]) => v,
        _ => return Err(internal("`pending`'s argument")),
    };
    let paths = if let Ok(path) = argument.as_immutable_string_ref() {
        vec![path.to_string()]
    } else if let Ok(items) = argument.as_array_ref() {
        items.iter().map(ToString::to_string).collect()
    } else {
        return Err(no_function("pending", &[argument]));
    };
    Err(Stop::Pending(paths))
}

/// No overload of `name` takes arguments of these types.
fn no_function(name: &str, args: &[&Dynamic]) -> Stop {
    let types: Vec<&str> = args.iter().map(|a| type_name(a)).collect();
    Stop::Error(format!("no function `{name}` takes ({})", types.join(", ")))
}

fn mismatch(expected: &str, v: &Dynamic) -> Stop {
    Stop::Error(format!("expected {expected}, got {}", type_name(v)))
}

fn as_bool(v: &Dynamic) -> Result<bool, Stop> {
    v.as_bool().map_err(|_| mismatch("true or false", v))
}

fn as_str(v: &Dynamic) -> Result<ImmutableString, Stop> {
    v.as_immutable_string_ref()
        .map(|s| s.clone())
        .map_err(|_| mismatch("a string", v))
}

fn as_array(v: &Dynamic) -> Result<impl std::ops::Deref<Target = Array> + '_, Stop> {
    v.as_array_ref().map_err(|_| mismatch("a list", v))
}

fn as_int(v: &Dynamic) -> Result<INT, Stop> {
    v.as_int().map_err(|_| mismatch("an integer", v))
}

/// The kinds of value rhai's built-in operators treat differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Unit,
    Bool,
    Int,
    Float,
    Str,
    /// Arrays and maps: equality goes through the registered `==`.
    Container,
    /// Chars, and anything else (no value of a rule has another type): an error.
    Other,
}

fn kind(v: &Dynamic) -> Kind {
    if v.is_unit() {
        Kind::Unit
    } else if v.is_bool() {
        Kind::Bool
    } else if v.is_int() {
        Kind::Int
    } else if v.is_float() {
        Kind::Float
    } else if v.is_string() {
        Kind::Str
    } else if v.is_array() || v.is_map() {
        Kind::Container
    } else {
        Kind::Other
    }
}

fn comparison_symbol(op: Comparison) -> &'static str {
    match op {
        Comparison::Equal => "==",
        Comparison::NotEqual => "!=",
        Comparison::Less => "<",
        Comparison::LessOrEqual => "<=",
        Comparison::Greater => ">",
        Comparison::GreaterOrEqual => ">=",
    }
}

fn operator_symbol(op: Operator) -> &'static str {
    match op {
        Operator::Add => "+",
        Operator::AddAssign => "+=",
        Operator::Subtract => "-",
        Operator::Multiply => "*",
        Operator::Divide => "/",
        Operator::Modulo => "%",
    }
}

/// `a op b` has no meaning for these values.
fn no_operator(op: &str, a: &Dynamic, b: &Dynamic) -> Stop {
    Stop::Error(format!(
        "`{op}` does not apply to {} and {}",
        type_name(a),
        type_name(b)
    ))
}

/// rhai's built-in comparison operators (`rhai::func::builtin`) on the kinds above, and the
/// sandbox's `==`/`!=` of lists and maps.
fn compare(op: Comparison, a: &Dynamic, b: &Dynamic) -> Result<bool, Stop> {
    use std::cmp::Ordering;
    // Integers and bools are totally ordered; floats go through `compare_floats`.
    let ordered = |o: Ordering| -> bool {
        match op {
            Comparison::Equal => o == Ordering::Equal,
            Comparison::NotEqual => o != Ordering::Equal,
            Comparison::Less => o == Ordering::Less,
            Comparison::LessOrEqual => o != Ordering::Greater,
            Comparison::Greater => o == Ordering::Greater,
            Comparison::GreaterOrEqual => o != Ordering::Less,
        }
    };
    match (kind(a), kind(b)) {
        (Kind::Other, _) | (_, Kind::Other) => Err(no_operator(comparison_symbol(op), a, b)),
        // `() == ()` is true; every other operator on two units is false.
        (Kind::Unit, Kind::Unit) => Ok(op == Comparison::Equal),
        (Kind::Int, Kind::Int) => Ok(ordered(as_int(a)?.cmp(&as_int(b)?))),
        (Kind::Int | Kind::Float, Kind::Int | Kind::Float) => {
            Ok(compare_floats(op, number(a)?, number(b)?))
        }
        // rhai's built-in operators order bools (`false < true`) and strings (byte by byte, as
        // `str` orders them: dates written `YYYY-MM-DD` compare as dates).
        (Kind::Bool, Kind::Bool) => Ok(ordered(as_bool(a)?.cmp(&as_bool(b)?))),
        (Kind::Str, Kind::Str) => {
            let (x, y) = (
                a.as_immutable_string_ref()
                    .map_err(|_| mismatch("a string", a))?,
                b.as_immutable_string_ref()
                    .map_err(|_| mismatch("a string", b))?,
            );
            Ok(ordered(x.as_str().cmp(y.as_str())))
        }
        // Different kinds (a list and a map among them): rhai's default is `!=` true, everything
        // else false.
        (x, y) if x != y || a.is_array() != b.is_array() => Ok(op == Comparison::NotEqual),
        // Two lists or two maps: equal item by item (the sandbox's `==`), not ordered.
        _ => match op {
            Comparison::Equal => Ok(builtins::values_equal(a, b)),
            Comparison::NotEqual => Ok(!builtins::values_equal(a, b)),
            _ => Err(no_operator(comparison_symbol(op), a, b)),
        },
    }
}

/// A comparison with a float on either side, as rhai's built-in operators make it (its checked
/// build): within `f64::EPSILON` relative to the larger magnitude, or absolute when the product
/// of the two is zero. So `0.1 + 0.2 == 0.3` and `99.99999999999999 >= 100.0` are true and
/// `1e-17 > 0.0` is false; NaN and infinities follow the same arithmetic (`inf == inf` is false,
/// `NaN == 0.0` true), exactly as rhai answers.
fn compare_floats(op: Comparison, x: f64, y: f64) -> bool {
    let max = if x * y == 0.0 {
        1.0
    } else {
        x.abs().max(y.abs())
    };
    if max == 0.0 {
        // Only when one side is NaN and the other zero.
        return matches!(
            op,
            Comparison::Equal | Comparison::GreaterOrEqual | Comparison::LessOrEqual
        );
    }
    match op {
        Comparison::Equal => (x - y).abs() / max <= f64::EPSILON,
        Comparison::NotEqual => (x - y).abs() / max > f64::EPSILON,
        Comparison::Greater => (x - y) / max > f64::EPSILON,
        Comparison::GreaterOrEqual => (x - y) / max > -f64::EPSILON,
        Comparison::Less => (y - x) / max > f64::EPSILON,
        Comparison::LessOrEqual => (y - x) / max > -f64::EPSILON,
    }
}

fn number(v: &Dynamic) -> Result<f64, Stop> {
    match v.as_int() {
        #[allow(clippy::cast_precision_loss)] // rhai converts the same way
        Ok(i) => Ok(i as f64),
        Err(_) => v.as_float().map_err(|_| mismatch("a number", v)),
    }
}

/// rhai's checked integer arithmetic, float arithmetic, a string joined with any value (the
/// sandbox's `+`, which writes the value as rhai displays it), and a string less another.
fn arithmetic(
    op: Operator,
    a: Dynamic,
    b: &Dynamic,
    max_string: usize,
    max_array: usize,
) -> Answer {
    if op == Operator::AddAssign && a.is_array() {
        return append(a, b, max_array);
    }
    let op = match op {
        Operator::AddAssign => Operator::Add,
        other => other,
    };
    let a = &a;
    let refused = || no_operator(operator_symbol(op), a, b);
    match (kind(a), kind(b)) {
        (Kind::Int, Kind::Int) => {
            let (x, y) = (as_int(a)?, as_int(b)?);
            let r = match op {
                Operator::Add | Operator::AddAssign => x.checked_add(y),
                Operator::Subtract => x.checked_sub(y),
                Operator::Multiply => x.checked_mul(y),
                Operator::Divide if y == 0 => {
                    return Err(Stop::Error(format!("division by zero: {x} / {y}")))
                }
                // Integer division and remainder truncate, as in rhai.
                Operator::Divide => x.checked_div(y),
                Operator::Modulo => x.checked_rem(y),
            };
            r.map(Dynamic::from_int).ok_or_else(|| {
                Stop::Error(format!(
                    "arithmetic overflow or division by zero: {x} {} {y}",
                    operator_symbol(op)
                ))
            })
        }
        (Kind::Int | Kind::Float, Kind::Int | Kind::Float) => {
            let (x, y) = (number(a)?, number(b)?);
            Ok(Dynamic::from_float(match op {
                Operator::Add | Operator::AddAssign => x + y,
                Operator::Subtract => x - y,
                Operator::Multiply => x * y,
                // Floats divide by zero into infinities and NaN, as in rhai.
                Operator::Divide => x / y,
                Operator::Modulo => x % y,
            }))
        }
        (Kind::Str, _) | (_, Kind::Str) if op == Operator::Add => {
            // `()` writes as nothing: `string + ()` is the string.
            let joined = format!("{a}{b}");
            check_string(joined.len(), max_string)?;
            Ok(Dynamic::from(ImmutableString::from(joined)))
        }
        (Kind::Str, Kind::Str) if op == Operator::Subtract => {
            // rhai's `-` of strings: every occurrence of the right one removed (and, as rhai
            // has it, an empty left side gives the right one).
            let (x, y) = (as_str(a)?, as_str(b)?);
            Ok(Dynamic::from(&x - &y))
        }
        _ => Err(refused()),
    }
}

/// `list += value`: the value as the list's last item, or a list's items after its own.
fn append(list: Dynamic, value: &Dynamic, max_array: usize) -> Answer {
    let mut items = list.into_array().map_err(|_| internal("a list"))?;
    match value.as_array_ref() {
        Ok(more) => items.extend(more.iter().cloned()),
        Err(_) => items.push(value.clone()),
    }
    if max_array > 0 && items.len() > max_array {
        return Err(list_too_long(max_array));
    }
    Ok(Dynamic::from_array(items))
}

fn count(n: usize) -> Dynamic {
    Dynamic::from_int(builtins::count(n))
}

/// `len`, as registered in `crate::functions::builtins`: characters of a string.
fn length(v: &Dynamic) -> Answer {
    if let Ok(s) = v.as_immutable_string_ref() {
        Ok(count(s.chars().count()))
    } else if let Ok(a) = v.as_array_ref() {
        Ok(count(a.len()))
    } else if let Ok(m) = v.as_map_ref() {
        Ok(count(m.len()))
    } else {
        Err(no_function("len", &[v]))
    }
}

/// `contains` / `in`, resolved as rhai resolves it: a string in an array by `contains_str`, any
/// other value in an array by value equality, a substring, a map key.
fn contains(container: &Dynamic, item: &Dynamic) -> Answer {
    if let Ok(array) = container.as_array_ref() {
        // The two functions rhai has registered for an array: `contains(array, string)` for a
        // string, `contains(array, any)` (rhai's `==`: maps, arrays and `()` included) otherwise.
        let found = match item.as_immutable_string_ref() {
            Ok(text) => lists::array_contains_str(&array, &text),
            Err(_) => array.iter().any(|x| builtins::values_equal(x, item)),
        };
        return Ok(Dynamic::from_bool(found));
    }
    let refused = || no_function("contains", &[container, item]);
    let key = item.as_immutable_string_ref().map_err(|_| refused())?;
    if let Ok(s) = container.as_immutable_string_ref() {
        Ok(Dynamic::from_bool(s.contains(key.as_str())))
    } else if let Ok(m) = container.as_map_ref() {
        Ok(Dynamic::from_bool(m.contains_key(key.as_str())))
    } else {
        Err(refused())
    }
}

/// A function's error, in its own words.
fn function_error(e: FnError) -> Stop {
    match e {
        FnError::Failed(message) => Stop::Error(message),
        FnError::Pending(paths) => Stop::Pending(paths),
    }
}

/// Calls a function of the sandbox's table by name, resolved by its arguments' types.
fn call_registered(name: &'static str, args: &[&Dynamic]) -> Answer {
    let mut owned: smallvec::SmallVec<[Dynamic; MAX_ARGS + 1]> =
        args.iter().map(|a| (*a).clone()).collect();
    let mut refs: smallvec::SmallVec<[&mut Dynamic; MAX_ARGS + 1]> = owned.iter_mut().collect();
    match crate::functions::call_named(name, &mut refs) {
        Some(answer) => answer.map_err(function_error),
        None => Err(no_function(name, args)),
    }
}

/// Calls a function of the allowlist: the common ones here, on the types they were registered
/// for (a value of another type is an error naming it), the others through the table.
pub(crate) fn call(f: Function, args: &[&Dynamic]) -> Answer {
    let ok = |r: Result<Dynamic, FnError>| r.map_err(function_error);
    match (f, args) {
        (Function::Registered(name), _) => call_registered(name, args),
        (Function::Len, [v]) => length(v),
        (Function::Contains, [c, item]) => contains(c, item),
        (Function::UsccValid, [code]) => {
            let code = as_str(code)?;
            Ok(Dynamic::from_bool(credit_code::uscc_valid(&code)))
        }
        (Function::MaxByOrder, [list, order]) => {
            ok(lists::max_by_order(&*as_array(list)?, &*as_array(order)?))
        }
        (Function::MinByOrder, [list, order]) => {
            ok(lists::min_by_order(&*as_array(list)?, &*as_array(order)?))
        }
        (Function::AnyWhere, [list, key, value]) => {
            ok(lists::any_where(&*as_array(list)?, &as_str(key)?, value).map(Dynamic::from_bool))
        }
        (Function::AllWhere, [list, key, value]) => {
            ok(lists::all_where(&*as_array(list)?, &as_str(key)?, value).map(Dynamic::from_bool))
        }
        (Function::CountWhere, [list, key, value]) => {
            ok(lists::count_where(&*as_array(list)?, &as_str(key)?, value).map(Dynamic::from_int))
        }
        (Function::Sum, [list]) => ok(lists::sum(&*as_array(list)?)),
        (Function::AddDays, [d, n]) => {
            ok(dates::add_days(as_str(d)?, as_int(n)?).map(Dynamic::from))
        }
        (Function::AddMonths, [d, n]) => {
            ok(dates::add_months(as_str(d)?, as_int(n)?).map(Dynamic::from))
        }
        (Function::AddYears, [d, n]) => {
            ok(dates::add_years(as_str(d)?, as_int(n)?).map(Dynamic::from))
        }
        (Function::DaysBetween, [a, b]) => {
            ok(dates::days_between(as_str(a)?, as_str(b)?).map(Dynamic::from_int))
        }
        (Function::WithinYearsBefore, [d, reference, n]) => {
            ok(
                dates::within_years_before(as_str(d)?, as_str(reference)?, as_int(n)?)
                    .map(Dynamic::from_bool),
            )
        }
        (Function::SubString, [text, start]) => {
            let text = as_str(text)?;
            Ok(Dynamic::from(builtins::sub_string(
                &text,
                as_int(start)?,
                INT::MAX,
            )))
        }
        (Function::SubString, [text, start, len]) => {
            let text = as_str(text)?;
            Ok(Dynamic::from(builtins::sub_string(
                &text,
                as_int(start)?,
                as_int(len)?,
            )))
        }
        (Function::StartsWith, [text, find]) => Ok(Dynamic::from_bool(
            as_str(text)?.starts_with(as_str(find)?.as_str()),
        )),
        (Function::EndsWith, [text, find]) => Ok(Dynamic::from_bool(
            as_str(text)?.ends_with(as_str(find)?.as_str()),
        )),
        // A text that does not parse: the table's function words the error.
        (Function::ParseInt, [text]) => match builtins::parse_int(&as_str(text)?) {
            Ok(n) => Ok(Dynamic::from_int(n)),
            Err(_) => call_registered("parse_int", args),
        },
        (Function::ParseFloat, [text]) => match builtins::parse_float(&as_str(text)?) {
            Ok(x) => Ok(Dynamic::from_float(x)),
            Err(_) => call_registered("parse_float", args),
        },
        _ => Err(internal("a call's arguments")),
    }
}
