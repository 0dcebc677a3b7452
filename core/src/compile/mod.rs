//! Compilation: a resolved pack becomes a `CompiledPack` — each expression's direct form, typed
//! tables, the names each rule reads, and the order rules run in. Everything a pack can get wrong
//! is found here, once, so evaluation never meets a malformed pack.

pub mod direct;
pub mod reads;
#[cfg(feature = "reference")]
mod reference;
pub mod sandbox;
pub mod schema;
pub mod syntax;
#[cfg(feature = "reference")]
#[doc(hidden)]
pub mod syntax_check;
pub mod table;

use std::sync::Arc;

use rhai::Dynamic;

use crate::error::LoadError;
use crate::resolve::{DigestedPack, ResolvedPack};
use crate::sorted::{SortedMap, SortedSet};
use crate::source::{ParamValue, RuleDecl, RuleKind};
pub use sandbox::Limits;
use schema::{is_dotted_path, is_identifier, InputSchema};
use table::CompiledTable;

/// Items of a list whose field paths are built when the pack is compiled (later ones are built
/// when met).
const PRECOMPUTED_ITEMS: usize = 32;

/// Names reserved for the engine's own roots in rule expressions.
pub const PARAMS_ROOT: &str = "params";
pub const RULES_ROOT: &str = "rules";
pub const SCORES_ROOT: &str = "scores";

/// What an expression reads, found from its text.
#[derive(Debug, Clone, Default)]
pub struct Reads {
    /// Document fields (list paths included), shared with the outcomes that list them.
    pub fields: SortedSet<Arc<str>>,
    /// Item fields of the rule's `for_each` list, by name.
    pub item_fields: SortedSet<String>,
    /// Value paths produced by derive and decision rules.
    pub values: SortedSet<String>,
    /// `rules.<id>` and `scores.<id>` results.
    pub results: SortedSet<String>,
    /// The rule producing each of `values` then `results`, in that order (`None`: no rule does),
    /// resolved once the evaluation order is known.
    pub producers: Vec<Option<usize>>,
    /// Each of `fields` as its position in the input schema (its slot in an evaluation's field
    /// states) and whether it is optional, resolved at compile time.
    pub slots: Vec<(usize, bool)>,
    /// Each of `item_fields` as its position in the list's item schema and whether it is
    /// optional (for a `for_each` rule's body).
    pub item_slots: Vec<(usize, bool)>,
}

impl Reads {
    fn extend(&mut self, other: &Reads) {
        self.fields.extend(other.fields.iter().cloned());
        self.item_fields.extend(other.item_fields.iter().cloned());
        self.values.extend(other.values.iter().cloned());
        self.results.extend(other.results.iter().cloned());
    }
}

#[derive(Debug, Clone)]
pub struct Expr {
    /// The expression's text.
    pub source: Box<str>,
    /// rhai's syntax tree of it, for the reference evaluation the tests compare with
    /// ([`CompiledPack::interpret_only`]), compiled on its first run.
    #[cfg(feature = "reference")]
    pub ast: std::sync::OnceLock<rhai::AST>,
    pub reads: Reads,
    /// The expression as the engine evaluates it ([`crate::eval`]).
    pub direct: direct::DirectExpr,
}

// One per rule, built once: an expression kept inline rather than boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum ValueSource {
    Expr(Expr),
    /// A table lookup; `args` follow the table's input columns.
    Table {
        table: usize,
        args: Vec<Expr>,
    },
    /// Three-valued AND over prerequisite/check rules (by index).
    AllPass(Vec<usize>),
}

#[derive(Debug, Clone)]
pub enum Body {
    Assert(Expr),
    Points { expr: Expr, max: f64 },
    Value { path: String, source: ValueSource },
}

#[derive(Debug, Clone)]
pub struct ForEach {
    pub list: String,
    /// `list` again, shared with the outcomes that list it.
    pub list_path: Arc<str>,
    pub alias: String,
    /// Bound to the item's index when the rule asks for it (`index = "i"`).
    pub index: Option<String>,
    /// The list's slot in an evaluation's field states (see `Reads::slots`).
    pub list_slot: usize,
}

