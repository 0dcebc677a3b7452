//! The input document checked against the pack's fields: each declared field is present (and
//! converted to a rhai value), absent, or invalid with an error naming its path.

use std::sync::Arc;

use rhai::{Dynamic, Map};
use serde_json::Value;

use crate::compile::schema::InputSchema;
use crate::functions::dates::parse_date;
use crate::sorted::SortedSet;
use crate::source::{FieldDecl, FieldType};
use crate::text::Text;

/// Default limits for fields that do not set their own.
pub const DEFAULT_MAX_ITEMS: usize = 1000;
pub const DEFAULT_MAX_LENGTH: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldState {
    Present,
    Absent,
    Invalid,
}

#[derive(Debug, Clone)]
pub struct InputError {
    pub code: &'static str,
    /// `None` for a problem with the document as a whole.
    pub path: Option<String>,
    pub message: Text,
}

/// One item of a list field. Its converted value is the map at the same position of the list's
/// array in [`InputView::values`] (one copy of each item, read in place by `for_each` rules).
#[derive(Debug, Clone, Default)]
pub struct ItemView {
    /// The state of each item field, by its position in the list's schema (`Reads::item_slots`).
    pub states: Vec<FieldState>,
}

impl ItemView {
    pub fn state(&self, slot: usize) -> FieldState {
        self.states.get(slot).copied().unwrap_or(FieldState::Absent)
    }
}

/// The validated input.
#[derive(Debug, Clone, Default)]
pub struct InputView {
    /// The state of each document field, by its position in the schema (`Reads::slots`).
    pub states: Vec<FieldState>,
    /// The converted value of each document field by the same position (a list's items as an
    /// array of maps, a map field's map); unit for an absent or invalid one. Direct forms read
    /// them by slot; the rhai scope's maps are built from them only when needed
    /// ([`InputView::roots`]).
    pub values: Vec<Dynamic>,
    /// The items of each present list field, by the field's slot.
    pub lists: Vec<(usize, Vec<ItemView>)>,
    pub errors: Vec<InputError>,
}

impl InputView {
    pub fn state(&self, slot: usize) -> FieldState {
        self.states.get(slot).copied().unwrap_or(FieldState::Absent)
    }

    /// The items of the list field at `slot` (none when it is absent or invalid).
    pub fn items(&self, slot: usize) -> &[ItemView] {
        self.lists
            .iter()
            .find(|(s, _)| *s == slot)
            .map_or(&[], |(_, items)| items.as_slice())
    }

    /// The input's values as rhai variables, one per root: a map for `employer`, `hazards`, ...;
    /// the value itself for a top-level field such as `assessment_date`. An absent object root is
    /// an empty map. Built only for what reads the input through rhai's scope (docs/engine.md,
    /// "Direct forms").
    pub fn roots(&self, schema: &InputSchema) -> Roots {
        let mut roots = Roots::default();
        let present = self
            .states
            .iter()
            .zip(&self.values)
            .zip(&schema.segments)
            .filter(|((state, _), _)| **state == FieldState::Present);
        for ((_, value), segments) in present {
            insert_segments(&mut roots, segments, value.clone());
        }
        for root in &schema.roots {
            // An absent top-level scalar stays unit; an absent object root is an empty map.
            if schema.field(root).is_none() {
                let _map = roots.entry(root);
            }
        }
        roots
    }

    /// Checks `doc` (a JSON object) against the schema. The caller has checked it is an object.
    pub fn build(schema: &InputSchema, doc: &serde_json::Map<String, Value>) -> InputView {
        let mut view = InputView {
            states: Vec::with_capacity(schema.fields.len()),
            values: Vec::with_capacity(schema.fields.len()),
            ..InputView::default()
        };
        let mut reported_objects = SortedSet::default();
        for (slot, (field, segments)) in schema.fields.iter().zip(&schema.segments).enumerate() {
            let mut converted = Dynamic::UNIT;
            let state = match lookup(doc, segments) {
                Lookup::Absent => FieldState::Absent,
                Lookup::NotObject(at) => {
                    if reported_objects.insert(at.clone()) {
                        view.errors
                            .push(wrong_type(&at, "object", doc_value(doc, &at)));
                    }
                    FieldState::Invalid
                }
                Lookup::Found(value) => match convert(field, value, At::Path(&field.path)) {
                    Converted::Absent => FieldState::Absent,
                    Converted::Invalid(e) => {
                        view.errors.push(e);
                        FieldState::Invalid
                    }
                    Converted::Scalar(d) => {
                        converted = d;
                        FieldState::Present
                    }
                    Converted::List(items) => {
                        let items_schema = schema.items.get(&field.path);
                        let (views, values) =
                            build_items(&field.path, items, items_schema, &mut view.errors);
                        match values {
                            Some(values) => {
                                converted = values;
                                view.lists.push((slot, views));
                                FieldState::Present
                            }
                            None => FieldState::Invalid,
                        }
                    }
                },
            };
            view.states.push(state);
            view.values.push(converted);
        }
        view
    }
}

