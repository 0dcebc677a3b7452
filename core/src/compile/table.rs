//! Decision tables: CSV cells given their meaning, row matching by hit policy, and the load-time
//! proof that no two rows of a `unique` table can match the same input.

use rhai::Dynamic;

use crate::error::{LoadError, Loc};
use crate::source::{HitPolicy, TableSource};

/// Most rows a decision table may have (the largest shipped table has under 300).
pub const MAX_TABLE_ROWS: usize = 5_000;

/// What an input cell accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Any,
    OneOf(Vec<Lit>),
    /// A numeric interval; `None` is unbounded; the bool says whether the bound is included.
    Range {
        lo: Option<(f64, bool)>,
        hi: Option<(f64, bool)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub conds: Vec<Cond>,
    pub output: Dynamic,
    pub verified: bool,
    /// 1-based CSV line, for messages.
    pub line: usize,
}

#[derive(Debug, Clone)]
pub struct CompiledTable {
    pub id: String,
    pub file: String,
    pub hit: HitPolicy,
    pub inputs: Vec<String>,
    pub rows: Vec<Row>,
    /// For large tables keyed by strings in one input column: which rows can match a key.
    index: Option<KeyIndex>,
}

/// Rows by the string their cell in input column `column` names, and the rows that could match
/// any string there (`-`, a range, a non-string literal). A lookup checks only `by_key[key]` and
/// `others`, in row order, so every hit policy gives what a full scan gives.
#[derive(Debug, Clone, Default)]
struct KeyIndex {
    column: usize,
    /// Sorted by key, found by binary search (a hash map would be a type of its own in the
    /// browser engine's code, for no gain at a few hundred keys).
    by_key: Vec<(String, Vec<usize>)>,
    others: Vec<usize>,
}

/// Below this many rows a scan is as fast as a hash lookup.
const INDEX_MIN_ROWS: usize = 16;

impl KeyIndex {
    /// The index on the input column where most rows name strings (a catalogue may key its
    /// rows by its second column, its first naming only a few exceptions), when most rows are
    /// keyed there.
    fn build(rows: &[Row]) -> Option<KeyIndex> {
        if rows.len() < INDEX_MIN_ROWS {
            return None;
        }
        let columns = rows.first().map_or(0, |r| r.conds.len());
        let keyed = |row: &Row, column: usize| {
            matches!(row.conds.get(column), Some(Cond::OneOf(lits))
                if lits.iter().all(|l| matches!(l, Lit::Str(_))))
        };
        let column = (0..columns).max_by_key(|&c| {
            // The first of equally keyed columns.
            (rows.iter().filter(|r| keyed(r, c)).count(), usize::MAX - c)
        })?;
        let mut index = KeyIndex {
            column,
            ..KeyIndex::default()
        };
        for (i, row) in rows.iter().enumerate() {
            match row.conds.get(column) {
                Some(Cond::OneOf(lits)) if keyed(row, column) => {
                    for lit in lits {
                        if let Lit::Str(key) = lit {
                            index.add(key, i);
                        }
                    }
                }
                _ => index.others.push(i),
            }
        }
        // Worth it only when most rows are keyed.
        (index.others.len() * 4 < rows.len()).then_some(index)
    }

    /// Notes that row `row` (rows come in order) is keyed by `key`.
    fn add(&mut self, key: &str, row: usize) {
        match self.by_key.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            // A key listed twice in one cell names its row once.
            Ok(at) => {
                if let Some((_, rows)) = self.by_key.get_mut(at) {
                    if rows.last() != Some(&row) {
                        rows.push(row);
                    }
                }
            }
            Err(at) => self.by_key.insert(at, (key.to_owned(), vec![row])),
        }
    }

    /// Candidate rows for `key`, in row order: the rows keyed by it merged with the unkeyed ones.
    fn candidates<'a>(&'a self, key: &str) -> impl Iterator<Item = usize> + 'a {
        let keyed = self
            .by_key
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .and_then(|at| self.by_key.get(at))
            .map_or(&[][..], |(_, rows)| rows.as_slice());
        let (mut a, mut b) = (keyed.iter().peekable(), self.others.iter().peekable());
        std::iter::from_fn(move || match (a.peek(), b.peek()) {
            (Some(&&x), Some(&&y)) if x < y => a.next().copied(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next().copied(),
            (Some(_), None) => a.next().copied(),
            (None, None) => None,
        })
    }
}