#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub decl: RuleDecl,
    pub when: Option<Expr>,
    pub for_each: Option<ForEach>,
    pub body: Body,
    /// Everything the body reads (the `when` reads are in `when`).
    pub body_reads: Reads,
    /// Rules whose results this rule reads.
    pub deps: Vec<usize>,
    /// This rule and every rule it depends on, directly or not, in declaration order.
    pub because: Vec<usize>,
    /// The ids of `because`, ready for outcomes.
    pub because_ids: std::sync::Arc<[std::sync::Arc<str>]>,
    /// Where later rules read this rule's result: a value path, `rules.<id>` or `scores.<id>`,
    /// split into its root and the segments below it.
    pub publish_root: String,
    pub publish_rest: Vec<String>,
    /// For a `for_each` rule, the paths of the item fields its body reads
    /// (`list[i].name`, in the order of `body_reads.item_fields`) for the first items, built once
    /// here instead of on every evaluation.
    pub item_paths: Vec<Vec<Arc<str>>>,
    /// The rule id and basis, shared by every outcome.
    pub id: std::sync::Arc<str>,
    pub basis: crate::outcome::BasisOut,
}

/// A pack ready to evaluate: immutable, built once, shared across evaluations and threads.
pub struct CompiledPack {
    pub(crate) resolved: ResolvedPack,
    pub(crate) digest: String,
    pub(crate) schema: InputSchema,
    pub(crate) tables: Vec<CompiledTable>,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) order: Vec<usize>,
    /// Roots of produced value paths, each a map in the evaluation scope.
    pub(crate) value_roots: SortedSet<String>,
    pub(crate) params: rhai::Map,
    /// Results of the rules that read no input, directly or through what they depend on:
    /// computed once here, since rules are pure, and reused by every evaluation.
    pub(crate) constants: Vec<Option<crate::eval::RuleResult>>,
    pub(crate) limits: Limits,
    /// rhai, the reference the tests compare the engine with (`interpret_only`).
    #[cfg(feature = "reference")]
    pub(crate) reference: reference::Reference,
}

impl std::fmt::Debug for CompiledPack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledPack")
            .field("id", &self.resolved.manifest.id)
            .field("version", &self.resolved.manifest.version)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

impl CompiledPack {
    pub fn compile(resolved: ResolvedPack) -> Result<CompiledPack, LoadError> {
        Self::compile_with_limits(resolved, &Limits::default())
    }

    pub fn compile_with_limits(
        resolved: ResolvedPack,
        limits: &Limits,
    ) -> Result<CompiledPack, LoadError> {
        Self::compile_digested(resolved.digested()?, limits)
    }

    /// Compiles a pack whose digest is known already (a bundle's, just checked): the pack is
    /// not serialised and hashed again, which was a third of a first load in a browser.
    pub fn compile_digested(
        pack: DigestedPack,
        limits: &Limits,
    ) -> Result<CompiledPack, LoadError> {
        Self::compile_checked(pack, limits, &|_, _, _| Ok(()))
    }

    /// Compiles a pack, `check` seeing each expression's text and `for_each` binding first.
    pub(crate) fn compile_checked(
        pack: DigestedPack,
        limits: &Limits,
        check: &ExpressionCheck<'_>,
    ) -> Result<CompiledPack, LoadError> {
        let (resolved, digest) = pack.into_parts();
        let schema = InputSchema::build(&resolved.fields, &resolved.locations)?;
        let tables = resolved
            .tables
            .iter()
            .map(CompiledTable::compile)
            .collect::<Result<Vec<_>, _>>()?;
        let names = Names::collect(&resolved, &schema)?;
        let field = |path: &str| schema.value_slot(path);
        let produced = |path: &str| {
            names
                .produced
                .get(path)
                .or_else(|| names.results.get(path))
                .copied()
        };
        // A root of produced values, unless the property read below it is input data (an
        // input root can hold produced values too: `org.size` beside `org.workers`).
        let reaches_produced = |root: &str, property: Option<&str>| {
            let value_root =
                names.value_roots.contains(root) || [RULES_ROOT, SCORES_ROOT].contains(&root);
            value_root
                && !property.is_some_and(|p| {
                    let path = format!("{root}.{p}");
                    schema.field(&path).is_some() || schema.items.contains_key(&path)
                })
        };
        let expressions = Expressions {
            check,
            reader: DirectReader {
                field: &field,
                produced: &produced,
                reaches_produced: &reaches_produced,
                max_string: limits.max_string_size,
            },
        };
        let mut rules = Vec::with_capacity(resolved.rules.len());
        for decl in &resolved.rules {
            let loc = resolved.locations.rule(&decl.id);
            let rule = compile_rule(decl, &expressions, &names, &tables, &resolved).map_err(
                |message| LoadError::Rule {
                    loc,
                    rule: decl.id.clone(),
                    message,
                },
            )?;
            rules.push(rule);
        }
        let (order, producers) = evaluation_order(&mut rules)?;
        for rule in &mut rules {
            let resolve = |reads: &mut Reads| {
                reads.producers = reads
                    .values
                    .iter()
                    .chain(reads.results.iter())
                    .map(|name| producers.get(name).copied())
                    .collect();
                reads.slots = reads.fields.iter().map(|path| schema.slot(path)).collect();
            };
            if let Some(fe) = &mut rule.for_each {
                fe.list_slot = schema.slot(&fe.list).0;
                rule.body_reads.item_slots = rule
                    .body_reads
                    .item_fields
                    .iter()
                    .map(|name| schema.item_slot(&fe.list, name))
                    .collect();
            }
            if let Some(w) = &mut rule.when {
                resolve(&mut w.reads);
            }
            resolve(&mut rule.body_reads);
        }
        // Inserted one by one: the keys come in order already, and collecting into a map would
        // bring a sort of its own into the browser engine.
        let mut params = rhai::Map::new();
        for (k, v) in &resolved.manifest.params {
            params.insert(k.as_str().into(), param_dynamic(v));
        }
        let constant = constant_rules(&rules, &order);
        let mut pack = CompiledPack {
            #[cfg(feature = "reference")]
            reference: reference::Reference::new(names.roots.clone()),
            value_roots: names.value_roots.clone(),
            resolved,
            digest,
            schema,
            tables,
            rules,
            order,
            params,
            constants: Vec::new(),
            limits: *limits,
        };
        pack.constants = pack.constant_results(&constant);
        Ok(pack)
    }

