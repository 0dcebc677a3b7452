//! Evaluation: a compiled pack and an input document give an `Outcome`.
//!
//! Rules run in dependency order. Each first checks what it reads: an absent field (or a pending
//! value) makes it `pending`, an invalid one (or an errored value) makes it `error`; only then does
//! it run, inside the sandbox's limits.

mod direct;
pub mod input;
#[cfg(feature = "reference")]
mod reference;
mod selection;

pub use selection::{SelectError, Selection};

use std::sync::Arc;

use rhai::{Dynamic, Map, Scope, INT};
use serde_json::Value;

use crate::compile::table::LookupError;
use crate::compile::{
    Body, CompiledPack, CompiledRule, Expr, ForEach, Reads, ValueSource, PARAMS_ROOT, RULES_ROOT,
    SCORES_ROOT,
};
use crate::outcome::{
    DecisionOut, DecisionStatus, ErrorOut, FieldNote, Outcome, PackRef, RuleOut, RuleStatus,
    OUTCOME_SCHEMA,
};
use crate::sorted::{permuted, sorted_positions, SortedMap, SortedSet};
use crate::source::Severity;
use crate::text::{Lang, Text};
use input::{FieldState, InputView};

thread_local! {
    /// The `let` variables of direct forms, one buffer reused by every expression of a thread.
    static LOCALS: std::cell::Cell<Vec<Dynamic>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Largest input document `evaluate_str` accepts, in bytes.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct EvalOptions {
    pub lang: Lang,
    pub max_input_bytes: usize,
    pub detail: Detail,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            lang: Lang::Both,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            detail: Detail::Full,
        }
    }
}

/// How much of the outcome to build.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Detail {
    /// Everything: decisions, the trace of every rule, and the notes for each field.
    #[default]
    Full,
    /// Decisions, `complete`, `missing` and `errors` only; `rules` and `fields` stay empty.
    /// Every rule still runs, so these are exactly the full outcome's: for callers that act on the
    /// answer and show no trace (batch re-checks, a form's submit button, comparisons).
    Decisions,
}

impl Detail {
    /// The option's spelling in JS and HTTP: `full` or `decisions`.
    pub fn parse(s: &str) -> Option<Detail> {
        match s {
            "full" => Some(Detail::Full),
            "decisions" => Some(Detail::Decisions),
            _ => None,
        }
    }
}

/// What `run_rules` keeps of a rule's value besides its JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The JSON only: the value itself moves on to the later rules (an evaluation).
    Json,
    /// A copy of the value too (the constant rules, computed once and reused).
    Values,
}

/// What one rule came to.
#[derive(Debug, Clone)]
pub(crate) struct RuleResult {
    status: RuleStatus,
    value: Option<Dynamic>,
    /// The value as JSON (or why it cannot be printed), made when the value moves on to the later
    /// rules.
    json: Option<Result<Value, String>>,
    unverified: bool,
    missing: Vec<String>,
    fields: Vec<Arc<str>>,
    /// Paths to annotate when an assertion fails (for a list, the failing items' fields only).
    fail_paths: Vec<Arc<str>>,
    error: Option<(&'static str, String)>,
    /// Computed once at compile time: its value belongs to the pack, not to this input.
    constant: bool,
}

impl RuleResult {
    fn new(status: RuleStatus) -> Self {
        RuleResult {
            status,
            value: None,
            json: None,
            unverified: false,
            missing: Vec::new(),
            fields: Vec::new(),
            fail_paths: Vec::new(),
            error: None,
            constant: false,
        }
    }
}

/// The outcome of checking what a rule reads before running it.
#[derive(Default)]
struct Gate {
    /// Whether to list the fields read, for the trace (`Detail::Full`).
    trace: bool,
    missing: Vec<String>,
    error: bool,
    unverified: bool,
    fields: Vec<Arc<str>>,
}

/// A present list field's value is an array of one map per item view; anything else is a bug in
/// `InputView::build`, reported as the rule's error rather than a panic.
const LIST_NOT_CONVERTED: &str = "internal: a list field's items were not converted to maps";

/// The current item of a `for_each` rule, as its expressions see it.
struct ItemBinding<'a> {
    alias: &'a str,
    value: &'a Map,
    index: Option<(&'a str, INT)>,
}

enum RunError {
    Budget(String),
    Runtime(String),
    /// The rule called `pending(paths)`.
    Pending(Vec<String>),
}

impl RunError {
    fn into_parts(self) -> (&'static str, String) {
        match self {
            RunError::Budget(m) => ("rule.budget", m),
            RunError::Runtime(m) => ("rule.runtime", m),
            RunError::Pending(paths) => {
                ("rule.runtime", format!("pending on {}", paths.join(", ")))
            }
        }
    }
}

impl CompiledPack {
    /// Evaluates a JSON text, refusing one over the size limit or not valid JSON.
    pub fn evaluate_str(&self, text: &str, options: &EvalOptions) -> Outcome {
        self.evaluate_str_in(text, options, None)
    }

    /// [`CompiledPack::evaluate_str`] limited to the selected decisions and the rules they need.
    pub fn evaluate_str_selected(
        &self,
        text: &str,
        options: &EvalOptions,
        selection: &Selection,
    ) -> Outcome {
        self.evaluate_str_in(text, options, Some(selection))
    }

