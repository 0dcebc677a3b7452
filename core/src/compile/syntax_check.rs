//! The direct forms' reader ([`super::syntax`]) checked against rhai on one text, for the tests
//! (`core/tests/syntax_reader.rs`) and the fuzzer (`fuzz/fuzz_targets/expression_text.rs`):
//! whatever the reader takes, rhai must compile, the sandbox must accept, and lowering rhai's
//! syntax tree ([`super::direct::lower_with`]) must give the same tree. A stand-in for a pack's
//! schema sends paths of some lengths to document fields and others to produced values, so both
//! sides resolve paths the same way.

use rhai::{Dynamic, Scope};

use super::direct::{self, DirectExpr};
use super::{sandbox, syntax, Limits};

/// What the reader and rhai made of a text on which they agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Agreement {
    /// The reader took the text (and rhai lowers it to the same tree).
    pub taken: bool,
    /// rhai compiles the text and its syntax tree lowers to a direct form.
    pub rhai_lowers: bool,
}

fn field(path: &str) -> Option<usize> {
    (path.contains('.') && path.len() % 3 == 0).then_some(path.len())
}

fn produced(path: &str) -> Option<usize> {
    (path.len() % 3 == 1 && path != "i").then_some(1000 + path.len())
}

fn reads_scope(root: &str, property: Option<&str>) -> bool {
    root.len() % 2 == 0 || property.is_some_and(|p| p.len() % 2 == 0)
}

fn shape(e: &DirectExpr) -> String {
    format!("{:?} slots={} scope={}", e.root, e.slots, e.needs_scope)
}

/// Reads `src` both ways with `names` as the variables of the evaluation; an error says how the
/// reader and rhai disagree.
pub fn check(src: &str, names: &[&str]) -> Result<Agreement, String> {
    let in_scope = |n: &str| names.contains(&n);
    let ours = syntax::read(
        src,
        &syntax::Context {
            in_scope: &in_scope,
            field: &field,
            produced: &produced,
            reads_scope: &reads_scope,
            max_string: Limits::default().max_string_size,
        },
    );
    let engine = sandbox::engine(&Limits::default());
    let mut scope = Scope::new();
    for n in names {
        scope.push_dynamic(*n, Dynamic::UNIT);
    }
    let theirs = engine
        .compile_with_scope(&scope, src)
        .map_err(|e| e.to_string())
        .and_then(|ast| sandbox::refuse_changing_evaluation_values(&ast).map(|()| ast))
        .map(|ast| direct::lower_with(&ast, &field, &produced, &reads_scope));
    let agreement = Agreement {
        taken: ours.is_ok(),
        rhai_lowers: matches!(theirs, Ok(Some(_))),
    };
    let Ok(ours) = ours else {
        return Ok(agreement);
    };
    match theirs {
        Err(e) => Err(format!("the reader took {src:?}, which rhai refuses: {e}")),
        Ok(None) => Err(format!(
            "the reader took {src:?}, which rhai's syntax tree does not lower"
        )),
        Ok(Some(theirs)) if shape(&ours) != shape(&theirs) => Err(format!(
            "the reader read {src:?} as {}, rhai as {}",
            shape(&ours),
            shape(&theirs)
        )),
        Ok(Some(_)) => Ok(agreement),
    }
}
