//! Evaluates the direct form of an expression (`crate::compile::direct`).
//!
//! Every operation here either gives exactly what rhai gives for the same values, or returns
//! [`GiveUp`], and the caller runs the expression in rhai instead. Giving up is always safe, since
//! rules have no side effects: the rhai run starts from the same scope. So errors are never
//! produced here: a type mismatch, a failing function, an index out of range, an arithmetic
//! overflow all give up, and rhai reports them with its own message.

use rhai::{Array, Dynamic, ImmutableString, Map, Scope, INT};

use crate::compile::direct::{
    Comparison, Direct, DirectExpr, ForLoop, Function, Mutation, Operator, Step,
};
use crate::compile::PARAMS_ROOT;
use crate::functions::{builtins, credit_code, dates, lists};

/// The direct form cannot answer this case exactly as rhai would: rhai runs the expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GiveUp;

type Answer = Result<Dynamic, GiveUp>;

/// What the expression can read: the evaluation scope, and for a `for_each` rule its current
/// item (by its alias) and index.
pub(crate) struct Env<'a> {
    /// Empty until the evaluation needs it (a form with `needs_scope` fills it first).
    pub scope: &'a Scope<'static>,
    /// The number of variables rhai's scope holds (or would hold) when the expression runs.
    pub scope_len: usize,
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
    /// Longest string the sandbox lets a rule build.
    pub max_string: usize,
    /// Most variables the sandbox lets a rule have in scope.
    pub max_variables: usize,
    pub max_array: usize,
    /// rhai operations the rule may take (0: no limit), and the nodes visited so far.
    pub max_operations: u64,
    pub visited: u64,
    /// Set when the expression reached `pending(paths)`: the evaluation stops there (with
    /// [`GiveUp`] on the way out) and the caller reports the rule pending on these paths, as it
    /// does when rhai raises the signal, without running the expression again.
    pub pending: Option<Vec<String>>,
}

pub(crate) fn evaluate(expr: &DirectExpr, env: &mut Env<'_>) -> Answer {
    // rhai counts `let`s against its variable limit: leave any expression that could reach it to
    // rhai (the count is of every `let` in the text, branches included, so it errs on that side).
    if env.scope_len + 2 + expr.slots > env.max_variables {
        return Err(GiveUp);
    }
    env.locals.clear();
    env.locals.resize(expr.slots, Dynamic::UNIT);
    eval(&expr.root, env)
}

fn eval(d: &Direct, env: &mut Env<'_>) -> Answer {
    env.visited += 1;
    match d {
        Direct::Const(v) => Ok(v.clone()),
        Direct::Name(name) => Ok(match lookup(name, env)? {
            Base::Map(map) => Dynamic::from_map(map.clone()),
            Base::Value(v) => v.clone(),
            Base::Owned(v) => v,
        }),
        Direct::Local(slot) => env.locals.get(*slot).cloned().ok_or(GiveUp),
        Direct::Field(slot) => env.fields.get(*slot).cloned().ok_or(GiveUp),
        Direct::Produced(rule) => produced(*rule, env).cloned(),
        Direct::Path(base, steps) => match &**base {
            // From the value in place: only what the steps reach is cloned.
            Direct::Produced(rule) => walk(produced(*rule, env)?, steps, env),
            Direct::Field(slot) => {
                let fields: &[Dynamic] = env.fields;
                walk(fields.get(*slot).ok_or(GiveUp)?, steps, env)
            }
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
                i.checked_neg().map(Dynamic::from_int).ok_or(GiveUp)
            } else if let Ok(f) = v.as_float() {
                Ok(Dynamic::from_float(-f))
            } else {
                Err(GiveUp)
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
            arithmetic(*op, &a, &b, env.max_string)
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
            *env.locals.get_mut(*slot).ok_or(GiveUp)? = v;
            Ok(Dynamic::UNIT)
        }
        Direct::Mutate(slot, m, args) => {
            let values = eval_args(args, env, false)?;
            let (max_string, max_array) = (env.max_string, env.max_array);
            let target = env.locals.get_mut(*slot).ok_or(GiveUp)?;
            let [a, b, ..] = &values;
            match (args.len(), a, b) {
                (0, ..) => mutate(target, *m, &[], max_string, max_array)?,
                (1, Some(a), _) => mutate(target, *m, &[a], max_string, max_array)?,
                (2, Some(a), Some(b)) => mutate(target, *m, &[a, b], max_string, max_array)?,
                _ => return Err(GiveUp),
            }
            Ok(Dynamic::UNIT)
        }
        Direct::For(parts) => for_loop(parts, env),
        Direct::LeftToRhai => Err(GiveUp),
    }
}