/// The result of a lookup: the output value and whether every row it came from is verified.
#[derive(Debug, Clone)]
pub struct Hit {
    pub value: Dynamic,
    pub verified: bool,
}

/// Why a lookup gave no value.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupError {
    NoMatch,
    /// Only reachable if the load-time overlap proof has a gap; kept so it can never pass silently.
    Ambiguous {
        lines: (usize, usize),
    },
    Type {
        input: String,
        line: usize,
        got: String,
    },
}

impl CompiledTable {
    pub fn compile(src: &TableSource) -> Result<CompiledTable, LoadError> {
        let err = |line: Option<usize>, message: String| LoadError::Table {
            loc: Loc::new(src.file.clone(), line),
            table: src.id.clone(),
            message,
        };
        let mut inputs = Vec::new();
        let mut input_cols = Vec::new();
        let mut outputs = Vec::new();
        let mut verified_col = None;
        for (i, col) in src.columns.iter().enumerate() {
            if let Some(name) = col.strip_prefix("in:") {
                inputs.push(name.trim().to_owned());
                input_cols.push(i);
            } else if let Some(name) = col.strip_prefix("out:") {
                outputs.push((name.trim().to_owned(), i));
            } else if col == "verified" {
                verified_col = Some(i);
            } else if col != "note" {
                return Err(err(
                    Some(1),
                    format!("column `{col}` is none of in:<name>, out:<name>, verified, note"),
                ));
            }
        }
        if outputs.is_empty() {
            return Err(err(Some(1), "the table has no out: column".into()));
        }
        // The overlap proof of a `unique` table is quadratic in its rows: bound them so a hostile
        // pack cannot stall loading (20,000 rows took 33 s in a debug build).
        if src.rows.len() > MAX_TABLE_ROWS {
            return Err(err(
                None,
                format!(
                    "{} rows; a table may have at most {MAX_TABLE_ROWS}",
                    src.rows.len()
                ),
            ));
        }
        let mut rows = Vec::new();
        for (r, cells) in src.rows.iter().enumerate() {
            let line = TableSource::row_line(r);
            let cell = |i: usize| cells.get(i).map(String::as_str).unwrap_or("");
            let mut conds = Vec::new();
            for (&col, name) in input_cols.iter().zip(&inputs) {
                conds.push(
                    parse_cond(cell(col))
                        .map_err(|m| err(Some(line), format!("input `{name}`: {m}")))?,
                );
            }
            let output = if let [(_, col)] = outputs.as_slice() {
                parse_output(cell(*col))
            } else {
                let mut map = rhai::Map::new();
                for (name, col) in &outputs {
                    map.insert(name.as_str().into(), parse_output(cell(*col)));
                }
                Dynamic::from_map(map)
            };
            let verified = match verified_col.map(cell) {
                None | Some("") | Some("true") => true,
                Some("false") => false,
                Some(other) => {
                    return Err(err(
                        Some(line),
                        format!("verified must be true or false, not `{other}`"),
                    ))
                }
            };
            rows.push(Row {
                conds,
                output,
                verified,
                line,
            });
        }
        let table = CompiledTable {
            id: src.id.clone(),
            file: src.file.clone(),
            hit: src.hit,
            inputs,
            index: KeyIndex::build(&rows),
            rows,
        };
        if table.hit == HitPolicy::Unique {
            table.check_no_overlap()?;
        }
        Ok(table)
    }

