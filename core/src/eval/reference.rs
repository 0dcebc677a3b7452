//! An expression run in rhai (feature `reference`): the answer the engine's own is compared with.

use rhai::{Dynamic, EvalAltResult};

use super::{InputView, ItemBinding, RunError, Vars};
use crate::compile::sandbox::PendingSignal;
use crate::compile::{CompiledPack, Expr};

/// rhai's error as a run's error: its limits are the budget, `pending(...)` its signal.
fn run_error(e: Box<EvalAltResult>) -> RunError {
    match *e {
        EvalAltResult::ErrorTooManyOperations(_)
        | EvalAltResult::ErrorDataTooLarge(..)
        | EvalAltResult::ErrorStackOverflow(_)
        | EvalAltResult::ErrorTooManyVariables(_) => {
            RunError::Budget(format!("stopped at its budget: {e}"))
        }
        EvalAltResult::ErrorRuntime(ref value, _) if value.is::<PendingSignal>() => {
            match value.clone().try_cast::<PendingSignal>() {
                Some(PendingSignal(paths)) => RunError::Pending(paths),
                None => RunError::Runtime("unreadable pending signal".into()),
            }
        }
        other => RunError::Runtime(other.to_string()),
    }
}

impl CompiledPack {
    pub(super) fn run_in_rhai(
        &self,
        expr: &Expr,
        vars: &mut Vars,
        view: &InputView,
        item: Option<&ItemBinding<'_>>,
    ) -> Result<Dynamic, RunError> {
        let ast = self
            .ast(expr, item.map(|b| (b.alias, b.index.map(|(name, _)| name))))
            .map_err(RunError::Runtime)?;
        vars.fill_scope(self, view);
        let scope = &mut vars.scope;
        let len = scope.len();
        if let Some(b) = item {
            scope.push_constant_dynamic(b.alias.to_owned(), Dynamic::from_map(b.value.clone()));
            if let Some((name, index)) = b.index {
                scope.push_constant_dynamic(name.to_owned(), Dynamic::from_int(index));
            }
        }
        let out = self.engine().eval_ast_with_scope::<Dynamic>(scope, ast);
        // Variables a rule declares, and the item, do not outlive the run.
        scope.rewind(len);
        out.map_err(run_error)
    }
}