    /// Evaluates an input document (a JSON object).
    pub fn evaluate(&self, input: &Value, options: &EvalOptions) -> Outcome {
        self.evaluate_in(input, options, None)
    }

    /// [`CompiledPack::evaluate`] limited to the selected decisions and the rules they need.
    pub fn evaluate_selected(
        &self,
        input: &Value,
        options: &EvalOptions,
        selection: &Selection,
    ) -> Outcome {
        self.evaluate_in(input, options, Some(selection))
    }

    fn evaluate_str_in(
        &self,
        text: &str,
        options: &EvalOptions,
        selection: Option<&Selection>,
    ) -> Outcome {
        if text.len() > options.max_input_bytes {
            return self.document_error(
                "input.too_large",
                Text::new(
                    format!(
                        "输入文档过大：{} 字节，上限 {} 字节",
                        text.len(),
                        options.max_input_bytes
                    ),
                    format!(
                        "input document too large: {} bytes, limit {}",
                        text.len(),
                        options.max_input_bytes
                    ),
                ),
                *options,
                selection,
            );
        }
        match serde_json::from_str::<Value>(text) {
            Ok(v) => self.evaluate_in(&v, options, selection),
            Err(e) => self.document_error(
                "input.malformed",
                Text::new(
                    format!("输入不是有效的 JSON：{e}"),
                    format!("input is not valid JSON: {e}"),
                ),
                *options,
                selection,
            ),
        }
    }

    fn evaluate_in(
        &self,
        input: &Value,
        options: &EvalOptions,
        selection: Option<&Selection>,
    ) -> Outcome {
        if let Some(other) = selection.filter(|s| s.digest != self.digest) {
            return self.document_error(
                "selection.other_pack",
                Text::new(
                    format!(
                        "所选结论属于另一规则包（{}），不是 {}",
                        other.digest, self.digest
                    ),
                    format!(
                        "the selection was made for another pack ({}), not {}",
                        other.digest, self.digest
                    ),
                ),
                *options,
                None,
            );
        }
        let Value::Object(doc) = input else {
            return self.document_error(
                "input.wrong_type",
                Text::new(
                    "输入文档应为 JSON 对象",
                    "the input document must be a JSON object",
                ),
                *options,
                selection,
            );
        };
        let runs = selection.map(|s| s.runs.as_slice());
        let view = InputView::build(&self.schema, doc);
        let results = self.run_rules(&view, Keep::Json, options.detail, runs);
        self.assemble(&view, results, options.lang, options.detail)
    }

    /// Evaluates the rules that read no input once, on an empty document.
    pub(crate) fn constant_results(&self, constant: &[bool]) -> Vec<Option<RuleResult>> {
        let view = InputView::build(&self.schema, &serde_json::Map::new());
        // With the fields each rule read: a constant's result serves full outcomes too.
        let results = self.run_rules(&view, Keep::Values, Detail::Full, None);
        results
            .into_iter()
            .zip(constant)
            .map(|(r, &c)| {
                r.filter(|_| c).map(|mut r| {
                    r.constant = true;
                    r
                })
            })
            .collect()
    }

    /// Runs every rule in dependency order (with `runs`, only the rules it marks), reusing the
    /// results of constant rules. A rule's value moves on to the later rules ([`Vars`]); its
    /// result keeps the JSON of it (and, with `Keep::Values`, a copy of the value itself). A rule
    /// that did not run has no result.
    fn run_rules(
        &self,
        view: &InputView,
        keep: Keep,
        detail: Detail,
        runs: Option<&[bool]>,
    ) -> Vec<Option<RuleResult>> {
        let mut vars = Vars {
            scope: Scope::new(),
            scope_ready: false,
            produced: vec![None; self.rules.len()],
            unpublished: Vec::new(),
        };
        let mut results: Vec<Option<RuleResult>> = vec![None; self.rules.len()];
        for &i in &self.order {
            let Some(rule) = self.rules.get(i) else {
                continue;
            };
            if runs.is_some_and(|runs| !runs.get(i).copied().unwrap_or(false)) {
                continue;
            }
            let (mut result, value) = match self.constants.get(i).and_then(Option::as_ref) {
                Some(constant) => {
                    let mut r = constant.clone();
                    let value = r.value.take();
                    (r, value)
                }
                None => {
                    let mut r = self.evaluate_rule(rule, view, &results, &mut vars, detail);
                    let value = match keep {
                        Keep::Values => r.value.clone(),
                        Keep::Json => r.value.take(),
                    };
                    (r, value)
                }
            };
            if result.json.is_none() {
                // A decisions-only outcome prints no other rule's value: it is only checked to be
                // printable (an unprintable value is an error of its rule either way).
                result.json = value.as_ref().map(|v| {
                    if detail == Detail::Full || rule.is_decision() {
                        to_json(v)
                    } else {
                        check_json(v).map(|()| Value::Null)
                    }
                });
            }
            // A value that cannot be printed is an error of its rule (`assemble` reports it), and
            // like any errored rule's value it is not published: the rules that read it stop at
            // their gate with `error` too.
            if matches!(result.json, Some(Err(_))) {
                result.status = RuleStatus::Error;
            }
            vars.produce(i, &result, value);
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(result);
            }
        }
        results
    }

