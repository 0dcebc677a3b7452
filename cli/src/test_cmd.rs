//! `hegui test`: runs every pack's test cases and ends with `N passed, N failed`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hegui_core::testcase;
use hegui_core::CompiledPack;

use crate::error::CliError;
use crate::packs;

pub fn run(paths: &[PathBuf], verbose: bool) -> Result<ExitCode, CliError> {
    let default = [PathBuf::from("rules")];
    let roots = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut dirs = Vec::new();
    for root in roots {
        if !root.exists() {
            return Err(CliError::Usage(format!(
                "{}: no such folder",
                root.display()
            )));
        }
        dirs.extend(packs::find_pack_dirs(root)?);
    }
    if dirs.is_empty() {
        return Err(CliError::Usage("no pack folders found".into()));
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for dir in &dirs {
        let (p, f) = run_pack(dir, verbose);
        passed += p;
        failed += f;
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Runs one pack's cases; a pack that fails to load counts as one failure.
fn run_pack(dir: &Path, verbose: bool) -> (usize, usize) {
    let loaded = packs::read_pack_files(dir).and_then(|files| {
        let pack = packs::compile_path(dir)?;
        let cases = testcase::parse_tests(&files)
            .map_err(|e| CliError::Load(dir.display().to_string(), e))?;
        Ok::<(CompiledPack, _), CliError>((pack, cases))
    });
    let (pack, cases) = match loaded {
        Ok(x) => x,
        Err(e) => {
            println!("FAIL {}: {e}", dir.display());
            return (0, 1);
        }
    };
    if cases.is_empty() {
        println!("FAIL {}: the pack has no test cases", dir.display());
        return (0, 1);
    }
    let (mut passed, mut failed) = (0, 0);
    for case in &cases {
        let (_, problems) = testcase::run_case(&pack, case);
        if problems.is_empty() {
            passed += 1;
            if verbose {
                println!("ok   {} {}: {}", pack.id(), case.loc, case.name);
            }
        } else {
            failed += 1;
            println!(
                "FAIL {} {}: {} ({})",
                pack.id(),
                case.loc,
                case.name,
                case.basis
            );
            for p in problems {
                println!("     - {p}");
            }
        }
    }
    println!(
        "{} {}: {passed} cases passed, {failed} failed",
        pack.id(),
        pack.version()
    );
    (passed, failed)
}
