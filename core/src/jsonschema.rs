//! The JSON Schema (draft 2020-12) of a pack's input, generated from its fields so it cannot
//! drift from what the engine checks.

use serde_json::{json, Map, Value};

use crate::compile::CompiledPack;
use crate::source::{FieldDecl, FieldType};

fn field_schema(f: &FieldDecl) -> Value {
    let mut s = Map::new();
    let ty = match f.ty {
        FieldType::Bool => "boolean",
        FieldType::Integer => "integer",
        FieldType::Number => "number",
        FieldType::String | FieldType::Date | FieldType::Enum => "string",
        FieldType::List => "array",
        FieldType::Map => "object",
    };
    // null is accepted everywhere: it means "not filled in yet".
    s.insert("type".into(), json!([ty, "null"]));
    s.insert("title".into(), Value::String(f.label.zh.clone()));
    s.insert(
        "description".into(),
        Value::String(match &f.help {
            Some(h) => format!("{} — {}", f.label.en, h.en),
            None => f.label.en.clone(),
        }),
    );
    if let Some(min) = f.min {
        s.insert("minimum".into(), json!(min));
    }
    if let Some(max) = f.max {
        s.insert("maximum".into(), json!(max));
    }
    if f.ty == FieldType::Date {
        s.insert("format".into(), json!("date"));
    }
    if let Some(values) = &f.values {
        let mut e: Vec<Value> = values.iter().map(|v| json!(v)).collect();
        e.push(Value::Null);
        s.insert("enum".into(), Value::Array(e));
    }
    if let Some(n) = f.max_length {
        s.insert("maxLength".into(), json!(n));
    }
    if let Some(n) = f.max_items {
        s.insert("maxItems".into(), json!(n));
    }
    if f.ty == FieldType::Map {
        s.insert("additionalProperties".into(), json!({"type": "number"}));
    }
    if let Some(u) = &f.unit {
        s.insert("x-unit".into(), json!(u));
    }
    Value::Object(s)
}

fn object() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    m.insert("properties".into(), Value::Object(Map::new()));
    m
}

/// Inserts `schema` at a dotted path of nested object schemas.
fn insert(root: &mut Map<String, Value>, path: &str, schema: Value) {
    let mut node = root;
    let segments: Vec<&str> = path.split('.').collect();
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    for seg in parents {
        let props = node
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(props) = props else { return };
        let child = props
            .entry(seg.to_string())
            .or_insert_with(|| Value::Object(object()));
        let Value::Object(child) = child else { return };
        node = child;
    }
    if let Some(Value::Object(props)) = node.get_mut("properties") {
        props.insert(last.to_string(), schema);
    }
}

/// The input schema of a compiled pack.
pub fn input_schema(pack: &CompiledPack) -> Value {
    let mut root = object();
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    root.insert(
        "title".into(),
        json!(format!("{}@{} input", pack.id(), pack.version())),
    );
    for f in &pack.schema.fields {
        let mut s = field_schema(f);
        if f.ty == FieldType::List {
            let mut item = object();
            for (name, decl) in pack.schema.items.get(&f.path).into_iter().flatten() {
                insert(&mut item, name, field_schema(decl));
            }
            if let Value::Object(m) = &mut s {
                m.insert("items".into(), Value::Object(item));
            }
        }
        insert(&mut root, &f.path, s);
    }
    Value::Object(root)
}
