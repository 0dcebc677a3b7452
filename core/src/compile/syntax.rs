//! Rule expressions read from their text straight into their direct forms, without rhai's parser.
//!
//! Loading a pack used to parse every rule expression with rhai and lower rhai's syntax tree to a
//! direct form ([`super::direct`]). rhai's tokenizer and parser were the largest part of a first
//! load in a browser, where they run as not-yet-optimised code. This reader takes the rule
//! language (literals, variables, paths, calls of the allowlist, the operators the direct forms
//! evaluate, `let`, assignment, `if`, `for`, blocks, `throw`, `return`, comments) to the direct
//! form itself, and refuses anything else with a [`Refusal`]: a load error.
//!
//! The rule language is a part of rhai's, and rhai is the reference the engine's answers are
//! checked against. So the reader must never take a text that rhai refuses or reads differently. It
//! refuses whatever it is unsure of: escapes other than `\n \t \r \\ \"`, numbers other than
//! plain decimals and exponents, rhai's keywords and reserved words as names, symbols rhai reads
//! as one token (`<-`, `--`, `!in`, ...), a block comment left open, an index on a literal,
//! nesting deeper than [`MAX_LEVEL`]. `core/tests/syntax_reader.rs` compares the trees it builds
//! with those lowered from rhai's syntax tree (`direct::lower_with`) for every shipped expression,
//! for corners and for generated texts, and checks that rhai compiles whatever it takes.
//!
//! Operator precedence and grouping follow rhai's parser (`parse_binary_op`): `||` 30, `&&` 60,
//! `==` `!=` 90, `in` 110, `<` `<=` `>` `>=` 130, `??` 135, `+` `-` 150, `*` `/` `%` 180, all
//! binding to the left. `x in list` is `contains(list, x)`; `a && b && c` is one `And` of three,
//! as rhai builds it; `-` before a number literal is part of the literal.

use rhai::{Dynamic, ImmutableString, FLOAT, INT};

use super::direct::{
    block_of, Comparison, Direct, DirectExpr, FieldSlots, ForLoop, Function, Lowering, Mutation,
    Operator, Step,
};

/// Deepest nesting read, counted as rhai counts its parser's levels (each statement, block,
/// operand, operator of a chain, step of a path and bracket adds one). rhai refuses an expression
/// deeper than its limit (64 by default); this reader stops at half of that, so a text it accepts
/// is never one rhai refuses for its depth.
pub const MAX_LEVEL: usize = 32;

/// Where a reading needs the pack: what a name refers to, and how large a string literal may be.
pub struct Context<'c> {
    /// Whether a variable of the evaluation has this name (an input root, a root of produced
    /// values, `params`, `rules`, `scores`, the rule's item alias and index).
    pub in_scope: &'c dyn Fn(&str) -> bool,
    pub field: &'c FieldSlots<'c>,
    pub produced: &'c FieldSlots<'c>,
    pub reads_scope: &'c dyn Fn(&str, Option<&str>) -> bool,
    /// rhai's limit on a string's length in bytes (0: none), which it applies to literals too.
    pub max_string: usize,
}

/// Why the reader refused a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The text is not in the rule language from this byte offset on.
    At(usize),
    /// The expression is larger than [`super::direct::MAX_NODES`] nodes.
    TooLarge,
    /// A call of a function the sandbox does not have (with that many arguments).
    Function(String),
    /// A method that changes its receiver, called on something other than a `let` variable.
    ChangingMethod(String),
    /// A name no variable has.
    Variable(String),
}

impl Refusal {
    /// A message for a pack's author: where the text leaves the rule language.
    pub fn describe(&self, src: &str) -> String {
        match self {
            Refusal::At(at) => {
                let at = (*at).min(src.len());
                let column = src.get(..at).map_or(0, |s| s.chars().count()) + 1;
                let near: String = src.get(at..).unwrap_or("").chars().take(16).collect();
                let word: String = near
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if near.is_empty() {
                    format!("the expression ends too early (character {column})")
                } else if ["loop", "while", "do"].contains(&word.as_str()) {
                    format!(
                        "`{word}` at character {column}: rules loop only over a list's items \
                         (`for x in list {{ ... }}`), so every rule ends"
                    )
                } else {
                    format!(
                        "not in the rule language at character {column}: `{near}` \
                         (docs/pack-format.md, \"Expressions\")"
                    )
                }
            }
            Refusal::Function(name) => format!(
                "function `{name}` is not available to rules, or not with these arguments \
                 (docs/pack-format.md, \"Functions\")"
            ),
            Refusal::Variable(name) => format!(
                "undefined variable `{name}`: rules read the pack's input fields, `params`, \
                 `rules`, `scores`, the values rules produce, and their own `let` variables"
            ),
            Refusal::ChangingMethod(name) => format!(
                "`{name}` changes the value it is called on: call it on a copy, as a statement \
                 of its own (`let x = ...; x.{name}(...);`)"
            ),
            Refusal::TooLarge => format!(
                "the expression is larger than the engine takes ({} nodes)",
                super::direct::MAX_NODES
            ),
        }
    }
}

