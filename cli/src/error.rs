//! CLI errors and their exit codes: 2 for usage, input and pack problems.

use std::path::Path;

use hegui_core::LoadError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}: [{code}] {1}", code = .1.code())]
    Load(String, LoadError),
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
