//! Pack sources: the files of a pack folder as serde structures, one per file.
//!
//! The core never touches the file system: a caller hands over the pack's files as text
//! (`PackFiles`), keyed by their path inside the pack folder (`rules.toml`, `tables/x.csv`).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{LoadError, Loc};
use crate::sorted::SortedMap;
use crate::text::Text;

/// The text files of one pack folder, keyed by relative path with `/` separators.
#[derive(Debug, Clone, Default)]
pub struct PackFiles {
    files: BTreeMap<String, String>,
}

impl PackFiles {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    pub fn require(&self, path: &str) -> Result<&str, LoadError> {
        self.get(path).ok_or_else(|| LoadError::MissingFile {
            file: path.to_owned(),
        })
    }

    /// Files whose path starts with `prefix` and ends with `suffix`, in path order.
    pub fn matching<'a>(
        &'a self,
        prefix: &'a str,
        suffix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.files
            .iter()
            .filter(move |(p, _)| p.starts_with(prefix) && p.ends_with(suffix))
            .map(|(p, t)| (p.as_str(), t.as_str()))
    }
}

/// Line numbers of byte offsets in one text. The newlines are found once: counting them from the
/// start for every declaration made loading a file of n rules take time in n² (20,000 rules,
/// 12.9 s).
pub struct Lines {
    /// Byte offsets of the text's newlines, ascending.
    newlines: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let newlines = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(at, _)| at)
            .collect();
        Lines { newlines }
    }

    /// 1-based line number of a byte offset (the last line for an offset past the end).
    pub fn of(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&at| at < offset) + 1
    }
}

/// Parses a TOML file; a syntax or shape error names the file (the message carries line and column).
pub fn parse_toml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, LoadError> {
    toml::from_str(text).map_err(|e| LoadError::Syntax {
        file: file.to_owned(),
        message: e.to_string().trim_end().replace('\n', " | "),
    })
}

// ---------------------------------------------------------------------------------------------
// pack.toml

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub id: String,
    pub version: String,
    pub jurisdiction: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Effective>,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub params: SortedMap<String, ParamValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effective {
    pub from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// A document a rule can cite as its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub issuer: String,
    #[serde(default)]
    pub doc_no: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A named constant a pack's rules read as `params.<name>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

// ---------------------------------------------------------------------------------------------
// fields.toml

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Bool,
    Integer,
    Number,
    String,
    Date,
    Enum,
    List,
    /// An object with free keys and number values (points per assessment item).
    Map,
}

impl FieldType {
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Bool => "bool",
            FieldType::Integer => "integer",
            FieldType::Number => "number",
            FieldType::String => "string",
            FieldType::Date => "date",
            FieldType::Enum => "enum",
            FieldType::List => "list",
            FieldType::Map => "map",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDecl {
    pub path: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// An optional field's absence does not make its readers pending: it reads as `()`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub optional: bool,
    pub label: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsFile {
    #[serde(default)]
    pub field: Vec<toml::Spanned<FieldDecl>>,
}

// ---------------------------------------------------------------------------------------------
// rules.toml

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    Prerequisite,
    Check,
    Score,
    Derive,
    Decision,
}

impl RuleKind {
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Prerequisite => "prerequisite",
            RuleKind::Check => "check",
            RuleKind::Score => "score",
            RuleKind::Derive => "derive",
            RuleKind::Decision => "decision",
        }
    }

    /// Prerequisites and checks assert something and pass or fail.
    pub fn asserts(self) -> bool {
        matches!(self, RuleKind::Prerequisite | RuleKind::Check)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

/// The legal basis of a rule: a source of `pack.toml` and the article in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Basis {
    pub source: String,
    pub article: String,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDecl {
    pub id: String,
    pub kind: RuleKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    pub message: Text,
    pub basis: Basis,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_each: Option<String>,
    #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
    pub as_name: Option<String>,
    /// for_each only: the name the item's 0-based index is bound to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assert: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sets: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub inputs: SortedMap<String, String>,
    /// derive/decision: true when every listed prerequisite/check passes (or does not apply),
    /// false as soon as one fails, even while others are still pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_pass: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Overlays only: this rule replaces the base pack's rule of the same id.
    #[serde(default, rename = "override", skip_serializing)]
    pub override_base: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HitPolicy {
    Unique,
    First,
    Collect,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDecl {
    pub id: String,
    pub file: String,
    pub hit: HitPolicy,
    #[serde(default, rename = "override")]
    pub override_base: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesFile {
    #[serde(default)]
    pub disable: Vec<String>,
    #[serde(default)]
    pub table: Vec<toml::Spanned<TableDecl>>,
    #[serde(default)]
    pub rule: Vec<toml::Spanned<RuleDecl>>,
}

// ---------------------------------------------------------------------------------------------
// tables/*.csv

/// A decision table as text cells; `compile` gives the cells their meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSource {
    pub id: String,
    pub file: String,
    pub hit: HitPolicy,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl TableSource {
    /// The CSV line of a data row (header on line 1, one line per row).
    pub fn row_line(row: usize) -> usize {
        row + 2
    }
}

/// Reads a table's CSV: a header row and rows of equal width; cells are trimmed.
pub fn parse_table_csv(decl: &TableDecl, text: &str) -> Result<TableSource, LoadError> {
    let table_err = |line: Option<usize>, message: String| LoadError::Table {
        loc: Loc::new(decl.file.clone(), line),
        table: decl.id.clone(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| table_err(Some(1), format!("cannot read the header: {e}")))?
        .iter()
        .map(|c| c.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            table_err(line, format!("bad row: {e}"))
        })?;
        rows.push(record.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(TableSource {
        id: decl.id.clone(),
        file: decl.file.clone(),
        hit: decl.hit,
        columns,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn line_numbers_count_the_newlines_before_the_offset() {
        let text = "a = 1\n\n[[rule]]\nid = \"x\"\n";
        let lines = Lines::new(text);
        for offset in 0..=text.len() + 3 {
            let newlines_before = text.bytes().take(offset).filter(|b| *b == b'\n').count();
            assert_eq!(lines.of(offset), newlines_before + 1, "offset {offset}");
        }
        assert_eq!(Lines::new("").of(0), 1);
    }
}
