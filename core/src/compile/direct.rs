//! Rule expressions in the small form the engine evaluates itself (`crate::eval::direct`).
//!
//! At load, every expression is read into a [`Direct`] tree straight from its text
//! (`crate::compile::syntax`); a text the reader does not take is a load error. Variables are
//! resolved to slots, document fields and rules' values to their places, so an evaluation
//! searches nothing by name. The trees give rhai's answers on the same values: rhai is the
//! reference the tests, the fuzz targets and the conformance corpus compare them with (feature
//! `reference`).
//!
//! [`lower`] and [`lower_with`] build the same trees from rhai's syntax tree instead. Loading does
//! not use them: they are the reference the reader is tested against
//! (`core/tests/syntax_reader.rs`), since they follow the shape rhai's own parser gave the
//! expression.

use rhai::{ASTFlags, Dynamic, Expr, FnCallExpr, ImmutableString, Stmt, StmtBlock, Token, AST};

/// Largest tree read: a bound on the size of one expression (its run is bounded by the
/// operations budget, `crate::compile::Limits`).
pub const MAX_NODES: usize = 512;

/// A lowered expression or statement.
#[derive(Debug, Clone)]
pub enum Direct {
    Const(Dynamic),
    /// A variable of the evaluation: an input root, a produced value root, `params`, `rules`,
    /// `scores`, or the `for_each` item alias and index.
    Name(ImmutableString),
    /// A variable declared by `let` inside the expression, by slot.
    Local(usize),
    /// A scalar field of the input document (`employer.employees`), by its slot in the input
    /// schema: the evaluation's converted value, unit when absent, exactly what rhai reads
    /// through the input's maps (rules cannot change the input).
    Field(usize),
    /// The value a rule produced (`risk.factor_nature`, `rules.bc1`), by the rule's index: what
    /// rhai reads at that path of the scope once the rule has published it.
    Produced(usize),
    /// A value followed by property, index and method steps: `risk.factor_nature[i].serious`.
    Path(Box<Direct>, Vec<Step>),
    Not(Box<Direct>),
    Negate(Box<Direct>),
    And(Vec<Direct>),
    Or(Vec<Direct>),
    Coalesce(Vec<Direct>),
    Compare(Comparison, Box<(Direct, Direct)>),
    Arithmetic(Operator, Box<(Direct, Direct)>),
    Call(Function, Vec<Direct>),
    Array(Vec<Direct>),
    Map(Vec<(ImmutableString, Direct)>),
    /// `if` with its two branches (an absent `else` is a unit constant).
    If(Box<(Direct, Direct, Direct)>),
    /// Statements; the value is the last one's (a `let` is unit).
    Block(Vec<Direct>),
    /// `let` into a slot; its value is unit.
    Let(usize, Box<Direct>),
    /// `x = value` (and `x op= value`, lowered to `x = x op value`) on a `let` variable.
    Assign(usize, Box<Direct>),
    /// `x.trim()`, `x.push(v)`, ...: a method that changes a `let` variable in place; unit.
    Mutate(usize, Mutation, Vec<Direct>),
    /// `for x in list { ... }` and `for (x, i) in list { ... }`; unit.
    For(Box<ForLoop>),
    /// `throw value`: the rule fails to run, with the value as its message (a rule that throws
    /// on the cases its pack cannot decide).
    Throw(Box<Direct>),
    /// `return value`: the expression's value, wherever it is reached.
    Return(Box<Direct>),
}

#[derive(Debug, Clone)]
pub struct ForLoop {
    pub item: usize,
    pub counter: Option<usize>,
    pub list: Direct,
    pub body: Direct,
}

/// Methods of the allowlist that change their receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    Trim,
    Replace,
    MakeUpper,
    MakeLower,
    Push,
}

/// Each method that changes its receiver: its name and its arguments, the receiver not counted.
const MUTATIONS: [(&str, usize, Mutation); 5] = [
    ("trim", 0, Mutation::Trim),
    ("replace", 2, Mutation::Replace),
    ("make_upper", 0, Mutation::MakeUpper),
    ("make_lower", 0, Mutation::MakeLower),
    ("push", 1, Mutation::Push),
];

