//! Load-time errors: each names the file, and where it can the line, rule, table or field.
//!
//! Evaluation never returns these: problems with an input or a rule at run time are reported
//! inside the outcome document (see `outcome::OutcomeError`), so a form always gets an answer.

use std::fmt;

/// Where in a pack a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: String,
    pub line: Option<usize>,
}

impl Loc {
    pub fn new(file: impl Into<String>, line: Option<usize>) -> Self {
        Loc {
            file: file.into(),
            line,
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file, line),
            None => write!(f, "{}", self.file),
        }
    }
}

/// Why a pack or bundle could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("{file}: file is missing from the pack")]
    MissingFile { file: String },
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{loc}: {message}")]
    Manifest { loc: Loc, message: String },
    #[error("{loc}: field `{path}`: {message}")]
    Field {
        loc: Loc,
        path: String,
        message: String,
    },
    #[error("{loc}: table `{table}`: {message}")]
    Table {
        loc: Loc,
        table: String,
        message: String,
    },
    #[error("{loc}: rule `{rule}`: {message}")]
    Rule {
        loc: Loc,
        rule: String,
        message: String,
    },
    #[error("rules.toml: dependency cycle between rules: {}", rules.join(" -> "))]
    Cycle { rules: Vec<String> },
    #[error("{loc}: test case `{case}`: {message}")]
    TestCase {
        loc: Loc,
        case: String,
        message: String,
    },
    #[error("bundle: {message}")]
    Bundle { message: String },
    #[error(
        "bundle: digest mismatch: the bundle claims {claimed} but its pack hashes to {actual}"
    )]
    DigestMismatch { claimed: String, actual: String },
    #[error("bundle: not signed, and a signature by a trusted key is required")]
    Unsigned,
    #[error("bundle: signature by key {key_id} does not verify: {message}")]
    BadSignature { key_id: String, message: String },
    #[error("bundle: signed only by keys that are not trusted: {}", key_ids.join(", "))]
    UntrustedKey { key_ids: Vec<String> },
}

impl LoadError {
    /// A stable, machine-readable code for the kind of problem.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::MissingFile { .. } => "pack.missing_file",
            LoadError::Syntax { .. } => "pack.syntax",
            LoadError::Manifest { .. } => "pack.manifest",
            LoadError::Field { .. } => "pack.field",
            LoadError::Table { .. } => "pack.table",
            LoadError::Rule { .. } => "pack.rule",
            LoadError::Cycle { .. } => "pack.cycle",
            LoadError::TestCase { .. } => "pack.test_case",
            LoadError::Bundle { .. } => "bundle.invalid",
            LoadError::DigestMismatch { .. } => "bundle.digest_mismatch",
            LoadError::Unsigned => "bundle.unsigned",
            LoadError::BadSignature { .. } => "bundle.bad_signature",
            LoadError::UntrustedKey { .. } => "bundle.untrusted_key",
        }
    }

    /// The rule the problem is in, when there is one.
    pub fn rule(&self) -> Option<&str> {
        match self {
            LoadError::Rule { rule, .. } => Some(rule),
            _ => None,
        }
    }
}