/// The direct form of `src`, or where it uses anything this reader does not take.
pub fn read(src: &str, context: &Context<'_>) -> Result<DirectExpr, Refusal> {
    let mut failed_at = 0;
    let (tokens, starts) =
        tokenize(src, context.max_string, &mut failed_at).ok_or(Refusal::At(failed_at))?;
    let mut reader = Reader {
        tokens,
        at: 0,
        furthest: std::cell::Cell::new(0),
        unknown_function: None,
        changing_method: None,
        unknown_variable: None,
        lowering: Lowering::new(context.field, context.produced),
        in_scope: context.in_scope,
    };
    let read = reader.statements(0, false).and_then(block_of);
    let Some(root) = read else {
        if let Some(name) = reader.unknown_variable {
            return Err(Refusal::Variable(name.to_owned()));
        }
        if let Some(name) = reader.changing_method {
            return Err(Refusal::ChangingMethod(name.to_owned()));
        }
        if let Some(name) = reader.unknown_function {
            return Err(Refusal::Function(name.to_owned()));
        }
        let token = reader.furthest.get();
        return Err(Refusal::At(starts.get(token).copied().unwrap_or(src.len())));
    };
    reader
        .lowering
        .finish(root, context.reads_scope)
        .ok_or(Refusal::TooLarge)
}

#[derive(Debug)]
enum Token<'s> {
    Word(&'s str),
    Int(INT),
    Float(FLOAT),
    Text(String),
    /// `()`, one token in rhai: unit, or an empty argument list.
    Unit,
    Symbol(&'static str),
    End,
}

/// The symbols this reader takes.
const SYMBOLS: &[&str] = &[
    "#{", "==", "!=", "<=", ">=", "&&", "||", "??", "+=", "-=", "*=", "/=", "%=", "(", ")", "[",
    "]", "{", "}", ",", ";", ":", ".", "+", "-", "*", "/", "%", "<", ">", "!", "=",
];

/// Character sequences rhai reads as a token of its own that this reader does not take: operators
/// the direct forms do not evaluate, and rhai's reserved symbols. The longest sequence at a
/// position wins, as in rhai's tokenizer, so `<-` is refused rather than read as `<` then `-`.
const REFUSED: &[&str] = &[
    "::<", "!==", "===", "...", "..=", "**=", "<<=", ">>=", "!in", "::", "..", "=>", "->", "<-",
    "|>", "<|", ":=", ":;", "(*", "*)", "#!", "!.", "?.", "?[", "++", "--", "**", "<<", ">>", "^=",
    "&=", "|=", "^", "&", "|", "~", "@", "$", "?", "#", "'", "`", "\\",
];

/// rhai's keywords and reserved words (and the symbols the sandbox disables), which cannot name a
/// variable, a property or a map key. This reader's own keywords are among them.
const RESERVED_WORDS: &[&str] = &[
    "Fn",
    "as",
    "async",
    "await",
    "break",
    "call",
    "case",
    "catch",
    "const",
    "continue",
    "curry",
    "debug",
    "default",
    "do",
    "else",
    "eval",
    "exit",
    "export",
    "false",
    "fn",
    "for",
    "global",
    "go",
    "goto",
    "if",
    "import",
    "in",
    "is",
    "is_def_fn",
    "is_def_var",
    "is_shared",
    "let",
    "loop",
    "match",
    "module",
    "new",
    "nil",
    "null",
    "package",
    "print",
    "private",
    "protected",
    "public",
    "return",
    "shared",
    "spawn",
    "static",
    "super",
    "switch",
    "sync",
    "this",
    "thread",
    "throw",
    "true",
    "try",
    "type_of",
    "until",
    "use",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

fn is_reserved(word: &str) -> bool {
    RESERVED_WORDS.contains(&word)
}

/// The tokens of `src` and the byte offset each starts at; `None` with `failed_at` set to
/// where a token this reader does not take starts.
#[allow(clippy::type_complexity)]
fn tokenize<'s>(
    src: &'s str,
    max_string: usize,
    failed_at: &mut usize,
) -> Option<(Vec<Token<'s>>, Vec<usize>)> {
    let bytes = src.as_bytes();
    let mut tokens = Vec::new();
    let mut starts = Vec::new();
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        *failed_at = at;
        let comment_starts = b == b'/' && matches!(bytes.get(at + 1), Some(b'/' | b'*'));
        if !(comment_starts || matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
            starts.push(at);
        }
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => at += 1,
            b'0'..=b'9' => {
                let (token, end) = number(src, at)?;
                tokens.push(token);
                at = end;
            }
            b'a'..=b'z' | b'A'..=b'Z' => {
                let end = at
                    + bytes
                        .get(at..)?
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count();
                tokens.push(Token::Word(src.get(at..end)?));
                at = end;
            }
            b'"' => {
                let (text, end) = string(src, at + 1)?;
                if max_string > 0 && text.len() > max_string {
                    return None;
                }
                tokens.push(Token::Text(text));
                at = end;
            }
            b'/' if comment_starts => at = comment(bytes, at)?,
            b'(' if bytes.get(at + 1) == Some(&b')') => {
                tokens.push(Token::Unit);
                at += 2;
            }
            _ => {
                let rest = src.get(at..)?;
                let longest = |list: &[&'static str]| {
                    list.iter()
                        .filter(|s| rest.starts_with(**s))
                        .max_by_key(|s| s.len())
                        .copied()
                };
                let symbol = longest(SYMBOLS)?;
                if longest(REFUSED).is_some_and(|r| r.len() >= symbol.len()) {
                    return None;
                }
                tokens.push(Token::Symbol(symbol));
                at += symbol.len();
            }
        }
    }
    starts.push(src.len());
    tokens.push(Token::End);
    Some((tokens, starts))
}