impl Mutation {
    /// The method a call names (arguments not counting the receiver), if it is one of these.
    pub fn named(name: &str, arity: usize) -> Option<Mutation> {
        MUTATIONS
            .iter()
            .find(|&&(n, a, _)| n == name && a == arity)
            .map(|&(_, _, m)| m)
    }

    /// The method's name, as rules call it.
    pub fn name(self) -> &'static str {
        MUTATIONS
            .iter()
            .find(|&&(_, _, m)| m == self)
            .map_or("", |&(n, _, _)| n)
    }
}

/// One step of a path.
#[derive(Debug, Clone)]
pub enum Step {
    Property(ImmutableString),
    Index(Direct),
    /// `x.f(args)`: `f(x, args)`.
    Method(Function, Vec<Direct>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    /// The `+` of `x += y`: `+`, but a list on the left takes `y` as its last item (or its
    /// items, when `y` is a list), as rhai's `+=` does.
    AddAssign,
}

/// Functions of the allowlist whose arguments are only read, so a direct call gives what the
/// registered rhai function gives (`crate::eval::direct::call`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    Len,
    Contains,
    UsccValid,
    MaxByOrder,
    MinByOrder,
    AnyWhere,
    AllWhere,
    CountWhere,
    Sum,
    AddDays,
    AddMonths,
    AddYears,
    DaysBetween,
    WithinYearsBefore,
    SubString,
    StartsWith,
    EndsWith,
    ParseInt,
    ParseFloat,
    /// `pending(paths)`: the direct form raises the same signal rhai's function raises (the
    /// paths, each argument printed as rhai prints it): the rule becomes pending on them
    /// (`crate::eval::direct`, `Stop::Pending`).
    Pending,
    /// Any other function of the sandbox's table (`crate::functions`), resolved by the types of
    /// its arguments when it runs.
    Registered(&'static str),
}

impl Function {
    /// The function a call names, when it is one of the above with its arity (receiver included).
    pub(super) fn named(name: &str, arity: usize) -> Option<Function> {
        let f = match (name, arity) {
            ("len", 1) => Function::Len,
            ("contains", 2) => Function::Contains,
            ("uscc_valid", 1) => Function::UsccValid,
            ("max_by_order", 2) => Function::MaxByOrder,
            ("min_by_order", 2) => Function::MinByOrder,
            ("any_where", 3) => Function::AnyWhere,
            ("all_where", 3) => Function::AllWhere,
            ("count_where", 3) => Function::CountWhere,
            ("sum", 1) => Function::Sum,
            ("add_days", 2) => Function::AddDays,
            ("add_months", 2) => Function::AddMonths,
            ("add_years", 2) => Function::AddYears,
            ("days_between", 2) => Function::DaysBetween,
            ("within_years_before", 3) => Function::WithinYearsBefore,
            ("sub_string", 2 | 3) => Function::SubString,
            ("starts_with", 2) => Function::StartsWith,
            ("ends_with", 2) => Function::EndsWith,
            ("parse_int", 1) => Function::ParseInt,
            ("parse_float", 1) => Function::ParseFloat,
            ("pending", 1) => Function::Pending,
            // The methods that change their receiver are taken only as `Direct::Mutate`.
            _ if arity > 0 && Mutation::named(name, arity - 1).is_some() => return None,
            _ => Function::Registered(crate::functions::known(name, arity)?),
        };
        Some(f)
    }
}

/// A lowered expression with the number of `let` slots it uses.
#[derive(Debug, Clone)]
pub struct DirectExpr {
    pub root: Direct,
    pub slots: usize,
    /// The form reads a variable of the evaluation scope by name (an input root whole, a root of
    /// produced values, a path below one that is no field and no rule's value): the scope must
    /// be built, with every value published so far, before it runs.
    pub needs_scope: bool,
}

/// Lowers an expression compiled by rhai, or `None` when it uses anything outside the direct
/// forms: the reference for `crate::compile::syntax` (see the module's comment). `field` gives
/// the slot of a document field by its path (`employer.employees`, `hazards.factors`), read
/// directly rather than through the input's maps.
pub fn lower(ast: &AST, field: &FieldSlots<'_>) -> Option<DirectExpr> {
    lower_with(ast, field, &|_| None, &|_, _| false)
}

/// [`lower`], with the values rules produce: `produced` gives the index of the rule producing a
/// path (`risk.hazard_grade`, `rules.bc1`), read from the evaluation's list of produced values
/// rather than the scope's maps; `reads_scope(root, property)` tells whether reading variable
/// `root` (then `.property`, when given) goes through the evaluation scope ([`DirectExpr::needs_scope`]).
pub fn lower_with(
    ast: &AST,
    field: &FieldSlots<'_>,
    produced: &FieldSlots<'_>,
    reads_scope: &dyn Fn(&str, Option<&str>) -> bool,
) -> Option<DirectExpr> {
    let mut lowering = Lowering::new(field, produced);
    let root = lowering.block(ast.statements())?;
    lowering.finish(root, reads_scope)
}

/// Nodes of a tree, path steps included: what [`MAX_NODES`] bounds. Counted on the lowered tree,
/// so an expression gets the same answer whichever reader lowered it (`crate::compile::syntax`
/// or rhai's syntax tree).
fn size(d: &Direct) -> usize {
    let mut n = 1;
    if let Direct::Path(_, steps) = d {
        n += steps.len();
    }
    any_child(d, &mut |child| {
        n += size(child);
        false
    });
    n
}

/// Whether `d` reads a variable by name (and, in a path, its first property) that `test` picks.
fn names_any(d: &Direct, test: &dyn Fn(&str, Option<&str>) -> bool) -> bool {
    match d {
        Direct::Name(n) => test(n, None),
        Direct::Path(base, s) if matches!(**base, Direct::Name(_)) => {
            let first = match s.first() {
                Some(Step::Property(p)) => Some(p.as_str()),
                _ => None,
            };
            matches!(&**base, Direct::Name(n) if test(n, first))
                || s.iter()
                    .any(|step| step_arguments(step).iter().any(|a| names_any(a, test)))
        }
        _ => any_child(d, &mut |child| names_any(child, test)),
    }
}

/// Whether `d` can raise `pending(...)`: it calls it somewhere.
fn raises_pending(d: &Direct) -> bool {
    match d {
        Direct::Call(Function::Pending, _) => true,
        Direct::Path(_, s)
            if s.iter()
                .any(|st| matches!(st, Step::Method(Function::Pending, _))) =>
        {
            true
        }
        _ => any_child(d, &mut raises_pending),
    }
}

/// rhai evaluates a chain's index expressions and method arguments, left to right, before its
/// base (`a.f(x)[y]`: `x`, `y`, then `a`); the direct forms walk the base first. The order shows
/// when one of them stops at `pending(...)` and another fails: which one comes first decides
/// whether the rule is pending or in error. Such a chain is read in rhai's order
/// ([`Lowering::in_rhai_order`]).
fn pending_out_of_order(base: &Direct, steps: &[Step]) -> bool {
    let arguments = || steps.iter().flat_map(step_arguments);
    arguments().next().is_some() && (raises_pending(base) || arguments().any(raises_pending))
}

/// Whether `f` holds for one of `d`'s direct children (a path's step arguments included).
fn any_child(d: &Direct, f: &mut dyn FnMut(&Direct) -> bool) -> bool {
    match d {
        Direct::Const(_)
        | Direct::Name(_)
        | Direct::Local(_)
        | Direct::Field(_)
        | Direct::Produced(_) => false,
        Direct::Path(base, s) => {
            f(base)
                || s.iter()
                    .any(|step| step_arguments(step).iter().any(&mut *f))
        }
        Direct::Not(x)
        | Direct::Negate(x)
        | Direct::Let(_, x)
        | Direct::Assign(_, x)
        | Direct::Throw(x)
        | Direct::Return(x) => f(x),
        Direct::And(items)
        | Direct::Or(items)
        | Direct::Coalesce(items)
        | Direct::Array(items)
        | Direct::Block(items)
        | Direct::Call(_, items)
        | Direct::Mutate(_, _, items) => items.iter().any(f),
        Direct::Compare(_, pair) | Direct::Arithmetic(_, pair) => f(&pair.0) || f(&pair.1),
        Direct::Map(entries) => entries.iter().any(|(_, v)| f(v)),
        Direct::If(parts) => f(&parts.0) || f(&parts.1) || f(&parts.2),
        Direct::For(parts) => f(&parts.list) || f(&parts.body),
    }
}

/// The expressions a step evaluates: its index, or its method's arguments.
fn step_arguments(step: &Step) -> &[Direct] {
    match step {
        Step::Property(_) => &[],
        Step::Index(i) => std::slice::from_ref(i),
        Step::Method(_, args) => args,
    }
}

/// What lowering an expression keeps track of, whichever reader drives it: the `let` variables
/// in scope and their slots, and where document fields and produced values are read from.
pub(super) struct Lowering<'f> {
    /// Names declared by `let` and visible here, innermost last, with their slots.
    locals: Vec<(ImmutableString, usize)>,
    slots: usize,
    field: &'f FieldSlots<'f>,
    produced: &'f FieldSlots<'f>,
}