    fn pack_ref(&self) -> PackRef {
        PackRef {
            id: self.id().to_owned(),
            version: self.version().to_owned(),
            digest: self.digest.clone(),
        }
    }

    /// An outcome for an input that could not be read at all: every rule and decision (of the
    /// selection, with one) is `error`.
    fn document_error(
        &self,
        code: &str,
        message: Text,
        options: EvalOptions,
        selection: Option<&Selection>,
    ) -> Outcome {
        let lang = options.lang;
        let selected =
            |i: &usize| selection.map_or(true, |s| s.runs.get(*i).copied() == Some(true));
        let decisions = self
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| selected(i))
            .filter_map(|(_, r)| {
                let path = r.decision_path()?;
                Some((
                    path.to_owned(),
                    DecisionOut {
                        value: Value::Null,
                        status: DecisionStatus::Error,
                        because: r.because_ids.clone(),
                        unverified: false,
                        scheme: r.decl.scheme.clone(),
                    },
                ))
            })
            .collect();
        let rules = self
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| options.detail == Detail::Full && selected(i))
            .map(|(_, r)| r)
            .map(|r| self.rule_out(r, &mut RuleResult::new(RuleStatus::Error), lang, None))
            .collect();
        Outcome {
            schema: OUTCOME_SCHEMA.into(),
            pack: self.pack_ref(),
            complete: false,
            decisions,
            rules,
            fields: SortedMap::default(),
            missing: Vec::new(),
            errors: vec![ErrorOut {
                code: code.into(),
                path: None,
                rule: None,
                message: lang.render(&message),
            }],
        }
    }

    fn initial_scope(&self, mut roots: input::Roots) -> Scope<'static> {
        for root in &self.value_roots {
            let _map = roots.entry(root);
        }
        if let Some(params) = roots.entry(PARAMS_ROOT) {
            *params = Dynamic::from_map(self.params.clone());
        }
        for root in [RULES_ROOT, SCORES_ROOT] {
            if let Some(results) = roots.entry(root) {
                *results = Dynamic::from_map(Map::new());
            }
        }
        let mut scope = Scope::new();
        for (name, value) in roots.0 {
            // Constants: a rule cannot change what later rules read.
            scope.push_constant_dynamic(name, value);
        }
        scope
    }

    fn gate(
        &self,
        reads: &Reads,
        view: &InputView,
        results: &[Option<RuleResult>],
        gate: &mut Gate,
    ) {
        if gate.trace {
            // The body may read what `when` read: each field once, in the order first read.
            let known = gate.fields.len();
            for path in &reads.fields {
                if !gate.fields.iter().take(known).any(|f| f == path) {
                    gate.fields.push(path.clone());
                }
            }
        }
        for (path, &(slot, optional)) in reads.fields.iter().zip(&reads.slots) {
            match view.state(slot) {
                FieldState::Present => {}
                FieldState::Absent if optional => {}
                FieldState::Absent => gate.missing.push(path.to_string()),
                FieldState::Invalid => gate.error = true,
            }
        }
        for producer in &reads.producers {
            match producer.and_then(|i| results.get(i)?.as_ref()) {
                Some(r) => {
                    gate.unverified |= r.unverified;
                    match r.status {
                        RuleStatus::Pending => gate.missing.extend(r.missing.iter().cloned()),
                        RuleStatus::Error => gate.error = true,
                        _ => {}
                    }
                }
                None => gate.error = true,
            }
        }
    }

    fn evaluate_rule(
        &self,
        rule: &CompiledRule,
        view: &InputView,
        results: &[Option<RuleResult>],
        vars: &mut Vars,
        detail: Detail,
    ) -> RuleResult {
        let mut gate = Gate {
            trace: detail == Detail::Full,
            ..Gate::default()
        };
        // 1. Applicability.
        if let Some(when) = &rule.when {
            self.gate(&when.reads, view, results, &mut gate);
            if let Some(stop) = stop_at_gate(&mut gate) {
                return stop;
            }
            match self.run_bool(when, vars, view, None) {
                Ok(true) => {}
                Ok(false) => {
                    let mut r = RuleResult::new(RuleStatus::NotApplicable);
                    r.fields = gate.fields;
                    r.unverified = gate.unverified;
                    return r;
                }
                Err(e) => return self.pending_or_error(gate, e),
            }
        }
        if let Body::Value {
            source: ValueSource::AllPass(ids),
            ..
        } = &rule.body
        {
            return all_pass(rule, gate, ids, results);
        }
        // 2. What the body reads, item fields included.
        self.gate(&rule.body_reads, view, results, &mut gate);
        let items = match &rule.for_each {
            None => None,
            Some(fe) => {
                if gate.trace && !gate.fields.contains(&fe.list_path) {
                    gate.fields.push(fe.list_path.clone());
                }
                match view.state(fe.list_slot) {
                    FieldState::Absent => {
                        gate.missing.push(fe.list.clone());
                        None
                    }
                    FieldState::Invalid => {
                        gate.error = true;
                        None
                    }
                    FieldState::Present => {
                        let items = view.items(fe.list_slot);
                        for (i, item) in items.iter().enumerate() {
                            let reads = &rule.body_reads;
                            for (k, (name, &(slot, optional))) in
                                reads.item_fields.iter().zip(&reads.item_slots).enumerate()
                            {
                                let path = item_path(rule, fe, k, i, name);
                                match item.state(slot) {
                                    FieldState::Present => {}
                                    FieldState::Absent if optional => {}
                                    FieldState::Absent => gate.missing.push(path.to_string()),
                                    FieldState::Invalid => gate.error = true,
                                }
                                if gate.trace {
                                    gate.fields.push(path);
                                }
                            }
                        }
                        Some(items)
                    }
                }
            }
        };
        if let Some(stop) = stop_at_gate(&mut gate) {
            return stop;
        }
        // 3. Run.
        match (&rule.for_each, items) {
            (Some(fe), Some(items)) => {
                // The items' maps, read in place from the list's converted value (one map per
                // item view, built together by `InputView::build`).
                let Some(Ok(list)) = view.values.get(fe.list_slot).map(Dynamic::as_array_ref)
                else {
                    return self
                        .pending_or_error(gate, RunError::Runtime(LIST_NOT_CONVERTED.into()));
                };
                let mut outputs = Vec::with_capacity(items.len());
                for index in 0..items.len() {
                    let Some(Ok(item)) = list.get(index).map(Dynamic::as_map_ref) else {
                        return self
                            .pending_or_error(gate, RunError::Runtime(LIST_NOT_CONVERTED.into()));
                    };
                    let binding = ItemBinding {
                        alias: &fe.alias,
                        value: &item,
                        index: fe
                            .index
                            .as_deref()
                            .map(|name| (name, INT::try_from(index).unwrap_or(INT::MAX))),
                    };
                    match self.run_body(rule, vars, view, Some(&binding)) {
                        Ok(o) => outputs.push(o),
                        Err(e) => return self.pending_or_error(gate, e),
                    }
                }
                self.combine(rule, gate, outputs)
            }
            _ => match self.run_body(rule, vars, view, None) {
                Ok(o) => self.combine(rule, gate, std::iter::once(o)),
                Err(e) => self.pending_or_error(gate, e),
            },
        }
    }

    /// Runs one expression.
    fn run(
        &self,
        expr: &Expr,
        vars: &mut Vars,
        view: &InputView,
        item: Option<&ItemBinding<'_>>,
    ) -> Result<Dynamic, RunError> {
        #[cfg(feature = "reference")]
        if self.reference.interpret {
            return self.run_in_rhai(expr, vars, view, item);
        }
        let form = &expr.direct;
        if form.needs_scope {
            vars.fill_scope(self, view);
        }
        let mut env = direct::Env {
            scope: &vars.scope,
            params: &self.params,
            produced: &vars.produced,
            fields: &view.values,
            item: item.map(|b| (b.alias, b.value)),
            index: item.and_then(|b| b.index),
            locals: LOCALS.take(),
            max_string: self.limits.max_string_size,
            max_variables: self.limits.max_variables,
            max_array: self.limits.max_array_size,
            max_operations: self.limits.max_operations,
            visited: 0,
        };
        let answer = direct::evaluate(form, &mut env);
        let mut locals = env.locals;
        locals.clear();
        LOCALS.set(locals);
        answer.map_err(|stop| match stop {
            direct::Stop::Error(m) => RunError::Runtime(m),
            direct::Stop::Budget(m) => RunError::Budget(format!("stopped at its budget: {m}")),
            direct::Stop::Pending(paths) => RunError::Pending(paths),
            // `evaluate` takes a `return`'s value.
            direct::Stop::Return(_) => RunError::Runtime("internal: a `return` escaped".into()),
        })
    }

    fn run_bool(
        &self,
        expr: &Expr,
        vars: &mut Vars,
        view: &InputView,
        item: Option<&ItemBinding<'_>>,
    ) -> Result<bool, RunError> {
        let v = self.run(expr, vars, view, item)?;
        v.as_bool()
            .map_err(|t| RunError::Runtime(format!("expected a true/false result, got {t}")))
    }

    fn run_body(
        &self,
        rule: &CompiledRule,
        vars: &mut Vars,
        view: &InputView,
        item: Option<&ItemBinding<'_>>,
    ) -> Result<Output, RunError> {
        match &rule.body {
            Body::Assert(e) => self.run_bool(e, vars, view, item).map(Output::Bool),
            Body::Points { expr, max } => {
                let v = self.run(expr, vars, view, item)?;
                let p = as_number(&v).ok_or_else(|| {
                    RunError::Runtime(format!("points must be a number, got {}", v.type_name()))
                })?;
                if !(0.0..=*max).contains(&p) {
                    return Err(RunError::Runtime(format!("points {p} outside 0..={max}")));
                }
                Ok(Output::Value(v, true))
            }
            Body::Value { source, .. } => match source {
                ValueSource::AllPass(_) => Err(RunError::Runtime(
                    "all_pass is decided before running".into(),
                )),
                ValueSource::Expr(e) => self
                    .run(e, vars, view, item)
                    .map(|v| Output::Value(v, true)),
                ValueSource::Table { table, args } => {
                    let mut values: smallvec::SmallVec<[Dynamic; 4]> = smallvec::SmallVec::new();
                    for a in args {
                        let v = self.run(a, vars, view, item)?;
                        // An input that does not apply makes the lookup not apply either.
                        if v.is_unit() {
                            return Ok(Output::Value(Dynamic::UNIT, true));
                        }
                        values.push(v);
                    }
                    let Some(t) = self.tables.get(*table) else {
                        return Err(RunError::Runtime("table index out of range".into()));
                    };
                    match t.lookup(&values) {
                        Ok(hit) => Ok(Output::Value(hit.value, hit.verified)),
                        Err(LookupError::NoMatch) => Err(RunError::Runtime(format!(
                            "no row of table `{}` matches {}",
                            t.id,
                            describe_args(&t.inputs, &values)
                        ))),
                        Err(LookupError::Ambiguous { lines }) => Err(RunError::Runtime(format!(
                            "rows on lines {} and {} of `{}` both match",
                            lines.0, lines.1, t.file
                        ))),
                        Err(LookupError::Type { input, line, got }) => Err(RunError::Runtime(
                            format!(
                                "input `{input}` of table `{}` is {got}, but line {line} compares numbers",
                                t.id
                            ),
                        )),
                    }
                }
            },
        }
    }

    /// Turns the per-item (or single) outputs into the rule's result.
    fn combine(
        &self,
        rule: &CompiledRule,
        gate: Gate,
        outputs: impl IntoIterator<Item = Output>,
    ) -> RuleResult {
        let mut r = RuleResult::new(RuleStatus::Pass);
        r.unverified = gate.unverified || !rule.decl.verified;
        r.fields = gate.fields;
        match &rule.body {
            Body::Assert(_) => {
                let mut failed = false;
                for (i, out) in outputs.into_iter().enumerate() {
                    if matches!(out, Output::Bool(false)) {
                        failed = true;
                        if let Some(fe) = &rule.for_each {
                            r.fail_paths.extend(
                                rule.body_reads
                                    .item_fields
                                    .iter()
                                    .enumerate()
                                    .map(|(k, n)| item_path(rule, fe, k, i, n)),
                            );
                        }
                    }
                }
                if failed {
                    r.status = RuleStatus::Fail;
                    r.fail_paths.extend(rule.body_reads.fields.iter().cloned());
                    if r.fail_paths.is_empty() {
                        if let Some(fe) = &rule.for_each {
                            r.fail_paths.push(fe.list_path.clone());
                        }
                    }
                }
            }
            Body::Points { .. } | Body::Value { .. } => {
                let mut values = outputs.into_iter().filter_map(|out| match out {
                    Output::Value(v, verified) => {
                        r.unverified |= !verified;
                        Some(v)
                    }
                    Output::Bool(_) => None,
                });
                let value = match (&rule.for_each, &rule.body) {
                    (Some(_), Body::Points { .. }) => sum_points(&values.collect::<Vec<_>>()),
                    (Some(_), _) => Dynamic::from_array(values.collect()),
                    (None, _) => values.next().unwrap_or(Dynamic::UNIT),
                };
                if value.is_unit() {
                    r.status = RuleStatus::NotApplicable;
                } else {
                    r.value = Some(value);
                }
            }
        }
        r
    }

    fn rule_out(
        &self,
        rule: &CompiledRule,
        r: &mut RuleResult,
        lang: Lang,
        value: Option<Value>,
    ) -> RuleOut {
        let d = &rule.decl;
        let severity = d
            .kind
            .asserts()
            .then(|| severity_name(d.severity.unwrap_or_default()).to_owned());
        RuleOut {
            id: rule.id.clone(),
            kind: d.kind,
            status: r.status,
            severity,
            message: (r.status == RuleStatus::Fail).then(|| lang.render(&d.message)),
            // A constant's value is part of the pack (and can be large: a reference list).
            value: if r.constant { None } else { value },
            // Listed once each as the gate collected them.
            fields: std::mem::take(&mut r.fields),
            missing: self.sort_paths(std::mem::take(&mut r.missing)),
            basis: rule.basis.clone(),
            unverified: r.unverified,
        }
    }

    /// The outcome of the rules that ran (every rule, unless the evaluation was limited to a
    /// selection of decisions).
    fn assemble(
        &self,
        view: &InputView,
        mut results: Vec<Option<RuleResult>>,
        lang: Lang,
        detail: Detail,
    ) -> Outcome {
        let full = detail == Detail::Full;
        let mut errors: Vec<ErrorOut> = view
            .errors
            .iter()
            .map(|e| ErrorOut {
                code: e.code.into(),
                path: e.path.clone(),
                rule: None,
                message: lang.render(&e.message),
            })
            .collect();
        // Each field's notes in the order given, the fields in path order once all are in.
        let mut notes: Vec<(String, FieldNote)> = Vec::new();
        for e in view.errors.iter().filter(|_| full) {
            if let Some(path) = &e.path {
                notes.push((
                    path.clone(),
                    FieldNote {
                        rule: None,
                        status: RuleStatus::Error,
                        severity: None,
                        message: lang.render(&e.message),
                    },
                ));
            }
        }
        // In rule order; put in path order once all are in.
        let mut decisions: Vec<(String, DecisionOut)> = Vec::new();
        let mut missing = Vec::new();
        let mut rules = Vec::with_capacity(if full { self.rules.len() } else { 0 });
        let ran = self
            .rules
            .iter()
            .zip(results.iter_mut())
            .filter_map(|(rule, r)| Some((rule, r.as_mut()?)));
        for (rule, r) in ran {
            let is_decision = rule.is_decision();
            // A decision value that cannot be printed (a non-finite number, a foreign type) is an
            // error of its rule, never a silently altered value. Without the trace, other rules'
            // values were only checked (`check_json`).
            let mut json_value = None;
            match r.json.take() {
                Some(Ok(j)) => json_value = (full || is_decision).then_some(j),
                Some(Err(m)) => {
                    r.status = RuleStatus::Error;
                    r.error = Some(("rule.value", m));
                    r.value = None;
                }
                None => {}
            }
            if r.status == RuleStatus::Pending {
                missing.extend(r.missing.iter().cloned());
            }
            if let Some((code, message)) = &r.error {
                errors.push(ErrorOut {
                    code: (*code).into(),
                    path: None,
                    rule: Some(rule.decl.id.clone()),
                    message: lang.render(&Text::new(
                        format!("规则 {} 执行出错：{message}", rule.decl.id),
                        format!("rule {} failed to run: {message}", rule.decl.id),
                    )),
                });
            }
            if r.status == RuleStatus::Fail && full {
                let severity = severity_name(rule.decl.severity.unwrap_or_default());
                // Distinct by construction: the failing items' fields, then the document's.
                for path in &r.fail_paths {
                    notes.push((
                        path.to_string(),
                        FieldNote {
                            rule: Some(rule.id.clone()),
                            status: RuleStatus::Fail,
                            severity: Some(severity.into()),
                            message: lang.render(&rule.decl.message),
                        },
                    ));
                }
            }
            if let Some(path) = rule.decision_path() {
                let status = match r.status {
                    RuleStatus::Pending => DecisionStatus::Pending,
                    RuleStatus::Error => DecisionStatus::Error,
                    _ => DecisionStatus::Decided,
                };
                decisions.push((
                    path.to_owned(),
                    DecisionOut {
                        value: json_value.clone().unwrap_or(Value::Null),
                        status,
                        because: rule.because_ids.clone(),
                        unverified: r.unverified,
                        scheme: rule.decl.scheme.clone(),
                    },
                ));
            }
            if full {
                rules.push(self.rule_out(rule, r, lang, json_value));
            }
        }
        let missing = self.sort_paths(missing);
        let complete = errors.is_empty()
            && missing.is_empty()
            && decisions
                .iter()
                .all(|(_, d)| d.status == DecisionStatus::Decided);
        Outcome {
            schema: OUTCOME_SCHEMA.into(),
            pack: self.pack_ref(),
            complete,
            decisions: SortedMap::from_entries(decisions),
            rules,
            fields: SortedMap::grouped(notes),
            missing,
            errors,
        }
    }

    /// Sorts concrete paths by field declaration order, then item index; drops duplicates.
    fn sort_paths(&self, paths: Vec<String>) -> Vec<String> {
        let key = |p: &String| -> (usize, usize, String) {
            match p.split_once('[') {
                Some((list, rest)) => {
                    let (index, tail) = rest.split_once(']').unwrap_or((rest, ""));
                    let generic = format!("{list}[]{tail}");
                    let order = self
                        .schema
                        .order
                        .get(&generic)
                        .copied()
                        .unwrap_or(usize::MAX);
                    (order, index.parse().unwrap_or(usize::MAX), p.clone())
                }
                None => (
                    self.schema.order.get(p).copied().unwrap_or(usize::MAX),
                    0,
                    p.clone(),
                ),
            }
        };
        if paths.len() < 2 {
            return paths;
        }
        let paths = SortedSet::from_iter(paths).into_vec();
        // The path itself ends the key, so no two keys are equal.
        let keys: Vec<(usize, usize, String)> = paths.iter().map(key).collect();
        let order = sorted_positions(keys.len(), &|a, b| keys.get(a).cmp(&keys.get(b)));
        permuted(paths, order)
    }
}