/// A comment from `start` (`//` to the end of the line, `/* */` nested as in rhai), and where it
/// ends; a block comment left open (rhai ends it at the end of the text) is refused.
fn comment(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start + 1) {
        Some(b'/') => Some(
            start
                + bytes
                    .get(start..)?
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .unwrap_or(bytes.len() - start),
        ),
        Some(b'*') => {
            let mut depth = 0usize;
            let mut at = start;
            while at < bytes.len() {
                match (bytes.get(at), bytes.get(at + 1)) {
                    (Some(b'/'), Some(b'*')) => {
                        depth += 1;
                        at += 2;
                    }
                    (Some(b'*'), Some(b'/')) => {
                        depth -= 1;
                        at += 2;
                        if depth == 0 {
                            return Some(at);
                        }
                    }
                    _ => at += 1,
                }
            }
            None
        }
        _ => None,
    }
}

/// A decimal integer or float (`12`, `0.5`, `1e-17`) from `start`, and where it ends. Anything
/// rhai reads otherwise or could read as a longer number (`0x1f`, `1_000`, `007`, `1.`, an integer
/// too large for 64 bits, a number followed by a letter or a dot) is refused.
fn number(src: &str, start: usize) -> Option<(Token<'_>, usize)> {
    let bytes = src.as_bytes();
    let digits_from = |from: usize| {
        bytes
            .get(from..)
            .map_or(0, |b| b.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let whole = digits_from(start);
    if whole > 1 && bytes.get(start) == Some(&b'0') {
        return None;
    }
    let mut end = start + whole;
    let fraction = bytes.get(end) == Some(&b'.') && digits_from(end + 1) > 0;
    if fraction {
        end += 1 + digits_from(end + 1);
    }
    // An exponent (`1e-17`, `2.5E3`) makes a float, as in rhai.
    let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
    let exponent = matches!(bytes.get(end), Some(b'e' | b'E')) && digits_from(end + 1 + sign) > 0;
    if exponent {
        end += 1 + sign + digits_from(end + 1 + sign);
    }
    if bytes
        .get(end)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
    {
        return None;
    }
    let text = src.get(start..end)?;
    let token = if fraction || exponent {
        Token::Float(text.parse().ok()?)
    } else {
        Token::Int(text.parse().ok()?)
    };
    Some((token, end))
}

/// A string literal's text from just after its opening quote, and where it ends (after the
/// closing quote). Only the escapes `\n \t \r \\ \"` are taken; a line break, another escape, or a
/// quote right after the closing one (rhai reads `""` inside a string as a quote) is refused.
fn string(src: &str, start: usize) -> Option<(String, usize)> {
    let mut text = String::new();
    let mut chars = src.get(start..)?.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let end = start + i + 1;
                if src.as_bytes().get(end) == Some(&b'"') {
                    return None;
                }
                return Some((text, end));
            }
            '\\' => text.push(match chars.next()?.1 {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '\\' => '\\',
                '"' => '"',
                _ => return None,
            }),
            '\n' | '\r' => return None,
            c => text.push(c),
        }
    }
    None
}

