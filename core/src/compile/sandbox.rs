//! The limits of every rule expression run ([`Limits`]), and the rhai sandbox the reference
//! evaluation runs in (feature `reference`, `crate::compile::reference`): a raw engine with the
//! same allowlist of functions as the engine (`crate::functions::builtins` for strings, arrays,
//! maps and numbers, the domain functions of `crate::functions`, and `pending`), strict variables,
//! no user functions, modules or closures (crate features), and the same limits. A rule that
//! calls a function outside the allowlist fails to compile there too.

use std::sync::Mutex;

use rhai::{ASTNode, Engine, Expr, LexError, Token, AST};

use crate::sorted::SortedSet;

/// Raised by `pending(paths)`: the rule cannot decide until these fields are filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignal(pub Vec<String>);

/// Resource limits of one rule expression run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Operations one expression run may take: one per node evaluated and per item looped over
    /// (0: no limit).
    pub max_operations: u64,
    /// rhai's expression depth, for the reference evaluation; the engine's reader refuses
    /// nesting deeper than `compile::syntax::MAX_LEVEL`.
    pub max_expr_depth: usize,
    /// Bytes of any one string a rule builds.
    pub max_string_size: usize,
    /// Items of any one list a rule builds.
    pub max_array_size: usize,
    /// rhai's map size limit, for the reference evaluation (rules cannot grow a map: maps are
    /// written as literals).
    pub max_map_size: usize,
    /// `let` variables of one expression.
    pub max_variables: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 100_000,
            max_expr_depth: 64,
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_variables: 256,
        }
    }
}

/// Builds the engine every rule of a pack is compiled and run with.
pub fn engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    engine
        .set_strict_variables(true)
        .set_max_operations(limits.max_operations)
        .set_max_expr_depths(limits.max_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_variables(limits.max_variables);
    // Rules are pure: no dynamic evaluation of text and no output channel.
    for symbol in ["eval", "print", "debug"] {
        engine.disable_symbol(symbol);
    }
    crate::functions::register(&mut engine);
    // `pending("a.b")` / `pending(["a.b", "c[0].d"])`: a rule that finds out while running that
    // it needs more input (a flag that neither the form nor a reference list decides) says so,
    // and becomes pending on those paths instead of guessing or failing.
    // (The two `pending` overloads are rows of `crate::functions::registry`.)
    engine.register_type_with_name::<PendingSignal>("pending");
    refuse_unknown_calls(&mut engine);
    engine
}

/// An identifier the token mapper just read, and its (line, column).
type LastIdentifier = (String, (usize, usize));

/// Makes a call to a function the engine does not have a compile error: rhai itself only finds
/// out when the call runs, so a typo or a function outside the allowlist would otherwise load and
/// fail on some inputs only. A call is an identifier followed by `(` (`f(x)` or `x.f(y)`); the
/// token mapper sees tokens one at a time, in order, so it remembers the last identifier.
fn refuse_unknown_calls(engine: &mut Engine) {
    // The registry's names are the engine's functions (a test compares them with what rhai
    // reports); asking rhai for its functions' metadata would bring that code into the module.
    let known: SortedSet<&'static str> = crate::functions::names().collect();
    // The identifier just read and where, reset by any other token. Compilations of one engine
    // are sequential (a pack is compiled once); a stale entry from an aborted parse is ignored
    // because a `(` only counts when it comes after the identifier.
    let last: Mutex<Option<LastIdentifier>> = Mutex::new(None);
    #[allow(deprecated)] // "volatile", not deprecated
    engine.on_parse_token(move |token, pos, _| {
        let at = (pos.line().unwrap_or(0), pos.position().unwrap_or(0));
        let mut last = last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let previous = last.take();
        match &token {
            Token::Identifier(name) => *last = Some((name.to_string(), at)),
            Token::LeftParen => {
                if let Some((name, name_at)) = previous {
                    if name_at < at && !known.contains(name.as_str()) {
                        return Token::LexError(Box::new(LexError::ImproperSymbol(
                            name.clone(),
                            format!(
                                "function '{name}' is not available to rules \
                                 (see docs/pack-format.md, \"Functions\")"
                            ),
                        )));
                    }
                }
            }
            _ => {}
        }
        token
    });
}

/// Refuses a method that changes its receiver (`push`, `trim`, ...) called on a value reached
/// from a variable of the evaluation (`d.list.push(3)`, `org.kind.make_upper()`). rhai protects
/// such variables (they are constants) from assignment, but a method called on one of their
/// fields changes the field in place, and later rules would read the changed value. A rule that
/// needs to change a value copies it into a `let` variable first; that copy is its own.
pub fn refuse_changing_evaluation_values(ast: &AST) -> Result<(), String> {
    let mut refused: Option<String> = None;
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Expr(Expr::Dot(chain, _, _) | Expr::Index(chain, _, _))) = path.last()
        {
            // A variable declared in the rule (`let`, `for`) has a stack index; one of the
            // evaluation's (an input root, a produced value, the item alias) has none.
            if let Expr::Variable(var, _, _) = &chain.lhs {
                if var.0.is_none() {
                    if let Some(method) = changing_method(&chain.rhs) {
                        refused = Some(format!(
                            "`{method}` would change a value of `{}`, which other rules read: \
                             copy the value into a `let` variable first \
                             (`let x = …; x.{method}(…)`)",
                            var.1
                        ));
                        return false;
                    }
                }
            }
        }
        true
    });
    refused.map_or(Ok(()), Err)
}

/// The first method in a property/index chain that changes its receiver.
fn changing_method(chain: &Expr) -> Option<String> {
    match chain {
        Expr::Dot(pair, _, _) | Expr::Index(pair, _, _) => {
            changing_method(&pair.lhs).or_else(|| changing_method(&pair.rhs))
        }
        Expr::MethodCall(call, _) => {
            crate::compile::direct::Mutation::named(call.name.as_str(), call.args.len())
                .map(|_| call.name.to_string())
        }
        _ => None,
    }
}