enum Lookup<'a> {
    Absent,
    /// The value at this path should be an object but is not.
    NotObject(String),
    Found(&'a Value),
}

fn lookup<'a>(doc: &'a serde_json::Map<String, Value>, segments: &[String]) -> Lookup<'a> {
    let mut current = doc;
    for (i, seg) in segments.iter().enumerate() {
        let Some(value) = current.get(seg) else {
            return Lookup::Absent;
        };
        if i + 1 == segments.len() {
            return Lookup::Found(value);
        }
        match value {
            Value::Object(inner) => current = inner,
            Value::Null => return Lookup::Absent,
            _ => return Lookup::NotObject(segments.get(..=i).unwrap_or(&[]).join(".")),
        }
    }
    Lookup::Absent
}

fn doc_value<'a>(doc: &'a serde_json::Map<String, Value>, path: &str) -> &'a Value {
    let segments: Vec<String> = path.split('.').map(str::to_owned).collect();
    match lookup(doc, &segments) {
        Lookup::Found(v) => v,
        _ => &Value::Null,
    }
}

enum Converted<'a> {
    Absent,
    Invalid(InputError),
    Scalar(Dynamic),
    List(&'a Vec<Value>),
}

fn json_type_name(v: &Value) -> (&'static str, &'static str) {
    match v {
        Value::Null => ("空值", "null"),
        Value::Bool(_) => ("布尔值", "a boolean"),
        Value::Number(_) => ("数字", "a number"),
        Value::String(_) => ("文本", "a string"),
        Value::Array(_) => ("列表", "a list"),
        Value::Object(_) => ("对象", "an object"),
    }
}

fn expected_name(ty: &str) -> (&'static str, &'static str) {
    match ty {
        "bool" => ("布尔值（是/否）", "a boolean (true/false)"),
        "integer" => ("整数", "an integer"),
        "number" => ("数字", "a number"),
        "string" => ("文本", "a string"),
        "date" => ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
        "enum" => ("选项文本", "one of the listed values"),
        "list" => ("列表", "a list"),
        "map" => ("对象（条目 → 数值）", "an object of numbers"),
        _ => ("对象", "an object"),
    }
}

fn wrong_type(path: &str, expected: &str, got: &Value) -> InputError {
    let (ezh, een) = expected_name(expected);
    let (gzh, gen) = json_type_name(got);
    InputError {
        code: "input.wrong_type",
        path: Some(path.to_owned()),
        message: Text::new(
            format!("类型错误：应为{ezh}，实际为{gzh}"),
            format!("wrong type: expected {een}, got {gen}"),
        ),
    }
}

fn error(code: &'static str, path: &str, zh: String, en: String) -> InputError {
    InputError {
        code,
        path: Some(path.to_owned()),
        message: Text::new(zh, en),
    }
}

/// Where a value is, for messages: spelled out only when a message needs it.
#[derive(Clone, Copy)]
enum At<'a> {
    Path(&'a str),
    Item {
        list: &'a str,
        index: usize,
        name: &'a str,
    },
}

impl At<'_> {
    fn path(&self) -> String {
        match self {
            At::Path(p) => (*p).to_owned(),
            At::Item { list, index, name } => format!("{list}[{index}].{name}"),
        }
    }
}

