//! The input schema of a pack: its declared fields, checked for well-formed paths and indexed for
//! validation and for resolving the names rules read.

use crate::error::LoadError;
use crate::resolve::Locations;
use crate::sorted::{SortedMap, SortedSet};
use crate::source::{FieldDecl, FieldType};

/// Declared fields, split into document fields and the fields of each list's items.
#[derive(Debug, Clone, Default)]
pub struct InputSchema {
    /// Fields outside lists (lists themselves included), in declaration order.
    pub fields: Vec<FieldDecl>,
    /// The dot-separated segments of each of `fields`, split once here rather than per input.
    pub segments: Vec<Vec<String>>,
    /// For each list path, its item fields by name, in declaration order.
    pub items: SortedMap<String, Vec<(std::sync::Arc<str>, FieldDecl)>>,
    /// Position of each declared path (item fields as `list[].name`), for stable ordering.
    pub order: SortedMap<String, usize>,
    /// First segments of document fields: the names rules use to reach the input.
    pub roots: SortedSet<String>,
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub fn is_dotted_path(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_identifier)
}

impl InputSchema {
    pub fn build(fields: &[FieldDecl], locations: &Locations) -> Result<InputSchema, LoadError> {
        let mut schema = InputSchema::default();
        let err = |f: &FieldDecl, message: String| LoadError::Field {
            loc: locations.field(&f.path),
            path: f.path.clone(),
            message,
        };
        for (i, f) in fields.iter().enumerate() {
            schema.order.insert(f.path.clone(), i);
            if let Some((list, name)) = f.path.split_once("[].") {
                if !is_dotted_path(list) || !is_identifier(name) {
                    return Err(err(f, "an item field is `<list path>[].<name>`".into()));
                }
                let declared_list = fields
                    .iter()
                    .any(|l| l.path == list && l.ty == FieldType::List);
                if !declared_list {
                    return Err(err(f, format!("`{list}` is not declared as a list")));
                }
                if matches!(f.ty, FieldType::List | FieldType::Map) {
                    return Err(err(
                        f,
                        "lists and maps inside list items are not supported".into(),
                    ));
                }
                let item = (name.into(), f.clone());
                match schema.items.get_mut(list) {
                    Some(items) => items.push(item),
                    None => {
                        schema.items.insert(list.to_owned(), vec![item]);
                    }
                }
            } else {
                if !is_dotted_path(&f.path) {
                    return Err(err(
                        f,
                        "paths are dot-separated lower-case identifiers".into(),
                    ));
                }
                if let Some(root) = f.path.split('.').next() {
                    schema.roots.insert(root.to_owned());
                }
                schema
                    .segments
                    .push(f.path.split('.').map(str::to_owned).collect());
                schema.fields.push(f.clone());
            }
            check_constraints(f).map_err(|m| err(f, m))?;
        }
        // A field may not also be an object holding other fields (`a.b` and `a.b.c`).
        for f in &schema.fields {
            let prefix = format!("{}.", f.path);
            if let Some(inner) = schema.fields.iter().find(|g| g.path.starts_with(&prefix)) {
                return Err(err(
                    f,
                    format!(
                        "is a value, so `{}` cannot be declared below it",
                        inner.path
                    ),
                ));
            }
        }
        Ok(schema)
    }

    pub fn field(&self, path: &str) -> Option<&FieldDecl> {
        self.find(path).map(|(_, f)| f)
    }

    pub fn item_field(&self, list: &str, name: &str) -> Option<&FieldDecl> {
        self.items
            .get(list)
            .and_then(|items| items.iter().find(|(n, _)| **n == *name).map(|(_, f)| f))
    }

    /// A document field and its position in `fields`.
    fn find(&self, path: &str) -> Option<(usize, &FieldDecl)> {
        self.fields.iter().enumerate().find(|(_, f)| f.path == path)
    }

    /// The position of a document field in `fields` (`usize::MAX` for none: its state then reads
    /// as absent) and whether it is optional.
    pub fn slot(&self, path: &str) -> (usize, bool) {
        self.find(path)
            .map_or((usize::MAX, false), |(i, f)| (i, f.optional))
    }

    /// The slot of a document field (a list or a map field included), which direct forms read
    /// from the evaluation's field values.
    pub fn value_slot(&self, path: &str) -> Option<usize> {
        self.find(path).map(|(i, _)| i)
    }

    /// The position of item field `name` in the items of `list` (`usize::MAX` for none) and
    /// whether it is optional.
    pub fn item_slot(&self, list: &str, name: &str) -> (usize, bool) {
        self.items
            .get(list)
            .and_then(|items| items.iter().enumerate().find(|(_, (n, _))| **n == *name))
            .map_or((usize::MAX, false), |(i, (_, f))| (i, f.optional))
    }

    /// Whether `path` is an object node above declared fields (`employer` for `employer.name`).
    pub fn is_object(&self, path: &str) -> bool {
        let prefix = format!("{path}.");
        self.fields.iter().any(|f| f.path.starts_with(&prefix))
    }

    /// Declared document fields below an object node.
    pub fn fields_under<'a>(&'a self, path: &str) -> impl Iterator<Item = &'a FieldDecl> + 'a {
        let prefix = format!("{path}.");
        self.fields
            .iter()
            .filter(move |f| f.path.starts_with(&prefix))
    }
}

fn check_constraints(f: &FieldDecl) -> Result<(), String> {
    let numeric = matches!(f.ty, FieldType::Integer | FieldType::Number);
    if (f.min.is_some() || f.max.is_some()) && !numeric {
        return Err("min/max apply to integer and number fields only".into());
    }
    if let (Some(lo), Some(hi)) = (f.min, f.max) {
        if lo > hi {
            return Err(format!("min {lo} is above max {hi}"));
        }
    }
    match (f.ty, &f.values) {
        (FieldType::Enum, None) => return Err("an enum field needs `values`".into()),
        (FieldType::Enum, Some(v)) if v.is_empty() => {
            return Err("an enum field needs at least one value".into())
        }
        (ty, Some(_)) if ty != FieldType::Enum => {
            return Err("`values` applies to enum fields only".into())
        }
        _ => {}
    }
    if f.max_items.is_some() && !matches!(f.ty, FieldType::List | FieldType::Map) {
        return Err("max_items applies to list and map fields only".into());
    }
    if f.max_length.is_some() && f.ty != FieldType::String {
        return Err("max_length applies to string fields only".into());
    }
    Ok(())
}
