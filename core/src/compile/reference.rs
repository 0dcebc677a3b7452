//! rhai as the reference the engine is compared with (feature `reference`): the tests, the fuzz
//! targets and the conformance corpus's generator compile and run rule expressions in rhai too,
//! and check that every answer of the engine is rhai's. Never part of the shipped engine.

use std::sync::OnceLock;

use rhai::{Dynamic, Engine, Scope, AST};

use super::{sandbox, CompiledPack, Expr, Limits};
use crate::error::LoadError;
use crate::resolve::ResolvedPack;
use crate::sorted::SortedSet;

/// The pack's rhai engine (built on first use), what its expressions are compiled with, and
/// whether evaluations run in rhai.
pub(crate) struct Reference {
    engine: OnceLock<Engine>,
    /// The variables an expression is compiled with (beside a rule's item alias and index).
    compile_scope: SortedSet<String>,
    pub(crate) interpret: bool,
}

impl Reference {
    pub(crate) fn new(compile_scope: SortedSet<String>) -> Reference {
        Reference {
            engine: OnceLock::new(),
            compile_scope,
            interpret: false,
        }
    }
}

/// rhai's syntax tree of an expression, compiled with the variables of the evaluation (and the
/// rule's item alias and index) declared, checked by the sandbox.
fn compile_ast(
    engine: &Engine,
    roots: &SortedSet<String>,
    item: Option<(&str, Option<&str>)>,
    src: &str,
) -> Result<AST, String> {
    let mut scope = Scope::new();
    for root in roots {
        // Variables, not constants, so the optimiser cannot fold compile-time placeholders.
        scope.push_dynamic(root.as_str(), Dynamic::UNIT);
    }
    if let Some((alias, index)) = item {
        scope.push_dynamic(alias, Dynamic::UNIT);
        if let Some(index) = index {
            scope.push_dynamic(index, Dynamic::UNIT);
        }
    }
    let ast = engine
        .compile_with_scope(&scope, src)
        .map_err(|e| format!("rhai: {e}"))?;
    sandbox::refuse_changing_evaluation_values(&ast)?;
    Ok(ast)
}

impl CompiledPack {
    /// Compiles every expression with rhai as well, before the engine's reader: a text rhai
    /// refuses gives rhai's load error. The rule language is a part of rhai's, so a pack that
    /// loads this way loads the usual way, and a pack the usual way loads, this way too (the
    /// tests and the fuzz targets check it).
    pub fn compile_with_rhai(resolved: ResolvedPack) -> Result<CompiledPack, LoadError> {
        let limits = Limits::default();
        let engine = sandbox::engine(&limits);
        Self::compile_checked(resolved.digested()?, &limits, &|src, roots, for_each| {
            let item = for_each.map(|fe| (fe.alias.as_str(), fe.index.as_deref()));
            compile_ast(&engine, roots, item, src).map(|_| ())
        })
    }

    /// The rhai engine of the pack's sandbox.
    pub(crate) fn engine(&self) -> &Engine {
        self.reference
            .engine
            .get_or_init(|| sandbox::engine(&self.limits))
    }

    /// rhai's syntax tree of `expr`, compiled on first use. `item` names the rule's item alias
    /// and index when `expr` runs for an item.
    pub(crate) fn ast<'e>(
        &self,
        expr: &'e Expr,
        item: Option<(&str, Option<&str>)>,
    ) -> Result<&'e AST, String> {
        if let Some(ast) = expr.ast.get() {
            return Ok(ast);
        }
        let compiled = compile_ast(
            self.engine(),
            &self.reference.compile_scope,
            item,
            &expr.source,
        )?;
        Ok(expr.ast.get_or_init(|| compiled))
    }

    /// Runs every expression in rhai instead of the engine: the reference the engine's answers
    /// are checked against.
    pub fn interpret_only(mut self) -> Self {
        self.reference.interpret = true;
        // Constant rules were evaluated at compile time by the engine: again in rhai.
        let constant: Vec<bool> = self.constants.iter().map(Option::is_some).collect();
        self.constants = Vec::new();
        self.constants = self.constant_results(&constant);
        self
    }
}