/// rhai's precedence of a binary operator this reader takes (`None`: not one).
fn precedence(token: &Token<'_>) -> Option<u8> {
    let (Token::Symbol(s) | Token::Word(s)) = token else {
        return None;
    };
    Some(match *s {
        "||" => 30,
        "&&" => 60,
        "==" | "!=" => 90,
        "in" => 110,
        "<" | "<=" | ">" | ">=" => 130,
        "??" => 135,
        "+" | "-" => 150,
        "*" | "/" | "%" => 180,
        _ => return None,
    })
}

/// One level deeper, unless that is past [`MAX_LEVEL`].
fn up(level: usize) -> Option<usize> {
    (level < MAX_LEVEL).then_some(level + 1)
}

/// rhai refuses a literal that is not a boolean where it needs one (`if 1 { }`, `x && "a"`).
fn may_be_bool(d: &Direct) -> Option<()> {
    match d {
        Direct::Const(v) if !v.is_bool() => None,
        Direct::Array(_) | Direct::Map(_) => None,
        _ => Some(()),
    }
}

/// What a path starts from: a variable, or a value (a call, a literal).
enum Base<'s> {
    Variable(&'s str),
    Value(Direct),
}

/// A path being read: its base, its steps, and whether the first step is a `.` or a `[` (rhai
/// resolves a `.` chain's properties to a document field or a produced value; `Lowering::expr`).
struct Chain<'s> {
    base: Base<'s>,
    steps: Vec<Step>,
    first: Option<FirstStep>,
}

impl<'s> Chain<'s> {
    fn new(base: Base<'s>) -> Self {
        Chain {
            base,
            steps: Vec::new(),
            first: None,
        }
    }
}

enum FirstStep {
    Dot,
    Index,
}

struct Reader<'s, 'f> {
    tokens: Vec<Token<'s>>,
    at: usize,
    /// The furthest token looked at: where a refused text leaves the language.
    furthest: std::cell::Cell<usize>,
    /// The first call of a function the sandbox does not have (or not with that many arguments).
    unknown_function: Option<&'s str>,
    /// The first method that changes its receiver called on anything but a `let` variable.
    changing_method: Option<&'s str>,
    /// The first name read that no variable has.
    unknown_variable: Option<&'s str>,
    lowering: Lowering<'f>,
    in_scope: &'f dyn Fn(&str) -> bool,
}