enum Output {
    Bool(bool),
    /// A value and whether the table row it came from (if any) is verified.
    Value(Dynamic, bool),
}

/// Three-valued AND: a failing rule decides `false` at once; otherwise an error, then a pending
/// rule, keeps the value open; all passing (or not applicable) gives `true`.
fn all_pass(
    rule: &CompiledRule,
    gate: Gate,
    ids: &[usize],
    results: &[Option<RuleResult>],
) -> RuleResult {
    let listed: Vec<&RuleResult> = ids
        .iter()
        .filter_map(|&i| results.get(i).and_then(Option::as_ref))
        .collect();
    let mut r = RuleResult::new(RuleStatus::Pass);
    r.fields = gate.fields;
    let failing: Vec<&&RuleResult> = listed
        .iter()
        .filter(|x| x.status == RuleStatus::Fail)
        .collect();
    if !failing.is_empty() {
        r.unverified = !rule.decl.verified || failing.iter().any(|x| x.unverified);
        r.value = Some(Dynamic::FALSE);
        return r;
    }
    if listed.len() < ids.len() || listed.iter().any(|x| x.status == RuleStatus::Error) {
        r.status = RuleStatus::Error;
        return r;
    }
    if listed.iter().any(|x| x.status == RuleStatus::Pending) {
        r.status = RuleStatus::Pending;
        r.missing = listed
            .iter()
            .flat_map(|x| x.missing.iter().cloned())
            .collect();
        return r;
    }
    r.unverified = !rule.decl.verified || gate.unverified || listed.iter().any(|x| x.unverified);
    r.value = Some(Dynamic::TRUE);
    r
}

