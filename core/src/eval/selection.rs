//! An evaluation limited to some decisions: the rules those decisions need (each decision and
//! every rule it depends on, directly or not) run, the others do not.
//!
//! A page that shows only the class, or a comparison with an engine asked the same few
//! questions, need not pay for the rest of the pack. The decisions answered are exactly those of
//! a whole evaluation, since a rule's result depends only on the rules it reads; the outcome speaks
//! only of the rules that ran (docs/engine.md, "Selected decisions").

use crate::compile::CompiledPack;

/// The decisions an evaluation is limited to, resolved against one pack
/// ([`CompiledPack::select`]); built once and reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The digest of the pack the selection was made for: rule positions mean nothing elsewhere.
    pub(crate) digest: String,
    /// Whether each rule (by position) runs.
    pub(crate) runs: Vec<bool>,
    /// The selected decision paths, in the order given, without repeats.
    decisions: Vec<String>,
}

impl Selection {
    /// The decision paths selected.
    pub fn decisions(&self) -> &[String] {
        &self.decisions
    }

    /// How many rules an evaluation of this selection runs.
    pub fn rule_count(&self) -> usize {
        self.runs.iter().filter(|&&r| r).count()
    }
}

/// Why a list of decisions cannot be selected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("no decisions named: select at least one")]
    Empty,
    #[error("pack {pack} has no decision `{decision}`; its decisions: {known}")]
    UnknownDecision {
        pack: String,
        decision: String,
        known: String,
    },
}

impl SelectError {
    /// The error's code in outcomes, JS errors and HTTP answers.
    pub fn code(&self) -> &'static str {
        match self {
            SelectError::Empty => "selection.empty",
            SelectError::UnknownDecision { .. } => "selection.unknown_decision",
        }
    }
}

impl CompiledPack {
    /// The rules the named decisions (their paths, as in an outcome's `decisions`) need.
    pub fn select<S: AsRef<str>>(&self, decisions: &[S]) -> Result<Selection, SelectError> {
        if decisions.is_empty() {
            return Err(SelectError::Empty);
        }
        let mut runs = vec![false; self.rules.len()];
        let mut named: Vec<String> = Vec::with_capacity(decisions.len());
        for decision in decisions {
            let decision = decision.as_ref();
            let Some(rule) = self
                .rules
                .iter()
                .find(|r| r.decision_path() == Some(decision))
            else {
                return Err(SelectError::UnknownDecision {
                    pack: self.id().to_owned(),
                    decision: decision.to_owned(),
                    known: self
                        .rules
                        .iter()
                        .filter_map(|r| r.decision_path())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            for &i in &rule.because {
                if let Some(run) = runs.get_mut(i) {
                    *run = true;
                }
            }
            if !named.iter().any(|n| n == decision) {
                named.push(decision.to_owned());
            }
        }
        Ok(Selection {
            digest: self.digest.clone(),
            runs,
            decisions: named,
        })
    }
}