/// rhai counts at most a few operations per node it evaluates; this bound keeps every loop the
/// direct form finishes inside the budget rhai would have allowed it.
const OPERATIONS_PER_NODE: u64 = 4;

/// Whether the nodes visited so far could come near rhai's operation budget: past this point
/// the direct form leaves the expression to rhai, which counts exactly.
fn near_budget(env: &Env<'_>) -> bool {
    env.max_operations > 0
        && env.visited.saturating_mul(OPERATIONS_PER_NODE) > env.max_operations / 2
}

fn for_loop(parts: &ForLoop, env: &mut Env<'_>) -> Answer {
    let list = eval(&parts.list, env)?;
    // rhai iterates over arrays only here (the one iterator the sandbox registers), on a copy.
    let items = list.into_array().map_err(|_| GiveUp)?;
    for (i, item) in items.into_iter().enumerate() {
        if near_budget(env) {
            return Err(GiveUp);
        }
        *env.locals.get_mut(parts.item).ok_or(GiveUp)? = item;
        if let Some(counter) = parts.counter {
            let i = INT::try_from(i).map_err(|_| GiveUp)?;
            *env.locals.get_mut(counter).ok_or(GiveUp)? = Dynamic::from_int(i);
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
) -> Result<(), GiveUp> {
    if m == Mutation::Push {
        let [item] = args else { return Err(GiveUp) };
        // Nested containers count towards rhai's size limits in ways left to rhai.
        if item.is_array() || item.is_map() {
            return Err(GiveUp);
        }
        let mut array = target.as_array_mut().map_err(|_| GiveUp)?;
        if max_array > 0 && array.len() >= max_array {
            return Err(GiveUp);
        }
        array.push((*item).clone());
        return Ok(());
    }
    // Taken out of the variable, so that a string no one else holds changes in place. Giving up
    // loses the variable, which is fine: rhai then runs the whole expression afresh.
    let mut s = std::mem::take(target)
        .into_immutable_string()
        .map_err(|_| GiveUp)?;
    match (m, args) {
        (Mutation::Trim, []) => builtins::trim_in_place(&mut s),
        (Mutation::Replace, [find, with]) => {
            builtins::replace_in_place(&mut s, &as_str(find)?, &as_str(with)?);
        }
        (Mutation::MakeUpper, []) => builtins::make_upper_in_place(&mut s),
        (Mutation::MakeLower, []) => builtins::make_lower_in_place(&mut s),
        _ => return Err(GiveUp),
    }
    // Over the sandbox's limit rhai stops the rule: let it.
    if max_string > 0 && s.len() >= max_string {
        return Err(GiveUp);
    }
    *target = Dynamic::from(s);
    Ok(())
}

/// Where a variable's value is.
enum Base<'a> {
    Map(&'a Map),
    Value(&'a Dynamic),
    Owned(Dynamic),
}

/// A rule's value, as published for the rules after it. A rule that has not published one is
/// left to rhai (its readers stop at their gate before, so this is not expected to happen).
fn produced<'a>(rule: usize, env: &Env<'a>) -> Result<&'a Dynamic, GiveUp> {
    let values: &'a [Option<Dynamic>] = env.produced;
    values.get(rule).and_then(Option::as_ref).ok_or(GiveUp)
}

/// Resolves a variable: the item alias and index first (they are fresh names), then the scope.
fn lookup<'a>(name: &str, env: &Env<'a>) -> Result<Base<'a>, GiveUp> {
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
    scope.get(name).map(Base::Value).ok_or(GiveUp)
}

