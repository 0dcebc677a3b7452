//! Domain functions registered natively in the rhai engine.
//!
//! Rule expressions run in `Engine::new_raw()`, which has no standard packages, so every helper a
//! rule may call is registered here explicitly. Each sub-module owns its functions; `registry`
//! lists every overload and [`register`] installs them all.

pub mod builtins;
pub mod credit_code;
pub mod dates;
pub mod lists;
mod registry;

/// Result type of every function of the sandbox: an `Err` becomes the rule's runtime error, naming
/// the offending value, so a faulty rule or bad input fails loudly instead of yielding a guess.
pub type FnResult<T> = Result<T, FnError>;

/// Why a function of the sandbox has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FnError {
    /// The message of the rule's runtime error.
    #[error("{0}")]
    Failed(String),
    /// `pending(paths)`: the rule cannot decide until these fields are filled in.
    #[error("pending on {}", .0.join(", "))]
    Pending(Vec<String>),
}

impl From<String> for FnError {
    fn from(message: String) -> Self {
        FnError::Failed(message)
    }
}

pub(crate) use registry::{call_named, known};
/// Registers every function of the sandbox (the allowlist and the domain functions: dates,
/// credit code, lists) into `engine`.
pub use registry::{names, register};

#[cfg(test)]
mod tests {
    use rhai::{Dynamic, Engine, ImmutableString};

    fn engine() -> Engine {
        let mut engine = Engine::new_raw();
        super::register(&mut engine);
        engine
    }

    fn eval_str(expr: &str) -> String {
        engine().eval::<ImmutableString>(expr).unwrap().to_string()
    }

    #[test]
    fn dates_end_to_end() {
        assert_eq!(eval_str(r#"add_months("2024-01-31", 1)"#), "2024-02-29");
        assert_eq!(eval_str(r#"add_days("2024-02-28", 1)"#), "2024-02-29");
        assert_eq!(eval_str(r#"add_years("2024-02-29", -1)"#), "2023-02-28");
        let days = engine()
            .eval::<i64>(r#"days_between("2024-01-01", "2025-01-01")"#)
            .unwrap();
        assert_eq!(days, 366);
        let inside = engine()
            .eval::<bool>(r#"within_years_before("2023-06-01", "2026-06-01", 3)"#)
            .unwrap();
        assert!(inside);
    }

    #[test]
    fn bad_date_is_a_runtime_error_naming_the_value() {
        let err = engine()
            .eval::<ImmutableString>(r#"add_days("2026-02-30", 1)"#)
            .unwrap_err();
        assert!(err.to_string().contains("2026-02-30"), "{err}");
    }

    #[test]
    fn lists_end_to_end() {
        assert_eq!(
            eval_str(r#"max_by_order(["I","III","II"], ["I","II","III"])"#),
            "III"
        );
        assert_eq!(
            eval_str(r#"min_by_order(["III","II"], ["I","II","III"])"#),
            "II"
        );
        let e = engine();
        assert!(e
            .eval::<bool>(r#"any_where([#{k: "a"}, #{k: "b"}], "k", "b")"#)
            .unwrap());
        assert!(!e
            .eval::<bool>(r#"all_where([#{k: "a"}, #{k: "b"}], "k", "b")"#)
            .unwrap());
        assert_eq!(
            e.eval::<i64>(r#"count_where([#{n: 1}, #{n: 1.0}, #{n: 2}], "n", 1)"#)
                .unwrap(),
            2
        );
        assert_eq!(e.eval::<i64>("sum([1, 2, 3])").unwrap(), 6);
        assert_eq!(e.eval::<f64>("sum([1, 2.5])").unwrap(), 3.5);
        let plucked = e
            .eval::<rhai::Array>(r#"pluck([#{k: 1}, #{}], "k")"#)
            .unwrap();
        assert_eq!(plucked.len(), 2);
        assert_eq!(plucked[0].as_int().unwrap(), 1);
        assert!(plucked[1].is_unit());
        let empty = e.eval::<Dynamic>("max_by_order([], [1])").unwrap();
        assert!(empty.is_unit());
    }

    #[test]
    fn credit_code_end_to_end() {
        let e = engine();
        assert!(e
            .eval::<bool>(r#"uscc_valid("914403001922038216")"#)
            .unwrap());
        assert!(!e
            .eval::<bool>(r#"uscc_valid("91350100M000100Y4Z")"#)
            .unwrap());
    }

    #[test]
    fn errors_propagate_from_lists() {
        let err = engine()
            .eval::<Dynamic>(r#"max_by_order(["IV"], ["I","II","III"])"#)
            .unwrap_err();
        assert!(err.to_string().contains("IV"), "{err}");
        let err = engine().eval::<i64>(r#"sum([1, "x"])"#).unwrap_err();
        assert!(err.to_string().contains("x"), "{err}");
    }
}
