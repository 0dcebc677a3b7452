//! Pack test cases (`tests/*.toml`): an input, the expected outcome, and the regulation it comes
//! from. Parsed and run here, in the core, so the CLI and the WASM harness share one runner.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::compile::CompiledPack;
use crate::error::{LoadError, Loc};
use crate::eval::EvalOptions;
use crate::outcome::{DecisionStatus, Outcome};
use crate::source::{self, PackFiles};

#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub basis: String,
    pub input: Value,
    pub expect: Expect,
    pub loc: Loc,
}

#[derive(Debug, Clone, Default)]
pub struct Expect {
    pub decisions: BTreeMap<String, Value>,
    pub pending: Vec<String>,
    pub failing: Option<Vec<String>>,
    pub missing: Option<Vec<String>>,
    pub complete: Option<bool>,
    pub errors: Option<Vec<String>>,
    pub unverified: Vec<String>,
    /// Decisions that must be decided with the value null (TOML has no null).
    pub null: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    case: Vec<toml::Spanned<RawCase>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    basis: String,
    input: toml::Table,
    expect: RawExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    #[serde(default)]
    decisions: toml::Table,
    #[serde(default)]
    pending: Vec<String>,
    failing: Option<Vec<String>>,
    missing: Option<Vec<String>>,
    complete: Option<bool>,
    errors: Option<Vec<String>>,
    #[serde(default)]
    unverified: Vec<String>,
    #[serde(default)]
    null: Vec<String>,
}

/// Converts TOML to JSON; TOML dates become ISO strings, as a form would send them.
pub fn toml_to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => table_to_json(t),
    }
}

fn table_to_json(t: &toml::Table) -> Value {
    Value::Object(
        t.iter()
            .map(|(k, v)| (k.clone(), toml_to_json(v)))
            .collect(),
    )
}

/// Reads every `tests/*.toml` of a pack.
pub fn parse_tests(files: &PackFiles) -> Result<Vec<TestCase>, LoadError> {
    let mut cases = Vec::new();
    for (path, text) in files.matching("tests/", ".toml") {
        let raw: RawFile = source::parse_toml(path, text)?;
        let lines = source::Lines::new(text);
        for spanned in raw.case {
            let loc = Loc::new(path, Some(lines.of(spanned.span().start)));
            let c = spanned.into_inner();
            if c.basis.trim().is_empty() {
                return Err(LoadError::TestCase {
                    loc,
                    case: c.name,
                    message: "every case names the regulation it comes from (`basis`)".into(),
                });
            }
            cases.push(TestCase {
                input: table_to_json(&c.input),
                expect: Expect {
                    decisions: c
                        .expect
                        .decisions
                        .iter()
                        .map(|(k, v)| (k.clone(), toml_to_json(v)))
                        .collect(),
                    pending: c.expect.pending,
                    failing: c.expect.failing,
                    missing: c.expect.missing,
                    complete: c.expect.complete,
                    errors: c.expect.errors,
                    unverified: c.expect.unverified,
                    null: c.expect.null,
                },
                name: c.name,
                basis: c.basis,
                loc,
            });
        }
    }
    Ok(cases)
}

/// Whether `actual` has what `expected` asks for: objects compare only the keys given,
/// numbers compare by value, everything else exactly.
pub fn value_matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| value_matches(ev, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| value_matches(x, y))
        }
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual,
    }
}

/// Runs a case; returns what did not match (empty when it passes).
pub fn run_case(pack: &CompiledPack, case: &TestCase) -> (Outcome, Vec<String>) {
    let outcome = pack.evaluate(&case.input, &EvalOptions::default());
    let problems = check(&outcome, &case.expect);
    (outcome, problems)
}

pub fn check(outcome: &Outcome, expect: &Expect) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, expected) in &expect.decisions {
        match outcome.decisions.get(name) {
            None => problems.push(format!("decision `{name}` does not exist")),
            Some(d) if d.status != DecisionStatus::Decided => problems.push(format!(
                "decision `{name}`: expected {expected}, but it is {:?}",
                d.status
            )),
            Some(d) if !value_matches(expected, &d.value) => problems.push(format!(
                "decision `{name}`: expected {expected}, got {}",
                d.value
            )),
            Some(_) => {}
        }
    }
    for name in &expect.pending {
        match outcome.decisions.get(name) {
            Some(d) if d.status == DecisionStatus::Pending => {}
            Some(d) => problems.push(format!(
                "decision `{name}`: expected pending, got {:?} {}",
                d.status, d.value
            )),
            None => problems.push(format!("decision `{name}` does not exist")),
        }
    }
    for name in &expect.null {
        match outcome.decisions.get(name) {
            Some(d) if d.status == DecisionStatus::Decided && d.value.is_null() => {}
            Some(d) => problems.push(format!(
                "decision `{name}`: expected decided null, got {:?} {}",
                d.status, d.value
            )),
            None => problems.push(format!("decision `{name}` does not exist")),
        }
    }
    for name in &expect.unverified {
        match outcome.decisions.get(name) {
            Some(d) if d.unverified => {}
            Some(_) => problems.push(format!("decision `{name}`: expected unverified")),
            None => problems.push(format!("decision `{name}` does not exist")),
        }
    }
    if let Some(failing) = &expect.failing {
        let mut want: Vec<&str> = failing.iter().map(String::as_str).collect();
        let mut got = outcome.failing_rules();
        want.sort_unstable();
        got.sort_unstable();
        if want != got {
            problems.push(format!("failing rules: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(missing) = &expect.missing {
        let mut want = missing.clone();
        want.sort();
        let mut got = outcome.missing.clone();
        got.sort();
        if want != got {
            problems.push(format!("missing: expected {want:?}, got {got:?}"));
        }
    }
    if let Some(complete) = expect.complete {
        if outcome.complete != complete {
            problems.push(format!(
                "complete: expected {complete}, got {}",
                outcome.complete
            ));
        }
    }
    if let Some(errors) = &expect.errors {
        let mut want = errors.clone();
        want.sort();
        let mut got: Vec<String> = outcome
            .errors
            .iter()
            .map(|e| match (&e.path, &e.rule) {
                (Some(p), _) => format!("{}@{p}", e.code),
                (None, Some(r)) => format!("{}@{r}", e.code),
                (None, None) => e.code.clone(),
            })
            .collect();
        got.sort();
        if want != got {
            problems.push(format!("errors: expected {want:?}, got {got:?}"));
        }
    }
    problems
}