impl<'s> Reader<'s, '_> {
    fn peek(&self) -> &Token<'s> {
        self.furthest.set(self.furthest.get().max(self.at));
        self.tokens.get(self.at).unwrap_or(&Token::End)
    }

    /// The next token, taken out of the list: each is read once.
    fn next(&mut self) -> Token<'s> {
        self.furthest.set(self.furthest.get().max(self.at));
        let token = self
            .tokens
            .get_mut(self.at)
            .map_or(Token::End, |t| std::mem::replace(t, Token::End));
        self.at += 1;
        token
    }

    /// The function a call names, remembering a name the sandbox does not have for the message.
    fn function(&mut self, name: &'s str, arity: usize) -> Option<Function> {
        let f = Function::named(name, arity);
        if f.is_none() {
            if arity > 0 && Mutation::named(name, arity - 1).is_some() {
                self.changing_method.get_or_insert(name);
            } else {
                self.unknown_function.get_or_insert(name);
            }
        }
        f
    }

    fn is(&self, symbol: &str) -> bool {
        matches!(self.peek(), Token::Symbol(s) if *s == symbol)
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.peek(), Token::Word(w) if *w == word)
    }

    fn eat(&mut self, symbol: &str) -> bool {
        let found = self.is(symbol);
        if found {
            self.at += 1;
        }
        found
    }

    fn expect(&mut self, symbol: &str) -> Option<()> {
        self.eat(symbol).then_some(())
    }

    /// A name for a `let` or loop variable, a property or a map key.
    fn name(&mut self) -> Option<&'s str> {
        match self.next() {
            Token::Word(w) if !is_reserved(w) => Some(w),
            _ => None,
        }
    }

    /// Statements up to the end of the text, or of the block (the `}` is left to the caller).
    /// Separators follow rhai: `;` between statements, optional after `if` and `for`.
    fn statements(&mut self, level: usize, in_block: bool) -> Option<Vec<Direct>> {
        let mut lowered = Vec::new();
        loop {
            match self.peek() {
                Token::End if in_block => return None,
                Token::End => break,
                Token::Symbol("}") if in_block => break,
                Token::Symbol(";") => {
                    self.at += 1;
                    continue;
                }
                _ => {}
            }
            let (statement, self_terminated) = self.statement(level)?;
            lowered.push(statement);
            match self.peek() {
                Token::End if !in_block => break,
                Token::Symbol("}") if in_block => break,
                Token::Symbol(";") => self.at += 1,
                _ if self_terminated => {}
                _ => return None,
            }
        }
        Some(lowered)
    }

    /// One statement, and whether it ends without a `;` (`if` and `for` do).
    fn statement(&mut self, level: usize) -> Option<(Direct, bool)> {
        let level = up(level)?;
        if self.is_word("if") {
            return Some((self.if_(level)?, true));
        }
        if self.is_word("for") {
            return Some((self.for_(level)?, true));
        }
        if self.is("{") {
            // A block statement, which ends without a `;` (rhai reads `{ x }.len()` at the start
            // of a statement as a block, then a `.` it refuses).
            return Some((self.block(level)?, true));
        }
        if self.is_word("let") {
            self.at += 1;
            let name = self.name()?;
            self.expect("=")?;
            // The value is read before the name is declared: `let x = x.y` reads the outer x.
            let value = self.expr(up(level)?)?;
            let slot = self.lowering.declare(&ImmutableString::from(name));
            return Some((Direct::Let(slot, Box::new(value)), false));
        }
        if self.is_word("throw") || self.is_word("return") {
            let throw = self.is_word("throw");
            self.at += 1;
            let value = if matches!(self.peek(), Token::End | Token::Symbol(";" | "}")) {
                Direct::Const(Dynamic::UNIT)
            } else {
                self.expr(up(level)?)?
            };
            let value = Box::new(value);
            let form = if throw {
                Direct::Throw(value)
            } else {
                Direct::Return(value)
            };
            return Some((form, false));
        }
        let start = self.at;
        let value = self.expr(level)?;
        let operator = match self.peek() {
            Token::Symbol("=") => None,
            Token::Symbol("+=") => Some(Operator::AddAssign),
            Token::Symbol("-=") => Some(Operator::Subtract),
            Token::Symbol("*=") => Some(Operator::Multiply),
            Token::Symbol("/=") => Some(Operator::Divide),
            Token::Symbol("%=") => Some(Operator::Modulo),
            _ => return Some((value, false)),
        };
        // Only a `let` or loop variable, named alone, is assigned to.
        let (Direct::Local(slot), true) = (value, self.at == start + 1) else {
            return None;
        };
        self.at += 1;
        let assigned = self.expr(level)?;
        let assigned = match operator {
            None => assigned,
            Some(op) => Direct::Arithmetic(op, Box::new((Direct::Local(slot), assigned))),
        };
        Some((Direct::Assign(slot, Box::new(assigned)), false))
    }

    /// `{ statements }`; the `let`s inside end with it.
    fn block(&mut self, level: usize) -> Option<Direct> {
        self.expect("{")?;
        let level = up(level)?;
        let visible = self.lowering.visible();
        let statements = self.statements(level, true);
        self.lowering.forget(visible);
        self.expect("}")?;
        block_of(statements?)
    }

    /// `if condition { } [else if … | else { }]`, from the `if`.
    fn if_(&mut self, level: usize) -> Option<Direct> {
        self.at += 1;
        let level = up(level)?;
        // rhai refuses a condition that starts with a block.
        if self.is("{") {
            return None;
        }
        let condition = self.expr(level)?;
        may_be_bool(&condition)?;
        let then = self.block(level)?;
        let otherwise = if self.is_word("else") {
            self.at += 1;
            if self.is_word("if") {
                self.if_(level)?
            } else {
                self.block(level)?
            }
        } else {
            Direct::Const(Dynamic::UNIT)
        };
        Some(Direct::If(Box::new((condition, then, otherwise))))
    }

    /// `for x in list { }` or `for (x, i) in list { }`, from the `for`.
    fn for_(&mut self, level: usize) -> Option<Direct> {
        self.at += 1;
        let level = up(level)?;
        let (item, counter) = if self.eat("(") {
            let item = self.name()?;
            self.expect(",")?;
            let counter = self.name()?;
            self.expect(")")?;
            if counter == item {
                return None;
            }
            (item, Some(counter))
        } else {
            (self.name()?, None)
        };
        // rhai refuses a list that starts with a block.
        if !matches!(self.next(), Token::Word("in")) || self.is("{") {
            return None;
        }
        let list = self.expr(level)?;
        // rhai refuses a literal it cannot iterate; a list literal is the only one taken here.
        if matches!(list, Direct::Const(_) | Direct::Map(_)) {
            return None;
        }
        let visible = self.lowering.visible();
        let item = self.lowering.declare(&ImmutableString::from(item));
        let counter = counter.map(|c| self.lowering.declare(&ImmutableString::from(c)));
        let body = self.block(level);
        self.lowering.forget(visible);
        Some(Direct::For(Box::new(ForLoop {
            item,
            counter,
            list,
            body: body?,
        })))
    }

    fn expr(&mut self, level: usize) -> Option<Direct> {
        let level = up(level)?;
        let left = self.unary(level)?;
        self.binary(level, 1, left)
    }

    /// rhai's `parse_binary_op`: operators of higher precedence than `parent` after `left`.
    fn binary(&mut self, level: usize, parent: u8, left: Direct) -> Option<Direct> {
        let mut level = level;
        let mut root = left;
        loop {
            let Some(own) = precedence(self.peek()) else {
                return Some(root);
            };
            if own <= parent {
                return Some(root);
            }
            let (Token::Symbol(operator) | Token::Word(operator)) = self.next() else {
                return None;
            };
            if operator == "??"
                && ["throw", "return", "break", "continue"]
                    .iter()
                    .any(|w| self.is_word(w))
            {
                return None;
            }
            let right = self.unary(level)?;
            let right = match precedence(self.peek()) {
                Some(next) if next > own => self.binary(up(level)?, own, right)?,
                _ => right,
            };
            level = up(level)?;
            root = combine(operator, root, right)?;
        }
    }

    fn unary(&mut self, level: usize) -> Option<Direct> {
        if self.eat("-") {
            // rhai folds the sign into a number literal (`-1`, `-(2)`, `- 0.5`).
            return Some(match self.unary(up(level)?)? {
                Direct::Const(v) if v.is_int() => {
                    let i = v.as_int().ok()?;
                    match i.checked_neg() {
                        Some(n) => Direct::Const(Dynamic::from_int(n)),
                        None => return None,
                    }
                }
                Direct::Const(v) if v.is_float() => {
                    Direct::Const(Dynamic::from_float(-v.as_float().ok()?))
                }
                operand => Direct::Negate(Box::new(operand)),
            });
        }
        if self.eat("!") {
            return Some(Direct::Not(Box::new(self.unary(up(level)?)?)));
        }
        self.primary(level)
    }

    fn primary(&mut self, level: usize) -> Option<Direct> {
        let value = if self.is_word("if") {
            self.if_(up(level)?)?
        } else if self.is("{") {
            // A block's value. rhai keeps the block as one operand where this tree would merge an
            // `&&`, `||` or `??` inside it with the one outside (`a && { b && c }`), or fold a
            // `-` into a number inside it (`-{5}`, which rhai negates at run time): not taken.
            match self.block(up(level)?)? {
                Direct::And(_) | Direct::Or(_) | Direct::Coalesce(_) | Direct::Const(_) => {
                    return None
                }
                value => value,
            }
        } else {
            self.value(level)?
        };
        match self.peek() {
            // rhai checks the type of an index on a literal as it parses: not mirrored here.
            Token::Symbol("[")
                if matches!(value, Direct::Const(_) | Direct::Array(_) | Direct::Map(_)) =>
            {
                None
            }
            // rhai's tokenizer joins a `-` to the number after it where a unary `-` may stand, so
            // in `-3 .z` the step is on `-3`, where the tree here would negate `3 .z`.
            Token::Symbol(".") if matches!(&value, Direct::Const(v) if v.is_int() || v.is_float()) => {
                None
            }
            Token::Symbol("." | "[") => self.path(level, Base::Value(value)),
            // A call of something that is not a name, or `x!`: rhai refuses both.
            Token::Symbol("(" | "!") | Token::Unit => None,
            _ => Some(value),
        }
    }

    /// A literal, a parenthesis, or a name with its call and steps (returned whole).
    fn value(&mut self, level: usize) -> Option<Direct> {
        let value = match self.next() {
            Token::Int(i) => Direct::Const(Dynamic::from_int(i)),
            Token::Float(f) => Direct::Const(Dynamic::from_float(f)),
            Token::Text(s) => Direct::Const(Dynamic::from(ImmutableString::from(s))),
            Token::Unit => Direct::Const(Dynamic::UNIT),
            Token::Word("true") => Direct::Const(Dynamic::TRUE),
            Token::Word("false") => Direct::Const(Dynamic::FALSE),
            Token::Word(name) if !is_reserved(name) => {
                let base = self.base(level, name)?;
                return self.path(level, base);
            }
            Token::Symbol("(") => {
                if let Token::Word(name) = *self.peek() {
                    if !is_reserved(name) {
                        self.at += 1;
                        return self.parenthesised_path(up(level)?, name);
                    }
                }
                let inner = self.expr(up(level)?)?;
                self.expect(")")?;
                let chain = matches!(
                    inner,
                    Direct::Name(_)
                        | Direct::Local(_)
                        | Direct::Field(_)
                        | Direct::Produced(_)
                        | Direct::Path(..)
                        | Direct::Mutate(..)
                );
                // A chain in nested parentheses followed by more steps (`((x.a)).b`): rhai
                // joins them into one chain, which the tree here has already closed.
                if chain && matches!(self.peek(), Token::Symbol("." | "[")) {
                    return None;
                }
                inner
            }
            Token::Symbol("[") => self.array(up(level)?)?,
            Token::Symbol("#{") => self.map(up(level)?)?,
            _ => return None,
        };
        Some(value)
    }

    /// A variable, a call or a literal, then its steps: `.property`, `.method(args)`, `[index]`.
    fn path(&mut self, level: usize, base: Base<'s>) -> Option<Direct> {
        self.rest_of_chain(level, Chain::new(base))
    }

    /// The steps that follow, onto `chain`, then its direct form.
    fn rest_of_chain(&mut self, level: usize, mut chain: Chain<'s>) -> Option<Direct> {
        match self.steps(level, &mut chain)? {
            Some(mutation) => Some(mutation),
            None => self.lower(chain),
        }
    }

    /// Reads steps onto `chain` while they follow. `Some(form)`: a method that changes its
    /// receiver ended the chain, and is the whole of it.
    fn steps(&mut self, level: usize, chain: &mut Chain<'s>) -> Option<Option<Direct>> {
        let mut level = level;
        loop {
            if self.eat(".") {
                level = up(level)?;
                chain.first.get_or_insert(FirstStep::Dot);
                let property = self.name()?;
                if !matches!(self.peek(), Token::Symbol("(") | Token::Unit) {
                    chain
                        .steps
                        .push(Step::Property(ImmutableString::from(property)));
                    continue;
                }
                let args = self.arguments(level)?;
                if let Some(m) = Mutation::named(property, args.len()) {
                    // `x.push(v)`: a method that changes its receiver, taken only as the whole
                    // expression on a `let` variable (the sandbox refuses it on anything else).
                    let alone =
                        chain.steps.is_empty() && !matches!(self.peek(), Token::Symbol("." | "["));
                    let slot = match chain.base {
                        Base::Variable(v) => {
                            match self.lowering.variable(&ImmutableString::from(v)) {
                                Direct::Local(slot) => Some(slot),
                                _ => None,
                            }
                        }
                        Base::Value(_) => None,
                    };
                    return match (alone, slot) {
                        (true, Some(slot)) => Some(Some(Direct::Mutate(slot, m, args))),
                        _ => {
                            self.changing_method.get_or_insert(property);
                            None
                        }
                    };
                }
                let f = self.function(property, args.len() + 1)?;
                chain.steps.push(Step::Method(f, args));
            } else if self.eat("[") {
                level = up(level)?;
                chain.first.get_or_insert(FirstStep::Index);
                let index = self.expr(up(level)?)?;
                self.expect("]")?;
                chain.steps.push(Step::Index(index));
            } else {
                return Some(None);
            }
        }
    }

    /// A chain's direct form: its base (a variable by slot when it is a document field or a
    /// produced value), then its steps, as `direct::Lowering` lowers rhai's chains.
    fn lower(&mut self, chain: Chain<'s>) -> Option<Direct> {
        let Chain { base, steps, first } = chain;
        let base = match base {
            Base::Variable(v) => match self.lowering.variable(&ImmutableString::from(v)) {
                name @ Direct::Name(_) => {
                    if !(self.in_scope)(v) {
                        // rhai's strict variables refuse a name nothing declares.
                        self.unknown_variable.get_or_insert(v);
                        return None;
                    }
                    self.lowering.document_field(name, Vec::new())
                }
                local => local,
            },
            Base::Value(value) => value,
        };
        if steps.is_empty() {
            return Some(base);
        }
        Some(match first {
            Some(FirstStep::Dot) => {
                self.lowering
                    .in_rhai_order(base, steps, Lowering::document_field)
            }
            _ => self.lowering.in_rhai_order(base, steps, |_, base, steps| {
                Direct::Path(Box::new(base), steps)
            }),
        })
    }

    /// A name's call, or the name as a variable, at the start of a path.
    fn base(&mut self, level: usize, name: &'s str) -> Option<Base<'s>> {
        match self.peek() {
            Token::Symbol("(") | Token::Unit => {
                let args = self.arguments(level)?;
                let f = self.function(name, args.len())?;
                Some(Base::Value(Direct::Call(f, args)))
            }
            // `f!(…)`: a call in the caller's scope, which the sandbox has no use for.
            Token::Symbol("!") => None,
            _ => Some(Base::Variable(name)),
        }
    }

    /// After `(`, a parenthesis that starts with a name. rhai's parser joins a path in
    /// parentheses with the steps after them (`(x.a).b` is `x.a.b`, `(x).len()` is `x.len()`:
    /// `optimize_combo_chain`), so such a path stays open until the `)` shows whether steps
    /// follow. Anything else after the path is an operand of the expression inside.
    fn parenthesised_path(&mut self, level: usize, name: &'s str) -> Option<Direct> {
        let mut chain = Chain::new(self.base(level, name)?);
        let mutation = self.steps(level, &mut chain)?;
        if self.eat(")") {
            return match (mutation, self.peek()) {
                (None, Token::Symbol("." | "[")) => self.rest_of_chain(level, chain),
                (Some(_), Token::Symbol("." | "[")) => None,
                (Some(m), _) => Some(m),
                (None, _) => self.lower(chain),
            };
        }
        let left = match mutation {
            Some(m) => m,
            None => self.lower(chain)?,
        };
        let inner = self.binary(up(level)?, 1, left)?;
        self.expect(")")?;
        Some(inner)
    }

    /// `(a, b)` or `()`.
    fn arguments(&mut self, level: usize) -> Option<Vec<Direct>> {
        if matches!(self.next(), Token::Unit) {
            return Some(Vec::new());
        }
        let mut args = Vec::new();
        if self.eat(")") {
            return Some(args);
        }
        loop {
            args.push(self.expr(up(level)?)?);
            if self.eat(")") {
                return Some(args);
            }
            self.expect(",")?;
        }
    }

    /// `[a, b]`, from after the `[`.
    fn array(&mut self, level: usize) -> Option<Direct> {
        let mut items = Vec::new();
        while !self.eat("]") {
            items.push(self.expr(up(level)?)?);
            if !self.eat(",") && !self.is("]") {
                return None;
            }
        }
        Some(Direct::Array(items))
    }

    /// `#{ key: value }`, from after the `#{`.
    fn map(&mut self, level: usize) -> Option<Direct> {
        let mut entries: Vec<(ImmutableString, Direct)> = Vec::new();
        while !self.eat("}") {
            let key = match self.next() {
                Token::Word(w) if !is_reserved(w) => ImmutableString::from(w),
                Token::Text(s) => ImmutableString::from(s),
                _ => return None,
            };
            if entries.iter().any(|(k, _)| *k == key) {
                return None;
            }
            self.expect(":")?;
            entries.push((key, self.expr(up(level)?)?));
            if !self.eat(",") && !self.is("}") {
                return None;
            }
        }
        Some(Direct::Map(entries))
    }
}