/// Converts one JSON value by its field declaration. `at` is the concrete path for messages.
fn convert<'a>(field: &FieldDecl, value: &'a Value, at: At<'_>) -> Converted<'a> {
    // An untouched form control sends null or an empty string: both mean "not filled in yet".
    match value {
        Value::Null => return Converted::Absent,
        Value::String(s) if s.is_empty() => return Converted::Absent,
        _ => {}
    }
    let ty = field.ty.name();
    match (field.ty, value) {
        (FieldType::Bool, Value::Bool(b)) => Converted::Scalar(Dynamic::from_bool(*b)),
        (FieldType::Integer, Value::Number(n)) => {
            let as_int = n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            });
            match as_int {
                Some(i) => check_range(field, i as f64, at).map_or_else(
                    || Converted::Scalar(Dynamic::from_int(i)),
                    Converted::Invalid,
                ),
                None => Converted::Invalid(wrong_type(&at.path(), ty, value)),
            }
        }
        (FieldType::Number, Value::Number(n)) => match n.as_f64().filter(|f| f.is_finite()) {
            Some(f) => check_range(field, f, at).map_or_else(
                || Converted::Scalar(Dynamic::from_float(f)),
                Converted::Invalid,
            ),
            None => Converted::Invalid(wrong_type(&at.path(), ty, value)),
        },
        (FieldType::String, Value::String(s)) => {
            let max = field.max_length.unwrap_or(DEFAULT_MAX_LENGTH);
            if s.chars().count() > max {
                Converted::Invalid(error(
                    "input.too_large",
                    &at.path(),
                    format!("内容过长：最多 {max} 个字符"),
                    format!("too long: at most {max} characters"),
                ))
            } else {
                Converted::Scalar(rhai::ImmutableString::from(s.as_str()).into())
            }
        }
        (FieldType::Date, Value::String(s)) => match parse_date(s) {
            Some(_) => Converted::Scalar(rhai::ImmutableString::from(s.as_str()).into()),
            None => Converted::Invalid(error(
                "input.invalid_date",
                &at.path(),
                format!("日期无效：“{}”不是 YYYY-MM-DD 格式的真实日期", clip(s)),
                format!(
                    "invalid date \"{}\": not a real calendar date in YYYY-MM-DD form",
                    clip(s)
                ),
            )),
        },
        (FieldType::Enum, Value::String(s)) => {
            let values = field.values.as_deref().unwrap_or(&[]);
            if values.iter().any(|v| v == s) {
                Converted::Scalar(rhai::ImmutableString::from(s.as_str()).into())
            } else {
                Converted::Invalid(error(
                    "input.unknown_enum",
                    &at.path(),
                    format!("未知选项“{}”，可选：{}", clip(s), values.join("、")),
                    format!(
                        "unknown value \"{}\"; expected one of: {}",
                        clip(s),
                        values.join(", ")
                    ),
                ))
            }
        }
        (FieldType::Map, Value::Object(entries)) => convert_map(field, entries, &at.path()),
        (FieldType::List, Value::Array(items)) => {
            let max = field.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
            if items.len() > max {
                Converted::Invalid(error(
                    "input.too_large",
                    &at.path(),
                    format!("列表过长：最多 {max} 项，实际 {} 项", items.len()),
                    format!("too many items: at most {max}, got {}", items.len()),
                ))
            } else {
                Converted::List(items)
            }
        }
        _ => Converted::Invalid(wrong_type(&at.path(), ty, value)),
    }
}

/// A map of numbers: each key is kept as given, each value must be a finite number.
fn convert_map<'a>(
    field: &FieldDecl,
    entries: &serde_json::Map<String, Value>,
    path: &str,
) -> Converted<'a> {
    let max = field.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
    if entries.len() > max {
        return Converted::Invalid(error(
            "input.too_large",
            path,
            format!("条目过多：最多 {max} 项，实际 {} 项", entries.len()),
            format!("too many entries: at most {max}, got {}", entries.len()),
        ));
    }
    let mut map = Map::new();
    for (key, v) in entries {
        match v.as_f64().filter(|f| f.is_finite()) {
            Some(f) => {
                map.insert(key.as_str().into(), Dynamic::from_float(f));
            }
            None => return Converted::Invalid(wrong_type(&format!("{path}.{key}"), "number", v)),
        }
    }
    Converted::Scalar(Dynamic::from_map(map))
}

/// Shortens an echoed value so a huge string cannot blow up the messages.
fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() > MAX {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    } else {
        s.to_owned()
    }
}