/// The slot of a scalar document field by its path, if it is one.
pub type FieldSlots<'f> = dyn Fn(&str) -> Option<usize> + 'f;

impl<'f> Lowering<'f> {
    pub(super) fn new(field: &'f FieldSlots<'f>, produced: &'f FieldSlots<'f>) -> Self {
        Lowering {
            locals: Vec::new(),
            slots: 0,
            field,
            produced,
        }
    }

    /// The lowered expression, unless its tree is larger than [`MAX_NODES`].
    pub(super) fn finish(
        self,
        root: Direct,
        reads_scope: &dyn Fn(&str, Option<&str>) -> bool,
    ) -> Option<DirectExpr> {
        (size(&root) <= MAX_NODES).then(|| DirectExpr {
            needs_scope: names_any(&root, reads_scope),
            root,
            slots: self.slots,
        })
    }

    /// How many `let` variables are visible: a block ends with [`Lowering::forget`] of this.
    pub(super) fn visible(&self) -> usize {
        self.locals.len()
    }

    /// Ends the scope of the variables declared since `visible` was taken.
    pub(super) fn forget(&mut self, visible: usize) {
        self.locals.truncate(visible);
    }

    /// A block: its `let`s are visible to the statements after them, up to the block's end.
    fn block(&mut self, statements: &[Stmt]) -> Option<Direct> {
        let visible = self.visible();
        let lowered = statements
            .iter()
            .map(|s| self.statement(s))
            .collect::<Option<Vec<_>>>();
        self.forget(visible);
        block_of(lowered?)
    }