/// The result of a rule that stops at its gate, taking what it needs from the gate.
fn stop_at_gate(gate: &mut Gate) -> Option<RuleResult> {
    if gate.error {
        let mut r = RuleResult::new(RuleStatus::Error);
        r.fields = std::mem::take(&mut gate.fields);
        return Some(r);
    }
    if !gate.missing.is_empty() {
        let mut r = RuleResult::new(RuleStatus::Pending);
        r.fields = std::mem::take(&mut gate.fields);
        r.missing = std::mem::take(&mut gate.missing);
        r.unverified = gate.unverified;
        return Some(r);
    }
    None
}

fn errored(gate: Gate, e: RunError) -> RuleResult {
    let mut r = RuleResult::new(RuleStatus::Error);
    r.fields = gate.fields;
    r.error = Some(e.into_parts());
    r
}

impl CompiledPack {
    /// A run that ended in `pending(paths)` is pending on those paths, when each names a declared
    /// field (list items by index); any other path is a mistake of the rule, reported as such.
    fn pending_or_error(&self, gate: Gate, e: RunError) -> RuleResult {
        let RunError::Pending(paths) = e else {
            return errored(gate, e);
        };
        let undeclared: Vec<&String> = paths
            .iter()
            .filter(|p| !self.schema.order.contains_key(&generic_path(p)))
            .collect();
        if paths.is_empty() || !undeclared.is_empty() {
            let mut r = RuleResult::new(RuleStatus::Error);
            r.fields = gate.fields;
            r.error = Some((
                "rule.runtime",
                format!("pending() names no declared field: {undeclared:?}"),
            ));
            return r;
        }
        let mut r = RuleResult::new(RuleStatus::Pending);
        r.fields = gate.fields;
        r.missing = paths;
        r.unverified = gate.unverified;
        r
    }
}

