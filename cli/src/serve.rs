//! Placeholder: being implemented.

use std::process::ExitCode;

use crate::error::CliError;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err(CliError::Usage("not implemented yet".into()))
}