/// `left operator right`, grouped as rhai groups it: `&&`, `||` and `??` gather their operands
/// into one node, whichever side holds the longer run.
fn combine(operator: &str, left: Direct, right: Direct) -> Option<Direct> {
    let pair = |l, r| Box::new((l, r));
    Some(match operator {
        "&&" | "||" => {
            may_be_bool(&left)?;
            may_be_bool(&right)?;
            gather(operator, left, right)
        }
        "??" => gather(operator, left, right),
        "==" => Direct::Compare(Comparison::Equal, pair(left, right)),
        "!=" => Direct::Compare(Comparison::NotEqual, pair(left, right)),
        "<" => Direct::Compare(Comparison::Less, pair(left, right)),
        "<=" => Direct::Compare(Comparison::LessOrEqual, pair(left, right)),
        ">" => Direct::Compare(Comparison::Greater, pair(left, right)),
        ">=" => Direct::Compare(Comparison::GreaterOrEqual, pair(left, right)),
        "+" => Direct::Arithmetic(Operator::Add, pair(left, right)),
        "-" => Direct::Arithmetic(Operator::Subtract, pair(left, right)),
        "*" => Direct::Arithmetic(Operator::Multiply, pair(left, right)),
        "/" => Direct::Arithmetic(Operator::Divide, pair(left, right)),
        "%" => Direct::Arithmetic(Operator::Modulo, pair(left, right)),
        // rhai's `x in list` is `contains(list, x)`.
        "in" => Direct::Call(Function::Contains, vec![right, left]),
        _ => return None,
    })
}

/// rhai's grouping of `&&`, `||` and `??`: a left operand that is already such a node takes the
/// right operand's items (or the right operand), else a right one that is takes the left
/// operand first, else a new node of the two.
fn gather(operator: &str, left: Direct, right: Direct) -> Direct {
    let make = match operator {
        "&&" => Direct::And,
        "||" => Direct::Or,
        _ => Direct::Coalesce,
    };
    // The operand's items when it is a node of the same operator, else the operand itself.
    let items = |d: Direct| match (operator, d) {
        ("&&", Direct::And(items))
        | ("||", Direct::Or(items))
        | ("??", Direct::Coalesce(items)) => Ok(items),
        (_, other) => Err(other),
    };
    match (items(left), items(right)) {
        (Ok(mut l), Ok(r)) => {
            l.extend(r);
            make(l)
        }
        (Ok(mut l), Err(r)) => {
            l.push(r);
            make(l)
        }
        (Err(l), Ok(mut r)) => {
            r.insert(0, l);
            make(r)
        }
        (Err(l), Err(r)) => make(vec![l, r]),
    }
}