/// `a.b[3].c` -> `a.b[].c`: the declared form of a concrete path.
fn generic_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut in_index = false;
    for c in p.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// What the expressions of an evaluation read besides the input's fields: the rhai scope
/// (input roots, `params`, and the produced values rhai reads), and the produced values by rule.
///
/// A rule's value goes into `produced` at once, where the direct forms read it
/// (`Direct::Produced`); the input's fields are read by slot (`Direct::Field`) and the parameters
/// from the pack. The scope is built, and the values copied into its maps, only when something
/// needs it whole: an expression run in rhai, or a direct form that reads a variable by name
/// (an input root whole, a root of produced values). When every expression of a pack is direct
/// and reads by slot (the shipped packs': the conformance corpus checks the first), no
/// evaluation builds it.
struct Vars {
    /// Empty until something reads through it ([`Vars::fill_scope`]).
    scope: Scope<'static>,
    /// Whether `scope` holds the input's roots, the parameters and the result maps.
    scope_ready: bool,
    produced: Vec<Option<Dynamic>>,
    /// Rules whose values are in `produced` but not yet in the scope, in the order they ran.
    unpublished: Vec<usize>,
}

impl Vars {
    /// Records what rule `i` makes readable to the rules after it: its value (moved out of it),
    /// `true`/`false` for a check, unit when not applicable. Pending and errored results are
    /// never read: their readers stop at the gate.
    fn produce(&mut self, i: usize, result: &RuleResult, value: Option<Dynamic>) {
        let value = match (result.status, value) {
            (RuleStatus::NotApplicable, _) => Dynamic::UNIT,
            (RuleStatus::Pass, Some(v)) => v,
            (RuleStatus::Pass, None) => Dynamic::TRUE,
            (RuleStatus::Fail, _) => Dynamic::FALSE,
            _ => return,
        };
        if let Some(slot) = self.produced.get_mut(i) {
            *slot = Some(value);
            self.unpublished.push(i);
        }
    }