    /// Two rows of a `unique` table overlap when every input column of the one can match a value
    /// the other's matches too.
    fn check_no_overlap(&self) -> Result<(), LoadError> {
        for (i, a) in self.rows.iter().enumerate() {
            for b in self.rows.iter().skip(i + 1) {
                if a.conds.iter().zip(&b.conds).all(|(x, y)| intersects(x, y)) {
                    return Err(LoadError::Table {
                        loc: Loc::new(self.file.clone(), Some(b.line)),
                        table: self.id.clone(),
                        message: format!(
                            "hit policy unique, but the rows on lines {} and {} can both match",
                            a.line, b.line
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Looks up `args` (in `inputs` order) by the table's hit policy.
    pub fn lookup(&self, args: &[Dynamic]) -> Result<Hit, LookupError> {
        let key = self
            .index
            .as_ref()
            .and_then(|index| args.get(index.column))
            .and_then(|a| a.read_lock::<rhai::ImmutableString>());
        match (&self.index, key.as_deref()) {
            (Some(index), Some(key)) => self.pick(
                &mut index.candidates(key).filter_map(|i| self.rows.get(i)),
                args,
            ),
            _ => self.pick(&mut self.rows.iter(), args),
        }
    }

    /// Applies the hit policy to `rows` (in row order). Every candidate is tried, so a type error
    /// on any row is reported whatever the policy finds before it. (One copy of the code for both
    /// kinds of candidates: a `dyn` iterator.)
    fn pick<'r>(
        &'r self,
        rows: &mut dyn Iterator<Item = &'r Row>,
        args: &[Dynamic],
    ) -> Result<Hit, LookupError> {
        let mut first: Option<&Row> = None;
        let mut second: Option<&Row> = None;
        let mut collected = Vec::new();
        let mut all_verified = true;
        for row in rows {
            if !self.row_matches(row, args)? {
                continue;
            }
            match self.hit {
                HitPolicy::First => {
                    return Ok(Hit {
                        value: row.output.clone(),
                        verified: row.verified,
                    })
                }
                HitPolicy::Collect => {
                    collected.push(row.output.clone());
                    all_verified &= row.verified;
                }
                HitPolicy::Unique if first.is_none() => first = Some(row),
                HitPolicy::Unique => {
                    second.get_or_insert(row);
                }
            }
        }
        match (self.hit, first, second) {
            (HitPolicy::Collect, ..) => Ok(Hit {
                value: Dynamic::from_array(collected),
                verified: all_verified,
            }),
            (_, Some(a), Some(b)) => Err(LookupError::Ambiguous {
                lines: (a.line, b.line),
            }),
            (_, Some(row), None) => Ok(Hit {
                value: row.output.clone(),
                verified: row.verified,
            }),
            (_, None, _) => Err(LookupError::NoMatch),
        }
    }

    fn row_matches(&self, row: &Row, args: &[Dynamic]) -> Result<bool, LookupError> {
        for ((cond, arg), name) in row.conds.iter().zip(args).zip(&self.inputs) {
            let ok = match cond {
                Cond::Any => true,
                Cond::OneOf(lits) => lits.iter().any(|lit| lit_equals(lit, arg)),
                Cond::Range { lo, hi } => {
                    let Some(x) = as_number(arg) else {
                        return Err(LookupError::Type {
                            input: name.clone(),
                            line: row.line,
                            got: arg.type_name().to_owned(),
                        });
                    };
                    in_range(x, lo, hi)
                }
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn as_number(d: &Dynamic) -> Option<f64> {
    if let Ok(i) = d.as_int() {
        return Some(i as f64);
    }
    d.as_float().ok()
}

fn lit_equals(lit: &Lit, d: &Dynamic) -> bool {
    match lit {
        Lit::Null => d.is_unit(),
        Lit::Bool(b) => d.as_bool().ok() == Some(*b),
        Lit::Num(n) => as_number(d) == Some(*n),
        Lit::Str(s) => d
            .read_lock::<rhai::ImmutableString>()
            .is_some_and(|v| v.as_str() == s),
    }
}

fn in_range(x: f64, lo: &Option<(f64, bool)>, hi: &Option<(f64, bool)>) -> bool {
    let lo_ok = match lo {
        None => true,
        Some((v, true)) => x >= *v,
        Some((v, false)) => x > *v,
    };
    let hi_ok = match hi {
        None => true,
        Some((v, true)) => x <= *v,
        Some((v, false)) => x < *v,
    };
    lo_ok && hi_ok
}

fn intersects(a: &Cond, b: &Cond) -> bool {
    match (a, b) {
        (Cond::Any, _) | (_, Cond::Any) => true,
        (Cond::OneOf(xs), Cond::OneOf(ys)) => xs.iter().any(|x| ys.contains(x)),
        (Cond::OneOf(xs), Cond::Range { lo, hi }) | (Cond::Range { lo, hi }, Cond::OneOf(xs)) => xs
            .iter()
            .any(|x| matches!(x, Lit::Num(n) if in_range(*n, lo, hi))),
        (Cond::Range { lo: l1, hi: h1 }, Cond::Range { lo: l2, hi: h2 }) => {
            let lo = tighter(l1, l2, true);
            let hi = tighter(h1, h2, false);
            match (lo, hi) {
                (Some((l, li)), Some((h, hi_incl))) => l < h || (l == h && li && hi_incl),
                _ => true,
            }
        }
    }
}

/// The tighter of two bounds: the larger lower bound or the smaller upper bound.
fn tighter(a: &Option<(f64, bool)>, b: &Option<(f64, bool)>, lower: bool) -> Option<(f64, bool)> {
    match (a, b) {
        (None, x) | (x, None) => *x,
        (Some((x, xi)), Some((y, yi))) => {
            if x == y {
                Some((*x, *xi && *yi))
            } else if (x > y) == lower {
                Some((*x, *xi))
            } else {
                Some((*y, *yi))
            }
        }
    }
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    // Only plain decimals: no exponents, no `inf`/`nan` spellings.
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+');
    if ok {
        s.parse::<f64>().ok().filter(|v| v.is_finite())
    } else {
        None
    }
}

fn parse_lit(s: &str) -> Lit {
    match s {
        "null" => Lit::Null,
        "true" => Lit::Bool(true),
        "false" => Lit::Bool(false),
        _ => match parse_number(s) {
            Some(n) => Lit::Num(n),
            None => Lit::Str(s.trim_matches('"').to_owned()),
        },
    }
}

/// Parses an input cell (grammar in docs/pack-format.md).
pub fn parse_cond(cell: &str) -> Result<Cond, String> {
    let cell = cell.trim();
    if cell.is_empty() || cell == "-" {
        return Ok(Cond::Any);
    }
    let bound = |rest: &str, what: &str| {
        parse_number(rest).ok_or_else(|| format!("`{cell}`: `{rest}` after {what} is not a number"))
    };
    if let Some(rest) = cell.strip_prefix("<=") {
        return Ok(Cond::Range {
            lo: None,
            hi: Some((bound(rest, "<=")?, true)),
        });
    }
    if let Some(rest) = cell.strip_prefix(">=") {
        return Ok(Cond::Range {
            lo: Some((bound(rest, ">=")?, true)),
            hi: None,
        });
    }
    if let Some(rest) = cell.strip_prefix('<') {
        return Ok(Cond::Range {
            lo: None,
            hi: Some((bound(rest, "<")?, false)),
        });
    }
    if let Some(rest) = cell.strip_prefix('>') {
        return Ok(Cond::Range {
            lo: Some((bound(rest, ">")?, false)),
            hi: None,
        });
    }
    if let Some((a, b)) = cell.split_once("..") {
        if let (Some(lo), Some(hi)) = (parse_number(a), parse_number(b)) {
            if lo > hi {
                return Err(format!("`{cell}`: empty range"));
            }
            return Ok(Cond::Range {
                lo: Some((lo, true)),
                hi: Some((hi, true)),
            });
        }
    }
    Ok(Cond::OneOf(
        cell.split('|').map(|s| parse_lit(s.trim())).collect(),
    ))
}

/// Parses an output cell: `null`, `true`, `false`, an integer, a decimal, or a string.
pub fn parse_output(cell: &str) -> Dynamic {
    match parse_lit(cell.trim()) {
        Lit::Null => Dynamic::UNIT,
        Lit::Bool(b) => Dynamic::from_bool(b),
        Lit::Num(n) => match cell.trim().parse::<i64>() {
            Ok(i) => Dynamic::from_int(i),
            Err(_) => Dynamic::from_float(n),
        },
        Lit::Str(s) => Dynamic::from(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(hit: HitPolicy, rows: &[&[&str]]) -> Result<CompiledTable, LoadError> {
        CompiledTable::compile(&TableSource {
            id: "t".into(),
            file: "tables/t.csv".into(),
            hit,
            columns: vec!["in:n".into(), "out:v".into(), "verified".into()],
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        })
    }

    #[test]
    fn tables_over_the_row_limit_are_refused() {
        let cells: Vec<String> = (0..=MAX_TABLE_ROWS).map(|i| i.to_string()).collect();
        let rows: Vec<[&str; 3]> = cells.iter().map(|c| [c.as_str(), "v", ""]).collect();
        let rows: Vec<&[&str]> = rows.iter().map(|r| r.as_slice()).collect();
        let e = table(HitPolicy::First, &rows).unwrap_err();
        assert_eq!(e.code(), "pack.table");
        assert!(e.to_string().contains("at most 5000"), "{e}");
        assert!(table(HitPolicy::First, &rows[..MAX_TABLE_ROWS]).is_ok());
    }

    #[test]
    fn bands_do_not_overlap() {
        let t = table(
            HitPolicy::Unique,
            &[
                &["<=9", "a", ""],
                &["10..49", "b", ""],
                &[">=50", "c", "false"],
            ],
        )
        .unwrap();
        let look = |n: i64| t.lookup(&[Dynamic::from_int(n)]).unwrap();
        assert_eq!(look(9).value.cast::<String>(), "a");
        assert_eq!(look(10).value.cast::<String>(), "b");
        assert_eq!(look(49).value.cast::<String>(), "b");
        assert!(look(49).verified);
        assert_eq!(look(50).value.cast::<String>(), "c");
        assert!(!look(50).verified);
    }

    #[test]
    fn overlapping_unique_rows_name_both_lines() {
        let err = table(
            HitPolicy::Unique,
            &[&["<=10", "a", ""], &["10..49", "b", ""]],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("lines 2 and 3"), "{err}");
        assert!(err.contains("tables/t.csv:3"), "{err}");
    }

    #[test]
    fn first_policy_takes_the_first_match() {
        let t = table(
            HitPolicy::First,
            &[&[">=90", "A", ""], &[">=70", "B", ""], &["-", "C", ""]],
        )
        .unwrap();
        let look = |n: f64| {
            t.lookup(&[Dynamic::from_float(n)])
                .unwrap()
                .value
                .cast::<String>()
        };
        assert_eq!(look(90.0), "A");
        assert_eq!(look(89.5), "B");
        assert_eq!(look(69.9), "C");
    }

    #[test]
    fn collect_and_no_match() {
        let t = table(HitPolicy::Collect, &[&[">=1", "a", ""], &[">=2", "b", ""]]).unwrap();
        let v = t
            .lookup(&[Dynamic::from_int(5)])
            .unwrap()
            .value
            .into_array()
            .unwrap();
        assert_eq!(v.len(), 2);
        let u = table(HitPolicy::Unique, &[&["1", "a", ""]]).unwrap();
        assert_eq!(
            u.lookup(&[Dynamic::from_int(2)]).unwrap_err(),
            LookupError::NoMatch
        );
    }

    #[test]
    fn a_string_against_a_range_is_a_type_error() {
        let t = table(HitPolicy::Unique, &[&["<=9", "a", ""]]).unwrap();
        assert!(matches!(
            t.lookup(&[Dynamic::from("x".to_string())]),
            Err(LookupError::Type { .. })
        ));
    }

    #[test]
    fn an_indexed_table_answers_as_a_scan_does() {
        // 40 keyed rows, a range row in the middle and a catch-all at the end.
        let mut rows: Vec<Vec<String>> = (0..40)
            .map(|i| vec![format!("k{i}"), format!("v{i}"), String::new()])
            .collect();
        rows.insert(20, vec!["<=5".into(), "small".into(), String::new()]);
        rows.push(vec!["-".into(), "other".into(), "false".into()]);
        let src = TableSource {
            id: "t".into(),
            file: "tables/t.csv".into(),
            hit: HitPolicy::First,
            columns: vec!["in:n".into(), "out:v".into(), "verified".into()],
            rows,
        };
        let t = CompiledTable::compile(&src).unwrap();
        assert!(t.index.is_some());
        let look = |s: &str| t.lookup(&[Dynamic::from(s.to_string())]);
        assert_eq!(look("k7").unwrap().value.cast::<String>(), "v7");
        // Past the range row, a string meets it first, exactly as a scan would: a type error.
        assert!(matches!(
            look("k39"),
            Err(LookupError::Type { line: 22, .. })
        ));
        assert!(matches!(look("zz"), Err(LookupError::Type { .. })));
        // A number still reaches the range row, by the full scan.
        assert_eq!(
            t.lookup(&[Dynamic::from_int(3)])
                .unwrap()
                .value
                .cast::<String>(),
            "small"
        );
        // Without the range row, keys and the catch-all are found through the index.
        let mut keyed = src.clone();
        keyed.rows.remove(20);
        let k = CompiledTable::compile(&keyed).unwrap();
        let look = |s: &str| k.lookup(&[Dynamic::from(s.to_string())]).unwrap();
        assert_eq!(look("k39").value.cast::<String>(), "v39");
        let other = look("zz");
        assert_eq!(other.value.cast::<String>(), "other");
        assert!(!other.verified);
        let mut collect = keyed.clone();
        collect.hit = HitPolicy::Collect;
        let c = CompiledTable::compile(&collect).unwrap();
        let both = c.lookup(&[Dynamic::from("k3".to_string())]).unwrap();
        assert_eq!(
            both.value.into_array().unwrap().len(),
            2,
            "k3 and the catch-all"
        );
    }

    #[test]
    fn a_table_keyed_by_its_second_column_is_indexed_there_and_answers_as_a_scan_does() {
        // The shape of a catalogue: two exceptions keyed by the first column, then 40 rows keyed
        // by the second, and a row listing one key twice.
        let mut rows: Vec<Vec<String>> = vec![
            vec!["x1".into(), "-".into(), "first-x1".into(), String::new()],
            vec!["x2".into(), "-".into(), "first-x2".into(), String::new()],
        ];
        rows.extend(
            (0..40).map(|i| vec!["-".into(), format!("k{i}"), format!("v{i}"), String::new()]),
        );
        rows.push(vec![
            "-".into(),
            "k3|k3".into(),
            "again".into(),
            String::new(),
        ]);
        let src = TableSource {
            id: "t".into(),
            file: "tables/t.csv".into(),
            hit: HitPolicy::First,
            columns: vec![
                "in:a".into(),
                "in:b".into(),
                "out:v".into(),
                "verified".into(),
            ],
            rows,
        };
        let t = CompiledTable::compile(&src).unwrap();
        assert_eq!(t.index.as_ref().map(|i| i.column), Some(1));
        let s = |v: &str| Dynamic::from(v.to_string());
        let value = |t: &CompiledTable, a: &str, b: &str| {
            format!("{:?}", t.lookup(&[s(a), s(b)]).map(|h| h.value.to_string()))
        };
        assert_eq!(value(&t, "", "k7"), r#"Ok("v7")"#);
        // A first-column exception is among the candidates of every key, in row order.
        assert_eq!(value(&t, "x2", "k9"), r#"Ok("first-x2")"#);
        assert_eq!(value(&t, "", "zz"), "Err(NoMatch)");
        // The same rows below the index threshold are scanned: the answers are the same.
        let mut small = src.clone();
        small.rows.retain(|r| {
            r.first().is_some_and(|a| a != "-")
                || ["k3", "k5", "k7", "k9", "k3|k3"].contains(&r[1].as_str())
        });
        let scan = CompiledTable::compile(&small).unwrap();
        assert!(scan.index.is_none());
        for (a, b) in [
            ("", "k7"),
            ("x2", "k9"),
            ("x1", "k5"),
            ("", "zz"),
            ("", "k3"),
        ] {
            assert_eq!(value(&t, a, b), value(&scan, a, b), "{a} {b}");
        }
        // k3 matches its own row and the row listing it twice: two rows, not three.
        let mut collect = src.clone();
        collect.hit = HitPolicy::Collect;
        let c = CompiledTable::compile(&collect).unwrap();
        let both = c
            .lookup(&[s(""), s("k3")])
            .unwrap()
            .value
            .into_array()
            .unwrap();
        assert_eq!(both.len(), 2);
    }

    #[test]
    fn bad_cells_are_load_errors() {
        assert!(table(HitPolicy::Unique, &[&[">=x", "a", ""]]).is_err());
        assert!(table(HitPolicy::Unique, &[&["1", "a", "maybe"]]).is_err());
    }
}
