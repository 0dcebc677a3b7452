//! hegui-core: rule packs, the rhai sandbox, decision tables, evaluation and outcomes.
//!
//! Pure library: no file system, network, clock or threads. The assessment date is an input.
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod canonical;
pub mod compile;
pub mod error;
pub mod eval;
pub mod functions;
mod json_write;
pub mod jsonschema;
pub mod outcome;
pub mod resolve;
pub mod signature;
pub mod sorted;
pub mod source;
pub mod testcase;
pub mod text;

pub use compile::{CompiledPack, Limits};
pub use error::LoadError;
pub use eval::{Detail, EvalOptions, SelectError, Selection};
pub use outcome::Outcome;
pub use resolve::ResolvedPack;
pub use source::PackFiles;
pub use text::{Lang, Text};

/// A compiled pack is built once and shared by every request of a server.
#[cfg(test)]
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CompiledPack>();
};