/// Follows `steps` from `value`, cloning only what the last step reaches.
fn walk(value: &Dynamic, steps: &[Step], env: &mut Env<'_>) -> Answer {
    let Some((step, rest)) = steps.split_first() else {
        return Ok(value.clone());
    };
    match step {
        Step::Property(name) => match value.as_map_ref() {
            Ok(map) => walk_key(&map, name, rest, env),
            // rhai looks for a property getter, which rules do not have: an error.
            Err(_) => Err(GiveUp),
        },
        Step::Index(index) => {
            let key = eval(index, env)?;
            if let Ok(array) = value.as_array_ref() {
                // Negative indices count from the end in rhai; out of range is an error.
                let i = usize::try_from(key.as_int().map_err(|_| GiveUp)?).map_err(|_| GiveUp)?;
                walk(array.get(i).ok_or(GiveUp)?, rest, env)
            } else if let Ok(map) = value.as_map_ref() {
                let name = key.as_immutable_string_ref().map_err(|_| GiveUp)?;
                walk_key(&map, &name, rest, env)
            } else {
                Err(GiveUp)
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

/// Calls with more arguments than this are left to rhai: no function of the allowlist takes more.
const MAX_ARGS: usize = 4;

/// Evaluates `args` into the first `args.len()` slots; with `by_ref`, a `let` variable, a
/// constant, a document field or a rule's value is left `None`, to be read in place. On the
/// stack: most rules call a function for every item.
fn eval_args(
    args: &[Direct],
    env: &mut Env<'_>,
    by_ref: bool,
) -> Result<[Option<Dynamic>; MAX_ARGS], GiveUp> {
    if args.len() > MAX_ARGS {
        return Err(GiveUp);
    }
    let mut values: [Option<Dynamic>; MAX_ARGS] = Default::default();
    for (slot, arg) in values.iter_mut().zip(args) {
        match arg {
            Direct::Local(_) if by_ref => {}
            // Read where it is (a list is not copied on every call), counted as evaluating it
            // would count it.
            Direct::Const(_) | Direct::Field(_) | Direct::Produced(_) if by_ref => env.visited += 1,
            _ => *slot = Some(eval(arg, env)?),
        }
    }
    Ok(values)
}

/// An argument `eval_args` left to be read in place: a `let` variable, a constant, a document
/// field or a rule's value.
fn in_place<'e>(arg: &'e Direct, env: &'e Env<'_>) -> Result<&'e Dynamic, GiveUp> {
    match arg {
        Direct::Local(slot) => env.locals.get(*slot).ok_or(GiveUp),
        Direct::Const(v) => Ok(v),
        Direct::Field(slot) => env.fields.get(*slot).ok_or(GiveUp),
        Direct::Produced(rule) => produced(*rule, env),
        _ => Err(GiveUp),
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
        *refs.get_mut(n).ok_or(GiveUp)? = receiver;
        n += 1;
    }
    for (arg, owned) in args.iter().zip(&values) {
        let value = match (arg, owned) {
            (_, Some(v)) => v,
            (arg, None) => in_place(arg, env)?,
        };
        *refs.get_mut(n).ok_or(GiveUp)? = value;
        n += 1;
    }
    call(f, refs.get(..n).ok_or(GiveUp)?)
}

/// `pending(path)` or `pending([paths])`, as `compile::sandbox` registers it: a string is one
/// path, an array's items are printed as rhai prints them (`to_string`); any other argument has no
/// such function in rhai, which reports it. Everything before the call ran as rhai runs it (the
/// direct form gives up at the first difference), so rhai would reach this call with these
/// values too; within the same operation bound as a loop, it would not have stopped at its budget
/// on the way.
fn raise_pending(
    receiver: Option<&Dynamic>,
    args: &[Direct],
    values: &[Option<Dynamic>; MAX_ARGS],
    env: &mut Env<'_>,
) -> Answer {
    if near_budget(env) {
        return Err(GiveUp);
    }
    let argument = match (receiver, args, values) {
        (Some(v), [], _) => v,
        (None, [arg], [None, ..]) => in_place(arg, env)?,
        (None, [_], [Some(v), ..]) => v,
        _ => return Err(GiveUp),
    };
    let paths = if let Ok(path) = argument.as_immutable_string_ref() {
        vec![path.to_string()]
    } else if let Ok(items) = argument.as_array_ref() {
        items.iter().map(ToString::to_string).collect()
    } else {
        return Err(GiveUp);
    };
    env.pending = Some(paths);
    Err(GiveUp)
}

fn as_bool(v: &Dynamic) -> Result<bool, GiveUp> {
    v.as_bool().map_err(|_| GiveUp)
}

fn as_str(v: &Dynamic) -> Result<ImmutableString, GiveUp> {
    v.as_immutable_string_ref()
        .map(|s| s.clone())
        .map_err(|_| GiveUp)
}

fn as_array(v: &Dynamic) -> Result<impl std::ops::Deref<Target = Array> + '_, GiveUp> {
    v.as_array_ref().map_err(|_| GiveUp)
}

fn as_int(v: &Dynamic) -> Result<INT, GiveUp> {
    v.as_int().map_err(|_| GiveUp)
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
    /// Chars, and anything else: left to rhai.
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

/// rhai's built-in comparison operators (`rhai::func::builtin`) on the kinds above.
fn compare(op: Comparison, a: &Dynamic, b: &Dynamic) -> Result<bool, GiveUp> {
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
        (Kind::Other, _) | (_, Kind::Other) => Err(GiveUp),
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
                a.as_immutable_string_ref().map_err(|_| GiveUp)?,
                b.as_immutable_string_ref().map_err(|_| GiveUp)?,
            );
            Ok(ordered(x.as_str().cmp(y.as_str())))
        }
        // Different kinds: rhai's default is `!=` true, everything else false.
        (x, y) if x != y => Ok(op == Comparison::NotEqual),
        _ => Err(GiveUp),
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

fn number(v: &Dynamic) -> Result<f64, GiveUp> {
    match v.as_int() {
        #[allow(clippy::cast_precision_loss)] // rhai converts the same way
        Ok(i) => Ok(i as f64),
        Err(_) => v.as_float().map_err(|_| GiveUp),
    }
}

/// rhai's checked integer arithmetic, float arithmetic, and string concatenation.
fn arithmetic(op: Operator, a: &Dynamic, b: &Dynamic, max_string: usize) -> Answer {
    match (kind(a), kind(b)) {
        (Kind::Int, Kind::Int) => {
            let (x, y) = (as_int(a)?, as_int(b)?);
            let r = match op {
                Operator::Add => x.checked_add(y),
                Operator::Subtract => x.checked_sub(y),
                Operator::Multiply => x.checked_mul(y),
            };
            r.map(Dynamic::from_int).ok_or(GiveUp)
        }
        (Kind::Int | Kind::Float, Kind::Int | Kind::Float) => {
            let (x, y) = (number(a)?, number(b)?);
            Ok(Dynamic::from_float(match op {
                Operator::Add => x + y,
                Operator::Subtract => x - y,
                Operator::Multiply => x * y,
            }))
        }
        (Kind::Str, Kind::Str | Kind::Int) | (Kind::Int, Kind::Str) if op == Operator::Add => {
            // Two strings: rhai's built-in concatenation; a string and an integer: the `+` of
            // `crate::functions::builtins`, which writes the value as rhai displays it.
            let joined = format!("{a}{b}");
            // Over the sandbox's limit rhai stops the rule: let it.
            if max_string > 0 && joined.len() >= max_string {
                return Err(GiveUp);
            }
            Ok(Dynamic::from(ImmutableString::from(joined)))
        }
        // rhai's built-in `string + ()` and `() + string` give the string.
        (Kind::Str, Kind::Unit) if op == Operator::Add => Ok(a.clone()),
        (Kind::Unit, Kind::Str) if op == Operator::Add => Ok(b.clone()),
        _ => Err(GiveUp),
    }
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
        Err(GiveUp)
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
    let key = item.as_immutable_string_ref().map_err(|_| GiveUp)?;
    if let Ok(s) = container.as_immutable_string_ref() {
        Ok(Dynamic::from_bool(s.contains(key.as_str())))
    } else if let Ok(m) = container.as_map_ref() {
        Ok(Dynamic::from_bool(m.contains_key(key.as_str())))
    } else {
        Err(GiveUp)
    }
}

/// Calls a function of the allowlist with the types it was registered for; any other types, or
/// an error from the function, give up so that rhai reports it.
pub(crate) fn call(f: Function, args: &[&Dynamic]) -> Answer {
    let ok = |r: Result<Dynamic, _>| r.map_err(|_: Box<rhai::EvalAltResult>| GiveUp);
    match (f, args) {
        (Function::Len, [v]) => length(v),
        (Function::Contains, [c, item]) => contains(c, item),
        (Function::UsccValid, [code]) => {
            let code = code.as_immutable_string_ref().map_err(|_| GiveUp)?;
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
        // A text that does not parse is rhai's error.
        (Function::ParseInt, [text]) => builtins::parse_int(&as_str(text)?)
            .map(Dynamic::from_int)
            .map_err(|_| GiveUp),
        (Function::ParseFloat, [text]) => builtins::parse_float(&as_str(text)?)
            .map(Dynamic::from_float)
            .map_err(|_| GiveUp),
        _ => Err(GiveUp),
    }
}