    fn statement_block(&mut self, block: &StmtBlock) -> Option<Direct> {
        self.block(block.statements())
    }

    fn statement(&mut self, stmt: &Stmt) -> Option<Direct> {
        match stmt {
            Stmt::Noop(_) => Some(Direct::Const(Dynamic::UNIT)),
            Stmt::Expr(e) => self.expr(e),
            Stmt::FnCall(call, _) => self.call(call),
            Stmt::Block(block) => self.statement_block(block),
            Stmt::If(flow, _) => {
                let condition = self.expr(&flow.expr)?;
                let then = self.statement_block(&flow.body)?;
                let otherwise = self.statement_block(&flow.branch)?;
                Some(Direct::If(Box::new((condition, then, otherwise))))
            }
            Stmt::Var(decl, _, _) => {
                let (ident, value, _) = &**decl;
                // The value is lowered before the name is visible: `let x = x.y` reads the outer x.
                let value = self.expr(value)?;
                let slot = self.declare(&ident.name);
                Some(Direct::Let(slot, Box::new(value)))
            }
            Stmt::Assignment(assignment) => {
                let (op, pair) = &**assignment;
                let Expr::Variable(var, _, _) = &pair.lhs else {
                    return None;
                };
                let Direct::Local(slot) = self.variable(&var.1) else {
                    return None;
                };
                let value = self.expr(&pair.rhs)?;
                let value = match op.get_op_assignment_info() {
                    None => value,
                    Some((.., token, _)) => {
                        let operator = match token {
                            Token::Plus => Operator::AddAssign,
                            Token::Minus => Operator::Subtract,
                            Token::Multiply => Operator::Multiply,
                            Token::Divide => Operator::Divide,
                            Token::Modulo => Operator::Modulo,
                            _ => return None,
                        };
                        Direct::Arithmetic(operator, Box::new((Direct::Local(slot), value)))
                    }
                };
                Some(Direct::Assign(slot, Box::new(value)))
            }
            Stmt::For(parts, _) => {
                let (item, counter, flow) = &**parts;
                let list = self.expr(&flow.expr)?;
                let visible = self.visible();
                let item = self.declare(&item.name);
                let counter = counter.as_ref().map(|c| self.declare(&c.name));
                let body = self.statement_block(&flow.body);
                self.forget(visible);
                Some(Direct::For(Box::new(ForLoop {
                    item,
                    counter,
                    list,
                    body: body?,
                })))
            }
            Stmt::Return(value, flags, _) => {
                let value = match value {
                    Some(v) => self.expr(v)?,
                    None => Direct::Const(Dynamic::UNIT),
                };
                Some(if flags.contains(rhai::ASTFlags::BREAK) {
                    Direct::Throw(Box::new(value))
                } else {
                    Direct::Return(Box::new(value))
                })
            }
            _ => None,
        }
    }

