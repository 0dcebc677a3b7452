//! The `hegui` command-line tool as a library: the modules the binary and the integration tests
//! share (pack loading, the batch re-check and the HTTP server).
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

pub mod check;
pub mod error;
pub mod packs;
mod records;
pub mod serve;
pub mod signing;
pub mod verify;