fn fmt_num(v: f64) -> String {
    format!("{v}")
}

fn check_range(field: &FieldDecl, v: f64, at: At<'_>) -> Option<InputError> {
    let low = field.min.is_some_and(|m| v < m);
    let high = field.max.is_some_and(|m| v > m);
    if !(low || high) {
        return None;
    }
    let (zh, en) = match (field.min, field.max) {
        (Some(a), Some(b)) => (
            format!("超出范围：应在 {} 至 {} 之间", fmt_num(a), fmt_num(b)),
            format!(
                "out of range: must be from {} to {}",
                fmt_num(a),
                fmt_num(b)
            ),
        ),
        (Some(a), None) => (
            format!("超出范围：应不小于 {}", fmt_num(a)),
            format!("out of range: must be at least {}", fmt_num(a)),
        ),
        (_, Some(b)) => (
            format!("超出范围：应不大于 {}", fmt_num(b)),
            format!("out of range: must be at most {}", fmt_num(b)),
        ),
        (None, None) => return None,
    };
    Some(error("input.out_of_range", &at.path(), zh, en))
}

/// Checks each item of a list; `None` when the list as a whole is invalid (an item is not an object).
fn build_items(
    list: &str,
    items: &[Value],
    schema: Option<&Vec<(Arc<str>, FieldDecl)>>,
    errors: &mut Vec<InputError>,
) -> (Vec<ItemView>, Option<Dynamic>) {
    let mut views = Vec::with_capacity(items.len());
    let mut values = rhai::Array::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Value::Object(obj) = item else {
            errors.push(wrong_type(&format!("{list}[{i}]"), "object", item));
            ok = false;
            continue;
        };
        let mut view = ItemView::default();
        let mut value = Map::new();
        for (name, field) in schema.into_iter().flatten() {
            let at = At::Item {
                list,
                index: i,
                name,
            };
            let state = match obj.get(&**name) {
                None => FieldState::Absent,
                Some(v) => match convert(field, v, at) {
                    Converted::Absent => FieldState::Absent,
                    Converted::Invalid(e) => {
                        errors.push(e);
                        FieldState::Invalid
                    }
                    Converted::Scalar(d) => {
                        value.insert((&**name).into(), d);
                        FieldState::Present
                    }
                    // Item fields are never lists (the schema refuses them).
                    Converted::List(_) => FieldState::Invalid,
                },
            };
            view.states.push(state);
        }
        values.push(Dynamic::from_map(value));
        views.push(view);
    }
    (views, ok.then(|| Dynamic::from_array(values)))
}

/// Puts `value` at a path inside the roots, creating the maps on the way, in place.
fn insert_segments(roots: &mut Roots, segments: &[String], value: Dynamic) {
    let [root, rest @ ..] = segments else {
        return;
    };
    let Some(entry) = roots.entry(root) else {
        return;
    };
    if rest.is_empty() {
        *entry = value;
        return;
    }
    insert_in_map(entry, rest, value);
}

/// The input's top-level values by name, each a variable of the evaluation: a handful, so a list
/// (a map type of its own would cost the browser engine its code for one use).
#[derive(Debug, Clone, Default)]
pub struct Roots(pub Vec<(String, Dynamic)>);

impl Roots {
    /// The value of root `name`, an empty map when it is new (always `Some`).
    pub fn entry(&mut self, name: &str) -> Option<&mut Dynamic> {
        let at = match self.0.iter().position(|(n, _)| n == name) {
            Some(at) => at,
            None => {
                self.0
                    .push((name.to_owned(), Dynamic::from_map(Map::new())));
                self.0.len() - 1
            }
        };
        self.0.get_mut(at).map(|(_, value)| value)
    }
}

fn insert_in_map(target: &mut Dynamic, segments: &[String], value: Dynamic) {
    let Some(mut map) = target.write_lock::<Map>() else {
        return;
    };
    match segments {
        [] => {}
        [last] => {
            map.insert(last.as_str().into(), value);
        }
        [first, rest @ ..] => {
            let child = map
                .entry(first.as_str().into())
                .or_insert_with(|| Dynamic::from_map(Map::new()));
            insert_in_map(child, rest, value);
        }
    }
}
