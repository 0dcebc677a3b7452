//! Finds the dotted names an expression reads (`employer.employees`, `risk.class`), so the fields a
//! rule depends on come from its text and cannot drift from a hand-written list.
//!
//! This is a small lexer over rhai's token classes: it skips comments, strings and numbers, and
//! collects chains of identifiers joined by `.` (or `?.`). A chain followed by `(` ends in a method
//! or function call, so its last link is not part of a path.

/// A dotted chain of identifiers found in an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub segments: Vec<String>,
    /// The last segment is called (`x.len()`), so it names a function, not a member.
    pub called: bool,
}

impl Chain {
    /// The segments that name data: without a trailing called segment.
    pub fn data_segments(&self) -> &[String] {
        let n = if self.called {
            self.segments.len().saturating_sub(1)
        } else {
            self.segments.len()
        };
        self.segments.get(..n).unwrap_or(&[])
    }
}

/// Why an expression cannot be analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadsError {
    /// Backtick strings interpolate code the analysis would not see.
    TemplateString,
    Unterminated(&'static str),
}

impl std::fmt::Display for ReadsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadsError::TemplateString => {
                write!(
                    f,
                    "template strings (`...`) are not allowed in rule expressions"
                )
            }
            ReadsError::Unterminated(what) => write!(f, "unterminated {what}"),
        }
    }
}

/// All identifier chains of `src` in order of appearance.
pub fn chains(src: &str) -> Result<Vec<Chain>, ReadsError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    // Whether the previous significant token was a `.`, so an identifier after it is a member
    // of some non-name value (`(a).b`, `x[0].c`) rather than the start of a chain.
    let mut after_dot = false;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while chars.get(i).is_some_and(|&c| c != '\n') {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i = skip_block_comment(&chars, i)?;
        } else if c == '"' {
            i = skip_quoted(&chars, i, '"', "string")?;
            after_dot = false;
        } else if c == '\'' {
            i = skip_quoted(&chars, i, '\'', "character literal")?;
            after_dot = false;
        } else if c == '`' {
            return Err(ReadsError::TemplateString);
        } else if c.is_ascii_digit() {
            while chars
                .get(i)
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                // `1.5` is a number but `1.max(2)` calls a method: stop before `.ident`.
                if chars.get(i) == Some(&'.')
                    && chars
                        .get(i + 1)
                        .is_some_and(|c| c.is_alphabetic() || *c == '_')
                {
                    break;
                }
                i += 1;
            }
            after_dot = false;
        } else if is_ident_start(c) {
            let (chain, end) = read_chain(&chars, i);
            if !after_dot {
                out.push(chain);
            }
            i = end;
            after_dot = false;
        } else {
            if !c.is_whitespace() {
                after_dot = c == '.';
            }
            i += 1;
        }
    }
    Ok(out)
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn read_ident(chars: &[char], mut i: usize) -> (String, usize) {
    let mut s = String::new();
    while let Some(&c) = chars.get(i).filter(|c| is_ident_char(**c)) {
        s.push(c);
        i += 1;
    }
    (s, i)
}

fn read_chain(chars: &[char], start: usize) -> (Chain, usize) {
    let (first, mut i) = read_ident(chars, start);
    let mut segments = vec![first];
    loop {
        let j = skip_spaces(chars, i);
        let dot_end = match (chars.get(j), chars.get(j + 1)) {
            (Some('.'), _) => j + 1,
            (Some('?'), Some('.')) => j + 2,
            _ => break,
        };
        let k = skip_spaces(chars, dot_end);
        match chars.get(k) {
            Some(&c) if is_ident_start(c) => {
                let (seg, end) = read_ident(chars, k);
                segments.push(seg);
                i = end;
            }
            _ => break,
        }
    }
    let called = chars.get(skip_spaces(chars, i)) == Some(&'(');
    (Chain { segments, called }, i)
}

fn skip_quoted(
    chars: &[char],
    start: usize,
    quote: char,
    what: &'static str,
) -> Result<usize, ReadsError> {
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(ReadsError::Unterminated(what)),
            Some('\\') => i += 2,
            Some(&c) if c == quote => return Ok(i + 1),
            Some(_) => i += 1,
        }
    }
}

fn skip_block_comment(chars: &[char], start: usize) -> Result<usize, ReadsError> {
    // rhai block comments nest.
    let mut depth = 0usize;
    let mut i = start;
    loop {
        match (chars.get(i), chars.get(i + 1)) {
            (None, _) => return Err(ReadsError::Unterminated("comment")),
            (Some('/'), Some('*')) => {
                depth += 1;
                i += 2;
            }
            (Some('*'), Some('/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(src: &str) -> Vec<String> {
        chains(src)
            .unwrap()
            .iter()
            .map(|c| c.data_segments().join("."))
            .collect()
    }

    #[test]
    fn finds_paths_and_drops_method_calls() {
        assert_eq!(
            names("hazards.factors.len() > 0 && employer.employees >= 50"),
            vec!["hazards.factors", "employer.employees"]
        );
    }

    #[test]
    fn skips_strings_comments_and_numbers() {
        assert_eq!(
            names(
                r#""a.b" + 'c' + 1.5 /* x.y /* nested */ */ // z.w
            + risk.class"#
            ),
            vec!["", "risk.class"]
                .into_iter()
                .skip(1)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn function_calls_are_chains_with_no_data() {
        let c = chains("uscc_valid(employer.credit_code)").unwrap();
        assert_eq!(c.len(), 2);
        assert!(c[0].called);
        assert!(c[0].data_segments().is_empty());
        assert_eq!(c[1].data_segments().join("."), "employer.credit_code");
    }

    #[test]
    fn members_of_computed_values_are_not_chains() {
        assert_eq!(names("(a).b + x[0].c"), vec!["a", "x"]);
    }

    #[test]
    fn template_strings_are_refused() {
        assert_eq!(chains("`${a.b}`"), Err(ReadsError::TemplateString));
    }
}