    fn exprs<'e>(&mut self, items: impl IntoIterator<Item = &'e Expr>) -> Option<Vec<Direct>> {
        items.into_iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&mut self, expr: &Expr) -> Option<Direct> {
        Some(match expr {
            Expr::Unit(_) => Direct::Const(Dynamic::UNIT),
            Expr::BoolConstant(b, _) => Direct::Const(Dynamic::from_bool(*b)),
            Expr::IntegerConstant(i, _) => Direct::Const(Dynamic::from_int(*i)),
            Expr::FloatConstant(f, _) => Direct::Const(Dynamic::from_float(**f)),
            Expr::StringConstant(s, _) => Direct::Const(Dynamic::from(s.clone())),
            Expr::DynamicConstant(d, _) => Direct::Const((**d).clone()),
            // A top-level field or a one-segment value read whole (`assessment_date`).
            Expr::Variable(var, _, _) => match self.variable(&var.1) {
                name @ Direct::Name(_) => self.document_field(name, Vec::new()),
                local => local,
            },
            Expr::Array(items, _) => Direct::Array(self.exprs(items.iter())?),
            Expr::Map(map, _) => Direct::Map(
                map.0
                    .iter()
                    .map(|(ident, e)| Some((ident.name.clone(), self.expr(e)?)))
                    .collect::<Option<Vec<_>>>()?,
            ),
            Expr::And(items, _) => Direct::And(self.exprs(items.iter())?),
            Expr::Or(items, _) => Direct::Or(self.exprs(items.iter())?),
            Expr::Coalesce(items, _) => Direct::Coalesce(self.exprs(items.iter())?),
            Expr::FnCall(call, _) => self.call(call)?,
            Expr::Stmt(block) => self.statement_block(block)?,
            Expr::Dot(chain, flags, _) => {
                if let Some(mutation) = self.mutation(&chain.lhs, &chain.rhs) {
                    return mutation;
                }
                let base = self.expr(&chain.lhs)?;
                let mut steps = Vec::new();
                self.chain(&chain.rhs, Mode::Dot, *flags, &mut steps)?;
                self.in_rhai_order(base, steps, Self::document_field)
            }
            Expr::Index(chain, flags, _) => {
                let base = self.expr(&chain.lhs)?;
                let mut steps = Vec::new();
                self.chain(&chain.rhs, Mode::Index, *flags, &mut steps)?;
                self.in_rhai_order(base, steps, |_, base, steps| {
                    Direct::Path(Box::new(base), steps)
                })
            }
            _ => return None,
        })
    }

    /// `root.a.b…` where the longest run of properties from a variable names a scalar document
    /// field: that field by slot, then the remaining steps.
    /// A produced value's path likewise: that rule's value, then the remaining steps.
    pub(super) fn document_field(&self, base: Direct, mut steps: Vec<Step>) -> Direct {
        let Direct::Name(root) = &base else {
            return Direct::Path(Box::new(base), steps);
        };
        let field = self.field;
        let mut path = root.to_string();
        // A one-segment value (`sets = "x"`) is a variable of its own.
        let mut found = (self.produced)(&path)
            .map(|rule| (Direct::Produced(rule), 0))
            .or_else(|| field(&path).map(|slot| (Direct::Field(slot), 0)));
        for (i, step) in steps.iter().enumerate() {
            let Step::Property(name) = step else { break };
            path.push('.');
            path.push_str(name);
            if let Some(slot) = field(&path) {
                found = Some((Direct::Field(slot), i + 1));
            } else if let Some(rule) = (self.produced)(&path) {
                // Produced paths are never prefixes of one another (`check_produced_path`).
                found = Some((Direct::Produced(rule), i + 1));
            }
        }
        match found {
            Some((value, taken)) if taken == steps.len() => value,
            Some((value, taken)) => {
                let rest = steps.split_off(taken);
                Direct::Path(Box::new(value), rest)
            }
            None if steps.is_empty() => base,
            None => Direct::Path(Box::new(base), steps),
        }
    }

    /// A chain's base and steps in the form `form` gives them, its arguments
    /// evaluated first, in rhai's order, when that order can show ([`pending_out_of_order`]).
    /// Each argument that is more than a constant or a variable is taken into a variable of its
    /// own first (a slot no name reaches), then the base, and the chain reads those.
    pub(super) fn in_rhai_order(
        &mut self,
        base: Direct,
        mut steps: Vec<Step>,
        form: impl FnOnce(&Self, Direct, Vec<Step>) -> Direct,
    ) -> Direct {
        if !pending_out_of_order(&base, &steps) {
            return form(self, base, steps);
        }
        let mut first = Vec::new();
        for step in &mut steps {
            let args: &mut [Direct] = match step {
                Step::Index(i) => std::slice::from_mut(i),
                Step::Method(_, args) => args,
                Step::Property(_) => &mut [],
            };
            for arg in args {
                if !matches!(arg, Direct::Const(_) | Direct::Local(_)) {
                    let slot = self.unnamed();
                    let value = std::mem::replace(arg, Direct::Local(slot));
                    first.push(Direct::Let(slot, Box::new(value)));
                }
            }
        }
        let base = match base {
            simple @ (Direct::Const(_)
            | Direct::Local(_)
            | Direct::Field(_)
            | Direct::Produced(_)
            | Direct::Name(_)) => simple,
            other => {
                let slot = self.unnamed();
                first.push(Direct::Let(slot, Box::new(other)));
                Direct::Local(slot)
            }
        };
        first.push(form(self, base, steps));
        Direct::Block(first)
    }

    /// A slot for a value the lowering keeps, which no name in the text reaches.
    fn unnamed(&mut self) -> usize {
        let slot = self.slots;
        self.slots += 1;
        slot
    }

    /// A new `let` (or loop) variable, visible until the end of the enclosing block.
    pub(super) fn declare(&mut self, name: &ImmutableString) -> usize {
        let slot = self.slots;
        self.slots += 1;
        self.locals.push((name.clone(), slot));
        slot
    }

    pub(super) fn variable(&self, name: &ImmutableString) -> Direct {
        match self.locals.iter().rev().find(|(n, _)| n == name) {
            Some((_, slot)) => Direct::Local(*slot),
            None => Direct::Name(name.clone()),
        }
    }

    /// `x.m(args)` where `x` is a `let` variable and `m` changes it: `Some(None)` when the
    /// arguments cannot be lowered, `None` when this is not such a call.
    fn mutation(&mut self, receiver: &Expr, method: &Expr) -> Option<Option<Direct>> {
        let (Expr::Variable(var, _, _), Expr::MethodCall(call, _)) = (receiver, method) else {
            return None;
        };
        let m = Mutation::named(call.name.as_str(), call.args.len())?;
        let Direct::Local(slot) = self.variable(&var.1) else {
            // A method that changes a variable of the evaluation (a constant): rhai refuses it.
            return Some(None);
        };
        Some(
            self.exprs(call.args.iter())
                .map(|args| Direct::Mutate(slot, m, args)),
        )
    }

    /// The rest of a property/index chain. rhai nests it to the right: in `Dot(a, b)` or
    /// `Index(a, b)` below the chain's base, `a` is the current step (a property or method after a
    /// dot, the index expression after a bracket) and `b` continues after a dot or a bracket,
    /// unless the node holding `expr` is marked `BREAK`: then `expr` is the last step, whole
    /// (`x[y[0]]` is `Index(x, Index(y, 0))` with `BREAK` on the outer node, `x[y][0]` without).
    fn chain(
        &mut self,
        expr: &Expr,
        mode: Mode,
        parent: ASTFlags,
        steps: &mut Vec<Step>,
    ) -> Option<()> {
        if parent.contains(ASTFlags::BREAK) {
            return self.step(expr, mode, steps);
        }
        match expr {
            Expr::Dot(pair, flags, _) => {
                self.step(&pair.lhs, mode, steps)?;
                self.chain(&pair.rhs, Mode::Dot, *flags, steps)
            }
            Expr::Index(pair, flags, _) => {
                self.step(&pair.lhs, mode, steps)?;
                self.chain(&pair.rhs, Mode::Index, *flags, steps)
            }
            other => self.step(other, mode, steps),
        }
    }

    fn step(&mut self, expr: &Expr, mode: Mode, steps: &mut Vec<Step>) -> Option<()> {
        let step = match (mode, expr) {
            (Mode::Dot, Expr::Property(p, _)) => Step::Property(p.2.clone()),
            (Mode::Dot, Expr::MethodCall(call, _)) => {
                let f = Function::named(call.name.as_str(), call.args.len() + 1)?;
                Step::Method(f, self.exprs(call.args.iter())?)
            }
            (Mode::Index, index) => Step::Index(self.expr(index)?),
            _ => return None,
        };
        steps.push(step);
        Some(())
    }

    fn call(&mut self, call: &FnCallExpr) -> Option<Direct> {
        let mut args = self.exprs(call.args.iter())?;
        let Some(token) = &call.op_token else {
            let f = Function::named(call.name.as_str(), args.len())?;
            return Some(Direct::Call(f, args));
        };
        if args.len() == 1 {
            let operand = Box::new(args.pop()?);
            return match token {
                Token::Bang => Some(Direct::Not(operand)),
                Token::Minus => Some(Direct::Negate(operand)),
                _ => None,
            };
        }
        let comparison = match token {
            Token::EqualsTo => Some(Comparison::Equal),
            Token::NotEqualsTo => Some(Comparison::NotEqual),
            Token::LessThan => Some(Comparison::Less),
            Token::LessThanEqualsTo => Some(Comparison::LessOrEqual),
            Token::GreaterThan => Some(Comparison::Greater),
            Token::GreaterThanEqualsTo => Some(Comparison::GreaterOrEqual),
            _ => None,
        };
        let operator = match token {
            Token::Plus => Some(Operator::Add),
            Token::Minus => Some(Operator::Subtract),
            Token::Multiply => Some(Operator::Multiply),
            Token::Divide => Some(Operator::Divide),
            Token::Modulo => Some(Operator::Modulo),
            _ => None,
        };
        if args.len() != 2 {
            return None;
        }
        let right = args.pop()?;
        let left = args.pop()?;
        let pair = Box::new((left, right));
        match (comparison, operator) {
            (Some(c), _) => Some(Direct::Compare(c, pair)),
            (None, Some(o)) => Some(Direct::Arithmetic(o, pair)),
            (None, None) => None,
        }
    }
}

