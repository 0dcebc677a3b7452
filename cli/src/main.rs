//! `hegui`: evaluate, test, build and inspect rule packs from the command line.
//!
//! Exit codes: 0 ok, 1 failed checks (a failing rule or test case), 2 usage, input or pack errors.
#![forbid(unsafe_code)]

mod doc_cmd;
mod test_cmd;

/// mimalloc rather than the system allocator: an evaluation makes many small, short-lived
/// allocations, and the server and `hegui check` run them on every core at once
/// (docs/BENCHMARKS.md, "Server").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Shared with the integration tests through the library target (cli/src/lib.rs).
use hegui::{check, error, packs, serve, signing};

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hegui_core::eval::DEFAULT_MAX_INPUT_BYTES;
use hegui_core::{EvalOptions, Lang};

use error::CliError;

#[derive(Parser)]
#[command(
    name = "hegui",
    version,
    about = "合规 hegui: occupational-health compliance rules, evaluated the same way everywhere"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate one input document against a pack and print the outcome JSON.
    Eval {
        /// Pack folder or bundle (.json).
        #[arg(long)]
        pack: PathBuf,
        /// Input JSON file, or `-` for standard input.
        #[arg(long, default_value = "-")]
        input: String,
        /// Keep messages in one language only (zh or en); both by default.
        #[arg(long)]
        lang: Option<String>,
        /// Indent the JSON for reading.
        #[arg(long)]
        pretty: bool,
        /// Evaluate only this decision (its path, e.g. `risk.class`) and the rules it needs;
        /// repeatable. Every decision by default.
        #[arg(long = "decision", value_name = "PATH")]
        decisions: Vec<String>,
    },
    /// Run the test cases of every pack under the given folders (default: rules).
    Test {
        paths: Vec<PathBuf>,
        /// Print every case, not only the failing ones.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Build or hash pack bundles.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Print the JSON Schema of a pack's input document.
    Schema {
        #[arg(long)]
        pack: PathBuf,
    },
    /// Re-check many submissions (JSONL or CSV) against a pack, streaming.
    Check(check::Args),
    /// Serve the HTTP API for server-side re-checks, and the web demo.
    Serve(serve::Args),
    /// Describe a pack's rules, tables and sources for reviewers (Markdown).
    Doc(doc_cmd::Args),
}

#[derive(Subcommand)]
enum PackCommand {
    /// Resolve a pack folder (overlays applied) into one JSON bundle.
    Build {
        dir: PathBuf,
        /// Write the bundle here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print the digest of a pack folder or bundle (a bundle's digest is checked first).
    Digest { path: PathBuf },
    /// Make an ed25519 key pair: PREFIX.key (secret, hex) and PREFIX.pub (public, hex).
    Keygen {
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign a bundle's digest with a secret key (adds to its `signatures`).
    Sign {
        bundle: PathBuf,
        #[arg(long)]
        key: PathBuf,
        /// Write the signed bundle here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Check a bundle's digest and its signature by one of the public keys; print the digest.
    Verify {
        bundle: PathBuf,
        /// Trusted public key file (repeatable).
        #[arg(long, required = true)]
        pubkey: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hegui: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Eval {
            pack,
            input,
            lang,
            pretty,
            decisions,
        } => eval(&pack, &input, lang.as_deref(), pretty, &decisions),
        Command::Test { paths, verbose } => test_cmd::run(&paths, verbose),
        Command::Check(args) => check::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Doc(args) => doc_cmd::run(args),
        Command::Pack { command } => match command {
            PackCommand::Build { dir, output } => {
                let resolved = packs::resolve_dir(&dir)?;
                // Compile too, so a bundle that would not load is never written.
                hegui_core::CompiledPack::compile(resolved.clone())
                    .map_err(|e| CliError::Load(dir.display().to_string(), e))?;
                let json = resolved
                    .to_bundle_json()
                    .map_err(|e| CliError::Load(dir.display().to_string(), e))?;
                match output {
                    Some(path) => {
                        std::fs::write(&path, json + "\n").map_err(|e| CliError::io(&path, e))?
                    }
                    None => println!("{json}"),
                }
                Ok(ExitCode::SUCCESS)
            }
            PackCommand::Digest { path } => {
                println!("{}", packs::resolve_path(&path)?.digest());
                Ok(ExitCode::SUCCESS)
            }
            cmd => signing_command(cmd),
        },
        Command::Schema { pack } => {
            let compiled = packs::compile_path(&pack)?;
            let schema = hegui_core::jsonschema::input_schema(&compiled);
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn read_input(input: &str) -> Result<String, CliError> {
    // Read one byte past the limit so an oversized document is reported, not truncated.
    let limit = DEFAULT_MAX_INPUT_BYTES as u64 + 1;
    let mut text = String::new();
    if input == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_string(&mut text)
            .map_err(|e| CliError::io(Path::new("<stdin>"), e))?;
    } else {
        let path = Path::new(input);
        std::fs::File::open(path)
            .and_then(|f| f.take(limit).read_to_string(&mut text))
            .map_err(|e| CliError::io(path, e))?;
    }
    Ok(text)
}

fn eval(
    pack: &Path,
    input: &str,
    lang: Option<&str>,
    pretty: bool,
    decisions: &[String],
) -> Result<ExitCode, CliError> {
    let lang = match lang {
        None => Lang::Both,
        Some(l) => Lang::parse(l)
            .ok_or_else(|| CliError::Usage(format!("--lang must be zh or en, not `{l}`")))?,
    };
    let compiled = packs::compile_path(pack)?;
    let selection = if decisions.is_empty() {
        None
    } else {
        Some(
            compiled
                .select(decisions)
                .map_err(|e| CliError::Usage(format!("--decision: {e}")))?,
        )
    };
    let text = read_input(input)?;
    let options = EvalOptions {
        lang,
        ..EvalOptions::default()
    };
    let outcome = match &selection {
        Some(selection) => compiled.evaluate_str_selected(&text, &options, selection),
        None => compiled.evaluate_str(&text, &options),
    };
    let json = if pretty {
        outcome.to_json_pretty()
    } else {
        outcome.to_json()
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").map_err(|e| CliError::io(Path::new("<stdout>"), e))?;
    Ok(if !outcome.errors.is_empty() {
        ExitCode::from(2)
    } else if !outcome.failing_rules().is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `hegui pack keygen | sign | verify` (cli/src/signing.rs).
fn signing_command(command: PackCommand) -> Result<ExitCode, CliError> {
    match command {
        PackCommand::Keygen { out } => {
            let key_id = signing::keygen(&out)?;
            println!("key_id {key_id}: {0}.key (secret), {0}.pub", out.display());
        }
        PackCommand::Sign {
            bundle,
            key,
            output,
        } => {
            let json = signing::sign(&bundle, &key)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, json + "\n").map_err(|e| CliError::io(&path, e))?
                }
                None => println!("{json}"),
            }
        }
        PackCommand::Verify { bundle, pubkey } => {
            println!("{}", signing::verify(&bundle, &pubkey)?);
        }
        PackCommand::Build { .. } | PackCommand::Digest { .. } => {
            return Err(CliError::Usage("not a signing command".into()))
        }
    }
    Ok(ExitCode::SUCCESS)
}