    /// Makes the scope what rhai reads: the input's roots, the parameters and the result maps
    /// (built on first use), then every value not yet in it, in the order the rules ran: the
    /// scope is then what it would be had every value gone there at once.
    fn fill_scope(&mut self, pack: &CompiledPack, view: &InputView) {
        if !self.scope_ready {
            self.scope = pack.initial_scope(view.roots(&pack.schema));
            self.scope_ready = true;
        }
        let rules = &pack.rules;
        for i in std::mem::take(&mut self.unpublished) {
            let (Some(rule), Some(Some(value))) = (rules.get(i), self.produced.get(i)) else {
                continue;
            };
            let value = value.clone();
            let root = rule.publish_root.as_str();
            if rule.publish_rest.is_empty() {
                // A one-segment path (`sets = "x"`) is a constant variable of its own.
                let _previous = self.scope.remove::<Dynamic>(root);
                self.scope.push_constant_dynamic(root.to_owned(), value);
                continue;
            }
            // Read-only like the rest of the scope's values, so a rule cannot change it through
            // a method; set on the new value alone, not on the whole root map again. (The direct
            // forms never change what they read: they copy it first.)
            let value = value.into_read_only();
            if let Some(map) = self.scope.get_value_mut::<Map>(root) {
                insert_read_only(map, &rule.publish_rest, value);
                continue;
            }
            let mut map = Map::new();
            insert_read_only(&mut map, &rule.publish_rest, value);
            let _previous = self.scope.remove::<Dynamic>(root);
            self.scope
                .push_constant_dynamic(root.to_owned(), Dynamic::from_map(map));
        }
    }
}