    pub fn id(&self) -> &str {
        &self.resolved.manifest.id
    }

    pub fn version(&self) -> &str {
        &self.resolved.manifest.version
    }

    pub fn digest(&self) -> &str {
        &self.digest
    }

    pub fn resolved(&self) -> &ResolvedPack {
        &self.resolved
    }

    /// Decision names in declaration order.
    pub fn decision_names(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter_map(|r| match &r.body {
                Body::Value { path, .. } if r.decl.kind == RuleKind::Decision => {
                    Some(path.as_str())
                }
                _ => None,
            })
            .collect()
    }

    /// The rule (by its index in `resolved().rules`) and every rule it depends on, directly or
    /// not, by id in declaration order: a decision's `because` in every outcome.
    pub fn rule_because(&self, index: usize) -> &[std::sync::Arc<str>] {
        self.rules.get(index).map_or(&[], |r| &r.because_ids[..])
    }

    /// Fields each rule reads, as declared paths (item fields as `list[].name`), for UIs and docs.
    pub fn rule_fields(&self, index: usize) -> Vec<String> {
        let Some(rule) = self.rules.get(index) else {
            return Vec::new();
        };
        let mut reads = rule.body_reads.clone();
        if let Some(w) = &rule.when {
            reads.extend(&w.reads);
        }
        let mut out: Vec<String> = reads.fields.iter().map(|f| f.to_string()).collect();
        if let Some(fe) = &rule.for_each {
            out.extend(
                reads
                    .item_fields
                    .iter()
                    .map(|n| format!("{}[].{n}", fe.list)),
            );
        }
        out
    }
}

/// Which rules read no input: no field, no list, and only constant rules' results.
fn constant_rules(rules: &[CompiledRule], order: &[usize]) -> Vec<bool> {
    let mut constant = vec![false; rules.len()];
    for &i in order {
        let Some(r) = rules.get(i) else { continue };
        let when_reads_input = r.when.as_ref().is_some_and(|w| !w.reads.fields.is_empty());
        let reads_input = when_reads_input
            || !r.body_reads.fields.is_empty()
            || !r.body_reads.item_fields.is_empty()
            || r.for_each.is_some();
        let deps_constant = r
            .deps
            .iter()
            .all(|&d| constant.get(d).copied().unwrap_or(false));
        if let Some(c) = constant.get_mut(i) {
            *c = !reads_input && deps_constant;
        }
    }
    constant
}

fn param_dynamic(v: &ParamValue) -> Dynamic {
    match v {
        ParamValue::Bool(b) => Dynamic::from_bool(*b),
        ParamValue::Int(i) => Dynamic::from_int(*i),
        ParamValue::Float(f) => Dynamic::from_float(*f),
        ParamValue::Str(s) => Dynamic::from(s.clone()),
    }
}

/// Every name a rule expression may use, and who provides it.
struct Names<'a> {
    schema: &'a InputSchema,
    params: SortedSet<String>,
    /// Produced value path -> index of the rule producing it.
    produced: SortedMap<String, usize>,
    /// `rules.<id>` / `scores.<id>` -> rule index.
    results: SortedMap<String, usize>,
    sources: SortedSet<String>,
    /// First segments of the produced paths.
    value_roots: SortedSet<String>,
    /// Every name the compile scope declares: input roots, value roots and the engine's own.
    roots: SortedSet<String>,
}