/// A block's value from its lowered statements: nothing is unit, one statement (not a `let`) is
/// itself, more are a [`Direct::Block`].
pub(super) fn block_of(mut lowered: Vec<Direct>) -> Option<Direct> {
    Some(match lowered.len() {
        0 => Direct::Const(Dynamic::UNIT),
        1 if !matches!(lowered.first(), Some(Direct::Let(..))) => lowered.pop()?,
        _ => Direct::Block(lowered),
    })
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Dot,
    Index,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(src: &str) -> Option<DirectExpr> {
        let engine = crate::compile::sandbox::engine(&crate::compile::Limits::default());
        let mut scope = rhai::Scope::new();
        for name in ["risk", "factor", "i", "hazards"] {
            scope.push_dynamic(name, Dynamic::UNIT);
        }
        let ast = engine.compile_with_scope(&scope, src).ok()?;
        // `hazards.present` is a scalar document field (slot 7); `hazards.factors` a list.
        lower(&ast, &|path| (path == "hazards.present").then_some(7))
    }

    #[test]
    fn scalar_document_fields_are_read_by_slot() {
        let field = |src| lowered(src).map(|e| format!("{:?}", e.root));
        assert_eq!(field("hazards.present").as_deref(), Some("Field(7)"));
        // The rest of a path goes on from the field's value.
        let len = field("hazards.present.len()").unwrap_or_default();
        assert!(len.starts_with("Path(Field(7), [Method("), "{len}");
        // Lists, produced values, item aliases and `let` variables keep their paths.
        for src in [
            "hazards.factors",
            "risk.present",
            "factor.present",
            "let hazards = factor; hazards.present",
        ] {
            let tree = field(src).unwrap_or_default();
            assert!(!tree.contains("Field("), "{src}: {tree}");
        }
    }

    #[test]
    fn the_forms_rules_use_are_lowered() {
        for src in [
            "hazards.present",
            "factor.serious != false || risk.factor_nature[i].listed == ()",
            "risk.factor_nature[i].serious ?? true",
            "hazards.factors.len() > 0",
            "let n = factor.name; n.trim(); n.replace(\"（\", \"(\"); n",
            "let open = []; for g in risk.grades { if g == () { open.push(\"x\" + i); } } open",
            "if hazards.present { #{ a: 1, b: [1, 2] } } else { pending(\"hazards.present\") }",
        ] {
            assert!(lowered(src).is_some(), "{src}");
        }
    }

    #[test]
    fn other_forms_have_no_direct_form() {
        for src in [
            "loop { }",
            "let i = 0; while i < 3 { i += 1; } i",
            "for x in hazards.factors { break; }",
            "`${i}`",
            // A method that changes a variable of the evaluation rather than a `let` one.
            "factor.name.trim()",
            "let x = 0; x **= 2; x",
            "split(\"a,b\", \",\")",
        ] {
            assert!(lowered(src).is_none(), "{src}");
        }
    }

    #[test]
    fn an_index_that_is_itself_indexed_stays_one_step() {
        let tree = |src| format!("{:?}", lowered(src).map(|e| e.root));
        // `x[y[0]]`: one step, whose index is `y[0]`; `x[y][0]`: two steps.
        assert_eq!(
            tree("let x = i; let y = i; x[y[0]]"),
            tree("let x = i; let y = i; x[(y[0])]")
        );
        assert!(tree("let x = i; let y = i; x[y[0]]")
            .contains("Path(Local(0), [Index(Path(Local(1), [Index(Const(0))]))])"));
        assert!(tree("let x = i; let y = i; x[y][0]")
            .contains("Path(Local(0), [Index(Local(1)), Index(Const(0))])"));
        assert!(tree("let x = i; let y = i; x[y[0]][1].len()").contains(
            "Path(Local(0), [Index(Path(Local(1), [Index(Const(0))])), Index(Const(1)), Method(Len, [])])"
        ));
    }

    #[test]
    fn every_function_of_the_table_is_called_directly() {
        let tree = |src| format!("{:?}", lowered(src).map(|e| e.root));
        assert!(tree("abs(-1)").contains("Call(Registered(\"abs\")"));
        assert!(tree("i.floor()").contains("Method(Registered(\"floor\")"));
        assert!(tree("throw \"x\"").contains("Throw(Const("));
        // rhai's order: the index first, then the base that can raise `pending(...)`
        assert_eq!(
            tree("pending(\"a\")[i + 1]"),
            "Some(Block([Let(0, Arithmetic(Add, (Name(\"i\"), Const(1)))), \
             Let(1, Call(Pending, [Const(\"a\")])), Path(Local(1), [Index(Local(0))])]))"
        );
    }

    #[test]
    fn let_slots_are_counted_and_scoped() {
        let e = lowered("let a = i; if a > 0 { let b = a; b.trim(); } let c = i; a + c");
        assert_eq!(e.map(|e| e.slots), Some(3));
    }

    #[test]
    fn trees_over_the_size_bound_are_not_lowered() {
        let long = vec!["i"; MAX_NODES].join(" + ");
        assert!(lowered(&long).is_none());
    }
}