/// Puts `value` at `segments` below `map`, creating (or replacing non-map values with) read-only
/// maps on the way.
fn insert_read_only(map: &mut Map, segments: &[String], value: Dynamic) {
    match segments {
        [] => {}
        [last] => {
            map.insert(last.as_str().into(), value);
        }
        [first, rest @ ..] => {
            let child = map
                .entry(first.as_str().into())
                .or_insert_with(|| Dynamic::from_map(Map::new()).into_read_only());
            if !child.is_map() {
                *child = Dynamic::from_map(Map::new()).into_read_only();
            }
            if let Some(mut inner) = child.write_lock::<Map>() {
                insert_read_only(&mut inner, rest, value);
            }
        }
    }
}

/// The path of an item field a `for_each` rule reads: `list[i].name`.
fn item_path(rule: &CompiledRule, fe: &ForEach, k: usize, i: usize, name: &str) -> Arc<str> {
    match rule.item_paths.get(k).and_then(|paths| paths.get(i)) {
        Some(path) => path.clone(),
        None => format!("{}[{i}].{name}", fe.list).into(),
    }
}

fn as_number(v: &Dynamic) -> Option<f64> {
    v.as_int()
        .map(|i| i as f64)
        .ok()
        .or_else(|| v.as_float().ok())
        .filter(|f| f.is_finite())
}

fn sum_points(values: &[Dynamic]) -> Dynamic {
    let total: f64 = values.iter().filter_map(as_number).sum();
    Dynamic::from_float(total)
}

fn describe_args(names: &[String], values: &[Dynamic]) -> String {
    names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Largest integer a float can stand for exactly; integral floats up to it print as integers.
const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// Whether [`to_json`] would print `v`, with its error when not; without building the JSON.
fn check_json(v: &Dynamic) -> Result<(), String> {
    if let Ok(f) = v.as_float() {
        return if f.is_finite() {
            Ok(())
        } else {
            Err(format!("{f} is not a finite number"))
        };
    }
    if v.is_unit()
        || v.is_bool()
        || v.is_int()
        || v.is_char()
        || v.as_immutable_string_ref().is_ok()
    {
        return Ok(());
    }
    if v.is_array() {
        let arr = v.read_lock::<rhai::Array>().ok_or("unreadable list")?;
        return arr.iter().try_for_each(check_json);
    }
    if v.is_map() {
        let map = v.read_lock::<Map>().ok_or("unreadable map")?;
        return map.values().try_for_each(check_json);
    }
    Err(format!(
        "a value of type {} cannot be part of an outcome",
        v.type_name()
    ))
}

/// Converts a rhai value to JSON with one way of printing numbers: integral floats print as
/// integers (`880`, never `880.0`), others as serde_json prints them.
pub fn to_json(v: &Dynamic) -> Result<Value, String> {
    if v.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = v.as_int() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = v.as_float() {
        if !f.is_finite() {
            return Err(format!("{f} is not a finite number"));
        }
        if f.fract() == 0.0 && f.abs() <= MAX_EXACT_INT {
            return Ok(Value::from(f as i64));
        }
        return serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("{f} is not a finite number"));
    }
    if let Ok(c) = v.as_char() {
        return Ok(Value::String(c.to_string()));
    }
    if let Ok(s) = v.as_immutable_string_ref() {
        // Copied at its length, not through `Display` (which grows a buffer as it writes).
        return Ok(Value::String(s.as_str().to_owned()));
    }
    if v.is_array() {
        let arr = v.read_lock::<rhai::Array>().ok_or("unreadable list")?;
        return arr
            .iter()
            .map(to_json)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array);
    }
    if v.is_map() {
        let map = v.read_lock::<Map>().ok_or("unreadable map")?;
        let mut out = serde_json::Map::new();
        for (k, val) in map.iter() {
            out.insert(k.as_str().to_owned(), to_json(val)?);
        }
        return Ok(Value::Object(out));
    }
    Err(format!(
        "a value of type {} cannot be part of an outcome",
        v.type_name()
    ))
}