impl<'a> Names<'a> {
    fn collect(resolved: &ResolvedPack, schema: &'a InputSchema) -> Result<Names<'a>, LoadError> {
        let mut produced = SortedMap::default();
        let mut results = SortedMap::default();
        for (i, r) in resolved.rules.iter().enumerate() {
            let err = |message: String| LoadError::Rule {
                loc: resolved.locations.rule(&r.id),
                rule: r.id.clone(),
                message,
            };
            if !is_identifier(&r.id) {
                return Err(err(
                    "rule ids are lower-case identifiers ([a-z_][a-z0-9_]*)".into(),
                ));
            }
            match r.kind {
                RuleKind::Prerequisite | RuleKind::Check => {
                    results.insert(format!("{RULES_ROOT}.{}", r.id), i);
                }
                RuleKind::Score => {
                    results.insert(format!("{SCORES_ROOT}.{}", r.id), i);
                }
                RuleKind::Derive | RuleKind::Decision => {
                    let path = match r.kind {
                        RuleKind::Derive => r.sets.as_ref(),
                        _ => r.decision.as_ref(),
                    };
                    let key = if r.kind == RuleKind::Derive {
                        "sets"
                    } else {
                        "decision"
                    };
                    let path =
                        path.ok_or_else(|| err(format!("a {} rule needs `{key}`", r.kind.name())))?;
                    check_produced_path(path, schema, &produced).map_err(err)?;
                    produced.insert(path.clone(), i);
                }
            }
        }
        let value_roots: SortedSet<String> = produced
            .keys()
            .filter_map(|p: &String| p.split('.').next().map(str::to_owned))
            .collect();
        let mut roots = schema.roots.clone();
        roots.extend(value_roots.iter().cloned());
        roots.insert(PARAMS_ROOT.into());
        roots.insert(RULES_ROOT.into());
        roots.insert(SCORES_ROOT.into());
        Ok(Names {
            schema,
            params: resolved.manifest.params.keys().cloned().collect(),
            produced,
            results,
            sources: resolved
                .manifest
                .sources
                .iter()
                .map(|s| s.id.clone())
                .collect(),
            value_roots,
            roots,
        })
    }

    fn produced_under(&self, path: &str) -> Vec<String> {
        let prefix = format!("{path}.");
        self.produced
            .keys()
            .filter(|p| p.starts_with(&prefix))
            .cloned()
            .collect()
    }

    /// Records what a chain reads, or says why it names nothing that exists.
    fn resolve(
        &self,
        segments: &[String],
        for_each: Option<&ForEach>,
        reads: &mut Reads,
    ) -> Result<(), String> {
        let Some(root) = segments.first() else {
            return Ok(());
        };
        let full = segments.join(".");
        if let Some(fe) = for_each.filter(|fe| &fe.alias == root) {
            match segments.get(1) {
                None => {
                    let all = self.schema.items.get(&fe.list).into_iter().flatten();
                    reads.item_fields.extend(all.map(|(n, _)| n.to_string()));
                }
                Some(name) => {
                    if self.schema.item_field(&fe.list, name).is_none() {
                        return Err(format!(
                            "`{full}`: `{}` declares no item field `{name}`",
                            fe.list
                        ));
                    }
                    if segments.len() > 2 {
                        return Err(format!("`{full}`: item field `{name}` has no members"));
                    }
                    reads.item_fields.insert(name.clone());
                }
            }
            return Ok(());
        }
        match root.as_str() {
            PARAMS_ROOT => {
                return match segments.get(1) {
                    Some(name) if self.params.contains(name) => Ok(()),
                    Some(name) => Err(format!("`{full}`: no parameter `{name}` in pack.toml")),
                    None => Ok(()),
                }
            }
            RULES_ROOT | SCORES_ROOT => {
                let key = segments.get(..2).map(|s| s.join("."));
                return match key.and_then(|k| self.results.get_key_value(&k)) {
                    Some((k, _)) => {
                        reads.results.insert(k.clone());
                        Ok(())
                    }
                    None => Err(format!(
                        "`{full}` names no {} rule",
                        if root == RULES_ROOT {
                            "prerequisite or check"
                        } else {
                            "score"
                        }
                    )),
                };
            }
            _ => {}
        }
        let is_input_root = self.schema.roots.contains(root);
        let is_value_root = self.value_roots.contains(root);
        if !is_input_root && !is_value_root {
            // A local variable or a function name: not pack data.
            return Ok(());
        }
        for k in (1..=segments.len()).rev() {
            let prefix = segments.get(..k).unwrap_or(&[]).join(".");
            if let Some(field) = self.schema.field(&prefix) {
                // A map's keys are data, so `items.x` reads the map.
                if k < segments.len() && field.ty != crate::source::FieldType::Map {
                    return Err(format!(
                        "`{full}`: field `{prefix}` is a {} and has no members",
                        field.ty.name()
                    ));
                }
                reads.fields.insert(prefix.into());
                return Ok(());
            }
            if self.produced.contains_key(&prefix) {
                // Produced values may be maps, so members below them are fine.
                reads.values.insert(prefix);
                return Ok(());
            }
        }
        let under_fields: Vec<String> = self
            .schema
            .fields_under(&full)
            .map(|f| f.path.clone())
            .collect();
        let under_values = self.produced_under(&full);
        if under_fields.is_empty() && under_values.is_empty() {
            return Err(format!(
                "`{full}` is not a declared field or a produced value"
            ));
        }
        reads.fields.extend(under_fields.into_iter().map(Arc::from));
        reads.values.extend(under_values);
        Ok(())
    }
}

fn check_produced_path(
    path: &str,
    schema: &InputSchema,
    produced: &SortedMap<String, usize>,
) -> Result<(), String> {
    if !is_dotted_path(path) {
        return Err(format!(
            "`{path}` is not a dot-separated path of lower-case identifiers"
        ));
    }
    let root = path.split('.').next().unwrap_or(path);
    if [PARAMS_ROOT, RULES_ROOT, SCORES_ROOT].contains(&root) {
        return Err(format!("`{root}` is reserved"));
    }
    let clash = |a: &str, b: &str| {
        a == b || a.starts_with(&format!("{b}.")) || b.starts_with(&format!("{a}."))
    };
    let item_lists = schema.items.keys();
    if let Some(f) = schema
        .fields
        .iter()
        .map(|f| &f.path)
        .chain(item_lists)
        .find(|f| clash(path, f))
    {
        return Err(format!("`{path}` clashes with the input field `{f}`"));
    }
    if let Some(p) = produced.keys().find(|p| clash(path, p)) {
        return Err(format!(
            "`{path}` clashes with the value `{p}` another rule produces"
        ));
    }
    Ok(())
}

fn compile_rule(
    decl: &RuleDecl,
    expressions: &Expressions<'_>,
    names: &Names<'_>,
    tables: &[CompiledTable],
    resolved: &ResolvedPack,
) -> Result<CompiledRule, String> {
    if !names.sources.contains(&decl.basis.source) {
        return Err(format!(
            "basis source `{}` is not among the sources of pack.toml",
            decl.basis.source
        ));
    }
    check_attributes(decl)?;
    let for_each = match &decl.for_each {
        None => None,
        Some(list) => {
            if !names.schema.items.contains_key(list)
                && names.schema.field(list).map(|f| f.ty) != Some(crate::source::FieldType::List)
            {
                return Err(format!("for_each `{list}` is not a declared list field"));
            }
            let alias = decl.as_name.clone().unwrap_or_else(|| "item".into());
            if !is_identifier(&alias) || names.roots.contains(&alias) {
                return Err(format!("`as = \"{alias}\"` must be a fresh identifier"));
            }
            if let Some(index) = &decl.index {
                if !is_identifier(index) || names.roots.contains(index) || *index == alias {
                    return Err(format!("`index = \"{index}\"` must be a fresh identifier"));
                }
            }
            Some(ForEach {
                list: list.clone(),
                list_path: list.as_str().into(),
                alias,
                index: decl.index.clone(),
                list_slot: usize::MAX,
            })
        }
    };
    let compile = |what: &str, src: &str, with_item: bool| -> Result<Expr, String> {
        let fe = if with_item { for_each.as_ref() } else { None };
        compile_expr(expressions, names, src, fe).map_err(|m| format!("{what}: {m}"))
    };
    let when = decl
        .when
        .as_deref()
        .map(|src| compile("when", src, false))
        .transpose()?;
    let body = match decl.kind {
        RuleKind::Prerequisite | RuleKind::Check => {
            let src = decl.assert.as_deref().ok_or("needs `assert`")?;
            Body::Assert(compile("assert", src, true)?)
        }
        RuleKind::Score => {
            let src = decl.points.as_deref().ok_or("needs `points`")?;
            let max = decl.max.ok_or("needs `max`")?;
            if !(max.is_finite() && max >= 0.0) {
                return Err("`max` must be a number >= 0".into());
            }
            Body::Points {
                expr: compile("points", src, true)?,
                max,
            }
        }
        RuleKind::Derive | RuleKind::Decision => {
            let path = match decl.kind {
                RuleKind::Derive => decl.sets.clone(),
                _ => decl.decision.clone(),
            }
            .unwrap_or_default();
            let source = match (&decl.expr, &decl.table, &decl.all_pass) {
                (None, None, Some(ids)) => {
                    if ids.is_empty() {
                        return Err("`all_pass` needs at least one rule id".into());
                    }
                    let mut indices = Vec::with_capacity(ids.len());
                    for id in ids {
                        let index = resolved
                            .rules
                            .iter()
                            .position(|r| &r.id == id && r.kind.asserts())
                            .ok_or_else(|| {
                                format!("all_pass: `{id}` is not a prerequisite or check rule")
                            })?;
                        indices.push(index);
                    }
                    ValueSource::AllPass(indices)
                }
                (Some(src), None, None) => ValueSource::Expr(compile("expr", src, true)?),
                (None, Some(id), None) => {
                    let (index, table) = tables
                        .iter()
                        .enumerate()
                        .find(|(_, t)| &t.id == id)
                        .ok_or_else(|| format!("table `{id}` is not declared"))?;
                    let given: SortedSet<String> = decl.inputs.keys().cloned().collect();
                    let wanted: SortedSet<String> = table.inputs.iter().cloned().collect();
                    if given != wanted {
                        return Err(format!(
                            "inputs {} do not match the in: columns {} of table `{id}` ({})",
                            debug_set(&given),
                            debug_set(&wanted),
                            table.file
                        ));
                    }
                    let mut args = Vec::new();
                    for col in &table.inputs {
                        let src = decl.inputs.get(col).map(String::as_str).unwrap_or("");
                        args.push(compile(&format!("inputs.{col}"), src, true)?);
                    }
                    ValueSource::Table { table: index, args }
                }
                _ => return Err("needs exactly one of `expr`, `table` and `all_pass`".into()),
            };
            Body::Value { path, source }
        }
    };
    let body_reads = match &body {
        Body::Assert(e) | Body::Points { expr: e, .. } => e.reads.clone(),
        Body::Value { source, .. } => match source {
            ValueSource::Expr(e) => e.reads.clone(),
            ValueSource::Table { args, .. } => {
                let mut r = Reads::default();
                for a in args {
                    r.extend(&a.reads);
                }
                r
            }
            // Read through `deps`, not the gate: a pending rule must not hide a failing one.
            ValueSource::AllPass(_) => Reads::default(),
        },
    };
    let publish_path = match &body {
        Body::Value { path, .. } => path.clone(),
        Body::Points { .. } => format!("{SCORES_ROOT}.{}", decl.id),
        Body::Assert(_) => format!("{RULES_ROOT}.{}", decl.id),
    };
    let mut segments = publish_path.split('.').map(str::to_owned);
    let publish_root = segments.next().unwrap_or_default();
    let publish_rest = segments.collect();
    let item_paths = match &for_each {
        Some(fe) => body_reads
            .item_fields
            .iter()
            .map(|name| {
                (0..PRECOMPUTED_ITEMS)
                    .map(|i| Arc::from(format!("{}[{i}].{name}", fe.list)))
                    .collect()
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(CompiledRule {
        item_paths,
        publish_root,
        publish_rest,
        decl: decl.clone(),
        when,
        for_each,
        body,
        body_reads,
        deps: Vec::new(),
        because: Vec::new(),
        because_ids: std::sync::Arc::from(Vec::new()),
        id: decl.id.as_str().into(),
        basis: crate::outcome::BasisOut {
            source: decl.basis.source.as_str().into(),
            article: decl.basis.article.as_str().into(),
        },
    })
}

impl CompiledRule {
    /// A decision: a rule whose value is one of the outcome's `decisions`.
    pub(crate) fn is_decision(&self) -> bool {
        self.decision_path().is_some()
    }

    /// A decision's path in the outcome (`risk.class`); `None` for other rules.
    pub(crate) fn decision_path(&self) -> Option<&str> {
        match (&self.body, self.decl.kind) {
            (Body::Value { path, .. }, RuleKind::Decision) => Some(path),
            _ => None,
        }
    }
}

/// Attributes that belong to other kinds are mistakes worth stopping on, not ignoring.
fn check_attributes(d: &RuleDecl) -> Result<(), String> {
    let k = d.kind;
    let misplaced = [
        ("assert", d.assert.is_some(), k.asserts()),
        ("severity", d.severity.is_some(), k.asserts()),
        ("points", d.points.is_some(), k == RuleKind::Score),
        ("max", d.max.is_some(), k == RuleKind::Score),
        ("domain", d.domain.is_some(), k == RuleKind::Score),
        ("sets", d.sets.is_some(), k == RuleKind::Derive),
        ("decision", d.decision.is_some(), k == RuleKind::Decision),
        ("scheme", d.scheme.is_some(), k == RuleKind::Decision),
        (
            "expr",
            d.expr.is_some(),
            matches!(k, RuleKind::Derive | RuleKind::Decision),
        ),
        (
            "table",
            d.table.is_some(),
            matches!(k, RuleKind::Derive | RuleKind::Decision),
        ),
        (
            "all_pass",
            d.all_pass.is_some(),
            matches!(k, RuleKind::Derive | RuleKind::Decision) && d.for_each.is_none(),
        ),
        ("inputs", !d.inputs.is_empty(), d.table.is_some()),
        ("as", d.as_name.is_some(), d.for_each.is_some()),
        ("index", d.index.is_some(), d.for_each.is_some()),
    ];
    for (name, present, allowed) in misplaced {
        if present && !allowed {
            return Err(format!(
                "`{name}` does not apply to a {} rule here",
                k.name()
            ));
        }
    }
    if d.message.zh.trim().is_empty() || d.message.en.trim().is_empty() {
        return Err("message needs both zh and en".into());
    }
    if d.basis.article.trim().is_empty() {
        return Err("basis needs an article".into());
    }
    Ok(())
}

/// A look at each expression's text before it is read, with the evaluation's variables and the
/// rule's `for_each` binding: nothing in the engine; rhai's compile in the reference build.
pub(crate) type ExpressionCheck<'a> =
    dyn Fn(&str, &SortedSet<String>, Option<&ForEach>) -> Result<(), String> + 'a;

/// How a pack's expressions are compiled: read into direct forms ([`syntax`]), after the
/// caller's own check (the reference build's rhai compiles them there too).
struct Expressions<'a> {
    check: &'a ExpressionCheck<'a>,
    reader: DirectReader<'a>,
}

/// What the direct forms' reader ([`syntax`]) needs of the pack, the same for every rule.
struct DirectReader<'a> {
    field: &'a direct::FieldSlots<'a>,
    produced: &'a direct::FieldSlots<'a>,
    reaches_produced: &'a dyn Fn(&str, Option<&str>) -> bool,
    max_string: usize,
}

fn compile_expr(
    expressions: &Expressions<'_>,
    names: &Names<'_>,
    src: &str,
    for_each: Option<&ForEach>,
) -> Result<Expr, String> {
    (expressions.check)(src, &names.roots, for_each)?;
    let direct = read_direct(&expressions.reader, &names.roots, src, for_each)
        .map_err(|refusal| refusal.describe(src))?;
    let mut reads = Reads::default();
    for chain in reads::chains(src).map_err(|e| e.to_string())? {
        names.resolve(chain.data_segments(), for_each, &mut reads)?;
    }
    Ok(Expr {
        source: src.into(),
        #[cfg(feature = "reference")]
        ast: std::sync::OnceLock::new(),
        reads,
        direct,
    })
}

/// The direct form of `src` by the reader.
fn read_direct(
    reader: &DirectReader<'_>,
    roots: &SortedSet<String>,
    src: &str,
    for_each: Option<&ForEach>,
) -> Result<direct::DirectExpr, syntax::Refusal> {
    let is_bound = |name: &str| {
        for_each.is_some_and(|fe| fe.alias == name || fe.index.as_deref() == Some(name))
    };
    let in_scope = |name: &str| roots.contains(name) || is_bound(name);
    // What the form reads by name from the evaluation's scope, which is then built for it: any
    // variable but the rule's item and index (bound apart) and `params` (read from the pack), and
    // a root of produced values.
    let reads_scope = |root: &str, property: Option<&str>| {
        (reader.reaches_produced)(root, property) || !(root == PARAMS_ROOT || is_bound(root))
    };
    syntax::read(
        src,
        &syntax::Context {
            in_scope: &in_scope,
            field: reader.field,
            produced: reader.produced,
            reads_scope: &reads_scope,
            max_string: reader.max_string,
        },
    )
}

/// Fills each rule's dependencies and returns the order to evaluate in: dependencies first, and
/// otherwise declaration order. A cycle is a load error naming its rules.
fn evaluation_order(
    rules: &mut [CompiledRule],
) -> Result<(Vec<usize>, SortedMap<String, usize>), LoadError> {
    let mut producer = SortedMap::default();
    for (i, r) in rules.iter().enumerate() {
        match (&r.body, r.decl.kind) {
            (Body::Value { path, .. }, _) => {
                producer.insert(path.clone(), i);
            }
            (_, RuleKind::Score) => {
                producer.insert(format!("{SCORES_ROOT}.{}", r.decl.id), i);
            }
            _ => {
                producer.insert(format!("{RULES_ROOT}.{}", r.decl.id), i);
            }
        }
    }
    for r in rules.iter_mut() {
        let mut reads = r.body_reads.clone();
        if let Some(w) = &r.when {
            reads.extend(&w.reads);
        }
        let mut deps: Vec<usize> = reads
            .values
            .iter()
            .chain(reads.results.iter())
            .filter_map(|p| producer.get(p).copied())
            .collect();
        if let Body::Value {
            source: ValueSource::AllPass(ids),
            ..
        } = &r.body
        {
            deps.extend(ids.iter().copied());
        }
        r.deps = deps.into_iter().collect::<SortedSet<usize>>().into_vec();
    }

    let n = rules.len();
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    while order.len() < n {
        let next = (0..n).find(|&i| {
            !placed.get(i).copied().unwrap_or(true)
                && rules.get(i).is_some_and(|r| {
                    r.deps
                        .iter()
                        .all(|&d| placed.get(d).copied().unwrap_or(false))
                })
        });
        match next {
            Some(i) => {
                if let Some(p) = placed.get_mut(i) {
                    *p = true;
                }
                order.push(i);
            }
            None => return Err(cycle_error(rules, &placed)),
        }
    }

    for &i in &order {
        let mut because = vec![i];
        let deps = rules.get(i).map(|r| r.deps.clone()).unwrap_or_default();
        for d in deps {
            if let Some(dep) = rules.get(d) {
                because.extend(dep.because.iter().copied());
            }
        }
        if let Some(r) = rules.get_mut(i) {
            r.because = because.into_iter().collect::<SortedSet<usize>>().into_vec();
        }
    }
    let ids: Vec<std::sync::Arc<str>> = rules.iter().map(|r| r.id.clone()).collect();
    for r in rules.iter_mut() {
        r.because_ids = r
            .because
            .iter()
            .filter_map(|&i| ids.get(i).cloned())
            .collect();
    }
    Ok((order, producer))
}

/// `{"a", "b"}`: how a set of names is shown in messages (as `BTreeSet`'s `Debug` shows it).
fn debug_set(names: &SortedSet<String>) -> String {
    let items: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!("{{{}}}", items.join(", "))
}

fn cycle_error(rules: &[CompiledRule], placed: &[bool]) -> LoadError {
    // Walk unplaced dependencies from an unplaced rule until a rule repeats: that loop is a cycle.
    let start = (0..rules.len()).find(|&i| !placed.get(i).copied().unwrap_or(true));
    let mut path: Vec<usize> = Vec::new();
    let mut current = start;
    while let Some(i) = current {
        if let Some(pos) = path.iter().position(|&p| p == i) {
            let mut ids: Vec<String> = path
                .get(pos..)
                .unwrap_or(&[])
                .iter()
                .filter_map(|&p| rules.get(p).map(|r| r.decl.id.clone()))
                .collect();
            if let Some(first) = ids.first().cloned() {
                ids.push(first);
            }
            return LoadError::Cycle { rules: ids };
        }
        path.push(i);
        current = rules.get(i).and_then(|r| {
            r.deps
                .iter()
                .copied()
                .find(|&d| !placed.get(d).copied().unwrap_or(true))
        });
    }
    LoadError::Cycle {
        rules: path
            .iter()
            .filter_map(|&p| rules.get(p).map(|r| r.decl.id.clone()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn name_sets_are_compared_and_shown_as_btree_sets_were() {
        let names: Vec<String> = ["score", "class", "score", "a\"b", "班级"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let distinct: SortedSet<String> = names.iter().cloned().collect();
        let btree: BTreeSet<&String> = names.iter().collect();
        assert!(distinct.iter().eq(btree.iter().copied()));
        assert_eq!(debug_set(&distinct), format!("{btree:?}"));
        assert_eq!(
            debug_set(&SortedSet::default()),
            format!("{:?}", BTreeSet::<&String>::new())
        );
        let ascending: SortedSet<usize> = vec![3, 1, 3, 0, 1].into_iter().collect();
        assert_eq!(ascending.into_vec(), vec![0, 1, 3]);
    }
}
