//! `hegui check`: re-check a file of submissions (JSONL or CSV) against a pack, streaming and in
//! parallel, with output in input order. See docs/server.md for the formats.
//!
//! Pipeline: one reader thread cuts the input into numbered batches; worker threads (one per
//! core) evaluate them; the calling thread writes results in order from a reorder buffer. A
//! window of batch tokens bounds how far the reader may run ahead of the writer, so memory
//! does not grow with the file whatever order the workers finish in.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use hegui_core::source::FieldType;
use hegui_core::{CompiledPack, EvalOptions, Outcome};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::CliError;
use crate::packs;
use crate::verify::{self, ClaimedOutcome, PackClaim, Reason, Verdict};

/// Records per batch handed to a worker.
const BATCH: usize = 256;
/// Largest JSONL line (one record), in bytes; a longer one is an invalid record.
const MAX_LINE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Pack folder or bundle (.json).
    #[arg(long)]
    pub pack: PathBuf,
    /// Submissions: a .jsonl file (one JSON object a line) or a .csv file; `-` for stdin.
    #[arg(long)]
    pub input: PathBuf,
    /// Write one JSON line per record here (default: standard output).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Continue an interrupted run: keep the complete lines already in --output, drop a partial
    /// last line, and skip that many input records.
    #[arg(long, requires = "output")]
    pub resume: bool,
    /// Input format (default: from the file extension; .csv is CSV, anything else JSONL).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Stop after this many records in the output (resumed ones included).
    #[arg(long)]
    pub limit: Option<u64>,
    /// Worker threads (default: one per core).
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Include the full recomputed outcome in each output line.
    #[arg(long)]
    pub full: bool,
    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How records become submissions.
enum Mode {
    Jsonl,
    /// CSV with an `input` column holding JSON text.
    CsvJson {
        id: Option<usize>,
        input: usize,
        outcome: Option<usize>,
    },
    /// CSV whose columns are dotted field paths.
    CsvFields {
        id: Option<usize>,
        outcome: Option<usize>,
        /// (column, path segments, declared type) for every other column.
        columns: Vec<(usize, Vec<String>, Option<FieldType>)>,
    },
}

enum Raw {
    Text(String),
    Csv(csv::StringRecord),
    /// A record that could not even be read (over-long line, bad UTF-8).
    Bad(String),
}

struct Record {
    line: u64,
    raw: Raw,
}

struct Batch {
    seq: u64,
    records: Vec<Record>,
}

#[derive(Default, Clone, Copy, Debug, PartialEq, Eq)]
struct Counts {
    accepted: u64,
    rejected: u64,
    invalid: u64,
}

impl Counts {
    fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Accepted => self.accepted += 1,
            Verdict::Rejected => self.rejected += 1,
            Verdict::Invalid => self.invalid += 1,
        }
    }

    fn merge(&mut self, other: Counts) {
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.invalid += other.invalid;
    }

    fn total(&self) -> u64 {
        self.accepted + self.rejected + self.invalid
    }
}

struct Done {
    seq: u64,
    text: String,
    counts: Counts,
    records: u64,
}

/// One output line.
#[derive(Serialize)]
struct OutLine<'a> {
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    verdict: &'static str,
    reasons: &'a [Reason],
    #[serde(skip_serializing_if = "Option::is_none")]
    complete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decisions: Option<BTreeMap<&'a str, &'a Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outcome: Option<&'a Outcome>,
}

/// Counts bytes read, for progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Reads one line (through `\n`) into `buf`, at most `cap` bytes kept. Returns `None` at the end,
/// else whether the line was too long (its bytes are then consumed but not kept).
fn read_line_capped<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<bool>> {
    buf.clear();
    let mut consumed = 0usize;
    let mut overflow = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((consumed > 0).then_some(overflow));
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (available.get(..=i).unwrap_or(available), true),
            None => (available, false),
        };
        if !overflow {
            if buf.len() + chunk.len() > cap {
                overflow = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let n = chunk.len();
        reader.consume(n);
        consumed += n;
        if done {
            return Ok(Some(overflow));
        }
    }
}

/// Where records come from.
enum Source {
    Jsonl(BufReader<Counting<Box<dyn Read + Send>>>),
    Csv(csv::Reader<Counting<Box<dyn Read + Send>>>),
}

impl Source {
    /// The next record (blank JSONL lines are not records), `None` at the end.
    fn next(&mut self, line_no: &mut u64, buf: &mut Vec<u8>) -> Result<Option<Record>, CliError> {
        match self {
            Source::Jsonl(reader) => loop {
                let read = read_line_capped(reader, buf, MAX_LINE_BYTES)
                    .map_err(|e| CliError::io(Path::new("<input>"), e))?;
                let Some(overflow) = read else {
                    return Ok(None);
                };
                *line_no += 1;
                let line = *line_no;
                if overflow {
                    return Ok(Some(Record {
                        line,
                        raw: Raw::Bad(format!("line longer than {MAX_LINE_BYTES} bytes")),
                    }));
                }
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let raw = match String::from_utf8(std::mem::take(buf)) {
                    Ok(s) => Raw::Text(s),
                    Err(_) => Raw::Bad("the line is not valid UTF-8".into()),
                };
                return Ok(Some(Record { line, raw }));
            },
            Source::Csv(reader) => {
                let mut record = csv::StringRecord::new();
                match reader.read_record(&mut record) {
                    Ok(false) => Ok(None),
                    Ok(true) => Ok(Some(Record {
                        line: record.position().map_or(0, |p| p.line()),
                        raw: Raw::Csv(record),
                    })),
                    Err(e) if e.is_io_error() => Err(CliError::Usage(format!("reading CSV: {e}"))),
                    Err(e) => Ok(Some(Record {
                        line: e.position().map_or(0, |p| p.line()),
                        raw: Raw::Bad(format!("unreadable CSV record: {e}")),
                    })),
                }
            }
        }
    }
}

fn open_input(
    path: &Path,
    count: Arc<AtomicU64>,
) -> Result<Counting<Box<dyn Read + Send>>, CliError> {
    let inner: Box<dyn Read + Send> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(File::open(path).map_err(|e| CliError::io(path, e))?)
    };
    Ok(Counting { inner, count })
}

fn csv_mode(headers: &csv::StringRecord, pack: &CompiledPack) -> Mode {
    let find = |name: &str| headers.iter().position(|h| h.trim() == name);
    let id = find("id");
    let outcome = find("outcome");
    if let Some(input) = find("input") {
        return Mode::CsvJson { id, input, outcome };
    }
    let types: HashMap<&str, FieldType> = pack
        .resolved()
        .fields
        .iter()
        .map(|f| (f.path.as_str(), f.ty))
        .collect();
    let columns = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != id && Some(*i) != outcome)
        .map(|(i, h)| {
            let path = h.trim();
            (
                i,
                path.split('.').map(str::to_owned).collect(),
                types.get(path).copied(),
            )
        })
        .collect();
    Mode::CsvFields {
        id,
        outcome,
        columns,
    }
}

/// A CSV cell typed by the field it fills. A value that does not parse as its type stays a
/// string, so the engine reports it as a wrong-typed field naming its path.
fn typed_cell(cell: &str, ty: Option<FieldType>) -> Value {
    let text = cell.trim();
    let fallback = || Value::String(cell.to_owned());
    match ty {
        Some(FieldType::Bool) => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "是" => Value::Bool(true),
            "false" | "0" | "no" | "n" | "否" => Value::Bool(false),
            _ => fallback(),
        },
        Some(FieldType::Integer) => text
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| fallback()),
        Some(FieldType::Number) => text
            .parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or_else(fallback),
        Some(FieldType::List | FieldType::Map) => {
            serde_json::from_str(text).unwrap_or_else(|_| fallback())
        }
        _ => fallback(),
    }
}

fn insert_path(doc: &mut Map<String, Value>, segments: &[String], value: Value) {
    let Some((last, parents)) = segments.split_last() else {
        return;
    };
    let mut current = doc;
    for seg in parents {
        let entry = current
            .entry(seg.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        match entry {
            Value::Object(m) => current = m,
            // Two columns disagree on the shape (`a` and `a.b`): the first one wins.
            _ => return,
        }
    }
    current.entry(last.clone()).or_insert(value);
}

/// A record as (id, pack claim, input, claimed outcome), or why it cannot be read.
type Submission = (Option<Value>, Option<PackClaim>, Value, Option<Value>);

fn malformed(message: impl Into<String>, path: Option<&str>) -> Box<Reason> {
    let mut r = Reason::new("record.malformed", message);
    r.path = path.map(str::to_owned);
    Box::new(r)
}

fn parse_json_cell(cell: &str, column: &str) -> Result<Option<Value>, Box<Reason>> {
    if cell.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(cell).map(Some).map_err(|e| {
        malformed(
            format!("column `{column}` is not valid JSON: {e}"),
            Some(column),
        )
    })
}

/// A JSONL record holding a submission rather than a bare input document.
#[derive(serde::Deserialize)]
struct Wrapper {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    pack: Option<Value>,
    #[serde(default)]
    input: Value,
    #[serde(default)]
    outcome: Option<ClaimedOutcome>,
}

fn wrapper(w: Wrapper) -> Result<Submission, (Option<Value>, Box<Reason>)> {
    let claim = match w.pack {
        None | Some(Value::Null) => None,
        Some(p) => Some(serde_json::from_value::<PackClaim>(p).map_err(|e| {
            (
                w.id.clone(),
                malformed(
                    format!("`pack` must be {{id, version, digest}}: {e}"),
                    Some("pack"),
                ),
            )
        })?),
    };
    let outcome = w.outcome.map(|o| o.0);
    Ok((w.id, claim, w.input, outcome))
}

fn submission(mode: &Mode, raw: Raw) -> Result<Submission, (Option<Value>, Box<Reason>)> {
    match (mode, raw) {
        (_, Raw::Bad(message)) => Err((None, malformed(message, None))),
        (Mode::Jsonl, Raw::Text(text)) => {
            // A wrapper is parsed with its claimed outcome thinned (rules and messages skipped).
            if text.contains("\"input\"") {
                if let Ok(w) = serde_json::from_str::<Wrapper>(&text) {
                    if w.input.is_object() {
                        return wrapper(w);
                    }
                }
            }
            let value: Value = serde_json::from_str(&text)
                .map_err(|e| (None, malformed(format!("not valid JSON: {e}"), None)))?;
            if !value.is_object() {
                return Err((None, malformed("a record must be a JSON object", None)));
            }
            Ok((None, None, value, None))
        }
        (Mode::CsvJson { id, input, outcome }, Raw::Csv(rec)) => {
            let id = id
                .and_then(|i| rec.get(i))
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()));
            let input = parse_json_cell(rec.get(*input).unwrap_or(""), "input")
                .map_err(|r| (id.clone(), r))?
                .ok_or_else(|| {
                    (
                        id.clone(),
                        malformed("the `input` column is empty", Some("input")),
                    )
                })?;
            let outcome = match outcome {
                Some(i) => parse_json_cell(rec.get(*i).unwrap_or(""), "outcome")
                    .map_err(|r| (id.clone(), r))?,
                None => None,
            };
            Ok((id, None, input, outcome))
        }
        (
            Mode::CsvFields {
                id,
                outcome,
                columns,
            },
            Raw::Csv(rec),
        ) => {
            let id = id
                .and_then(|i| rec.get(i))
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()));
            let mut doc = Map::new();
            for (i, path, ty) in columns {
                match rec.get(*i) {
                    Some(cell) if !cell.trim().is_empty() => {
                        insert_path(&mut doc, path, typed_cell(cell, *ty));
                    }
                    _ => {}
                }
            }
            let outcome = match outcome {
                Some(i) => parse_json_cell(rec.get(*i).unwrap_or(""), "outcome")
                    .map_err(|r| (id.clone(), r))?,
                None => None,
            };
            Ok((id, None, Value::Object(doc), outcome))
        }
        (_, _) => Err((None, malformed("record of the wrong kind", None))),
    }
}

struct Worker<'a> {
    pack: &'a CompiledPack,
    mode: &'a Mode,
    options: EvalOptions,
    full: bool,
}

impl Worker<'_> {
    fn process(&self, record: Record, out: &mut String) -> Verdict {
        let line = record.line;
        let (verdict, id, reasons, outcome) = match submission(self.mode, record.raw) {
            Err((id, reason)) => (Verdict::Invalid, id, vec![*reason], None),
            Ok((id, claim, input, claimed)) => {
                let checked = verify::check_submission(
                    self.pack,
                    claim.as_ref(),
                    &input,
                    claimed.as_ref(),
                    &self.options,
                );
                (checked.verdict, id, checked.reasons, checked.outcome)
            }
        };
        let line_out = OutLine {
            line,
            id: id.as_ref(),
            verdict: verdict.name(),
            reasons: &reasons,
            complete: outcome.as_ref().map(|o| o.complete),
            decisions: outcome.as_ref().map(|o| {
                o.decisions
                    .iter()
                    .map(|(k, d)| (k.as_str(), &d.value))
                    .collect()
            }),
            outcome: if self.full { outcome.as_ref() } else { None },
        };
        match serde_json::to_string(&line_out) {
            Ok(s) => out.push_str(&s),
            Err(e) => out.push_str(&format!(
                r#"{{"line":{line},"verdict":"invalid","reasons":[{{"code":"internal","message":"{e}"}}]}}"#
            )),
        }
        out.push('\n');
        verdict
    }

    fn run(&self, batches: &Mutex<Receiver<Batch>>, done: &SyncSender<Done>) {
        loop {
            let batch = match batches.lock() {
                Ok(rx) => rx.recv(),
                Err(_) => return,
            };
            let Ok(batch) = batch else {
                return;
            };
            let mut text = String::with_capacity(batch.records.len() * 256);
            let mut counts = Counts::default();
            let records = batch.records.len() as u64;
            for record in batch.records {
                counts.add(self.process(record, &mut text));
            }
            let message = Done {
                seq: batch.seq,
                text,
                counts,
                records,
            };
            if done.send(message).is_err() {
                return;
            }
        }
    }
}

/// What an earlier run left in the output file.
struct Resumed {
    records: u64,
    counts: Counts,
    /// The `line` of the last record written, to check the input is the same.
    last_line: Option<u64>,
}

/// Keeps the complete, well-formed lines of `path` and truncates anything after them.
fn prepare_resume(path: &Path) -> Result<Resumed, CliError> {
    let mut resumed = Resumed {
        records: 0,
        counts: Counts::default(),
        last_line: None,
    };
    let file = match OpenOptions::new().read(true).write(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(resumed),
        Err(e) => return Err(CliError::io(path, e)),
    };
    let mut reader = BufReader::new(&file);
    let mut buf = Vec::new();
    let mut good_end = 0u64;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| CliError::io(path, e))?;
        if n == 0 || buf.last() != Some(&b'\n') {
            break;
        }
        let Ok(value) = serde_json::from_slice::<Value>(&buf) else {
            break;
        };
        let verdict = match value.get("verdict").and_then(Value::as_str) {
            Some("accepted") => Verdict::Accepted,
            Some("rejected") => Verdict::Rejected,
            Some("invalid") => Verdict::Invalid,
            _ => break,
        };
        resumed.counts.add(verdict);
        resumed.records += 1;
        resumed.last_line = value.get("line").and_then(Value::as_u64);
        good_end += n as u64;
    }
    drop(reader);
    file.set_len(good_end).map_err(|e| CliError::io(path, e))?;
    Ok(resumed)
}

/// Progress on stderr: a bar on a terminal, a line every few seconds otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    total_bytes: Option<u64>,
    last: Instant,
    start: Instant,
}

impl Progress {
    fn new(quiet: bool, total_bytes: Option<u64>) -> Progress {
        let terminal = io::stderr().is_terminal();
        let bar = (!quiet && terminal).then(|| {
            let bar = match total_bytes {
                Some(n) => indicatif::ProgressBar::new(n),
                None => indicatif::ProgressBar::new_spinner(),
            };
            let style = indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            plain: !quiet && !terminal,
            total_bytes,
            last: Instant::now(),
            start: Instant::now(),
        }
    }

    fn update(&mut self, records: u64, bytes: u64) {
        let rate = records as f64 / self.start.elapsed().as_secs_f64().max(1e-3);
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
            bar.set_message(format!("{records} records, {rate:.0}/s"));
        } else if self.plain && self.last.elapsed() >= Duration::from_secs(5) {
            self.last = Instant::now();
            let percent = self
                .total_bytes
                .filter(|&t| t > 0)
                .map(|t| format!(" ({:.0}%)", bytes as f64 * 100.0 / t as f64))
                .unwrap_or_default();
            eprintln!("hegui check: {records} records{percent}, {rate:.0} records/s");
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The reader thread: numbered batches, at most `window` ahead of the writer.
fn read_batches(
    mut source: Source,
    skip: u64,
    expect_last_line: Option<u64>,
    limit: Option<u64>,
    tokens: Receiver<()>,
    batches: SyncSender<Batch>,
) -> Result<(), CliError> {
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    let mut skipped_last = None;
    for _ in 0..skip {
        match source.next(&mut line_no, &mut buf)? {
            Some(r) => skipped_last = Some(r.line),
            None => {
                return Err(CliError::Usage(format!(
                    "--resume: the output already holds more records than the input ({skip})"
                )))
            }
        }
    }
    if expect_last_line.is_some() && skipped_last != expect_last_line {
        return Err(CliError::Usage(format!(
            "--resume: the output's last record is line {}, but record {skip} of the input is \
             line {}; is this the same input?",
            expect_last_line.unwrap_or(0),
            skipped_last.unwrap_or(0)
        )));
    }
    let mut remaining = limit.map(|l| l.saturating_sub(skip));
    let mut seq = 0u64;
    loop {
        let mut records = Vec::with_capacity(BATCH);
        while records.len() < BATCH && remaining != Some(0) {
            match source.next(&mut line_no, &mut buf)? {
                Some(r) => {
                    records.push(r);
                    if let Some(n) = remaining.as_mut() {
                        *n -= 1;
                    }
                }
                None => break,
            }
        }
        if records.is_empty() {
            return Ok(());
        }
        let full = records.len() == BATCH;
        // Wait for room in the window; the writer gone means it stopped on an error.
        if tokens.recv().is_err() || batches.send(Batch { seq, records }).is_err() {
            return Ok(());
        }
        seq += 1;
        if !full {
            return Ok(());
        }
    }
}

pub fn run(args: Args) -> Result<ExitCode, CliError> {
    let pack = packs::compile_path(&args.pack)?;
    let format = args.format.unwrap_or_else(|| {
        if args
            .input
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        {
            Format::Csv
        } else {
            Format::Jsonl
        }
    });
    if let Some(out) = &args.output {
        if out == &args.input {
            return Err(CliError::Usage(
                "--output must not be the --input file".into(),
            ));
        }
    }
    let resumed = match (&args.output, args.resume) {
        (Some(path), true) => prepare_resume(path)?,
        _ => Resumed {
            records: 0,
            counts: Counts::default(),
            last_line: None,
        },
    };

    let bytes_read = Arc::new(AtomicU64::new(0));
    let input = open_input(&args.input, Arc::clone(&bytes_read))?;
    let total_bytes = std::fs::metadata(&args.input)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let (source, mode) = match format {
        Format::Jsonl => (
            Source::Jsonl(BufReader::with_capacity(256 * 1024, input)),
            Mode::Jsonl,
        ),
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(true)
                .buffer_capacity(256 * 1024)
                .from_reader(input);
            let headers = reader
                .headers()
                .map_err(|e| {
                    CliError::Usage(format!("{}: no CSV header row: {e}", args.input.display()))
                })?
                .clone();
            let mode = csv_mode(&headers, &pack);
            (Source::Csv(reader), mode)
        }
    };

    let writer: Box<dyn Write> = match &args.output {
        Some(path) => {
            let mut file = OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(!args.resume)
                .open(path)
                .map_err(|e| CliError::io(path, e))?;
            file.seek(SeekFrom::End(0))
                .map_err(|e| CliError::io(path, e))?;
            Box::new(file)
        }
        None => Box::new(io::stdout()),
    };
    let out_name = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdout>"));
    let mut writer = BufWriter::with_capacity(256 * 1024, writer);

    let jobs = args
        .jobs
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    let window = 4 * jobs + 4;
    let options = EvalOptions::default();
    let started = Instant::now();
    let mut progress = Progress::new(args.quiet, total_bytes);
    let mut counts = resumed.counts;
    let mut written = resumed.records;

    let (batch_tx, batch_rx) = sync_channel::<Batch>(window);
    let batch_rx = Mutex::new(batch_rx);
    let worker = Worker {
        pack: &pack,
        mode: &mode,
        options,
        full: args.full,
    };
    let result: Result<(), CliError> = thread::scope(|scope| {
        let (token_tx, token_rx) = sync_channel::<()>(window);
        for _ in 0..window {
            let _ = token_tx.send(());
        }
        let (done_tx, done_rx) = sync_channel::<Done>(window);
        let skip = resumed.records;
        let last_line = resumed.last_line;
        let limit = args.limit;
        let reader =
            scope.spawn(move || read_batches(source, skip, last_line, limit, token_rx, batch_tx));
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let (worker, batch_rx) = (&worker, &batch_rx);
            scope.spawn(move || worker.run(batch_rx, &done_tx));
        }
        drop(done_tx);

        // The writer: in order, from a reorder buffer bounded by the window.
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0u64;
        let mut write_result = Ok(());
        for done in done_rx.iter() {
            pending.insert(done.seq, done);
            while let Some(done) = pending.remove(&next) {
                if let Err(e) = writer.write_all(done.text.as_bytes()) {
                    write_result = Err(CliError::io(&out_name, e));
                    break;
                }
                counts.merge(done.counts);
                written += done.records;
                next += 1;
                let _ = token_tx.send(());
            }
            if write_result.is_err() {
                break;
            }
            progress.update(written, bytes_read.load(Ordering::Relaxed));
        }
        // Stop the reader and workers if we broke off early.
        drop(token_tx);
        drop(done_rx);
        let read_result = reader
            .join()
            .unwrap_or_else(|_| Err(CliError::Usage("the input reader failed".into())));
        write_result?;
        read_result?;
        writer.flush().map_err(|e| CliError::io(&out_name, e))
    });
    progress.finish();
    result?;

    let seconds = started.elapsed().as_secs_f64();
    let checked = written - resumed.records;
    let summary = serde_json::json!({
        "summary": {
            "records": counts.total(),
            "accepted": counts.accepted,
            "rejected": counts.rejected,
            "invalid": counts.invalid,
            "resumed": resumed.records,
            "checked": checked,
            "seconds": (seconds * 1000.0).round() / 1000.0,
            "records_per_second": (checked as f64 / seconds.max(1e-9)).round(),
        }
    });
    eprintln!("{summary}");
    Ok(if counts.rejected + counts.invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_lines() {
        let mut r = io::Cursor::new(b"ab\ncdefgh\nij".to_vec());
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 4).unwrap(), Some(false));
        assert_eq!(buf, b"ab\n");
        assert_eq!(read_line_capped(&mut r, &mut buf, 4).unwrap(), Some(true));
        assert_eq!(read_line_capped(&mut r, &mut buf, 4).unwrap(), Some(false));
        assert_eq!(buf, b"ij");
        assert_eq!(read_line_capped(&mut r, &mut buf, 4).unwrap(), None);
    }

    #[test]
    fn cells_are_typed() {
        assert_eq!(typed_cell("12", Some(FieldType::Integer)), Value::from(12));
        assert_eq!(typed_cell("x", Some(FieldType::Integer)), Value::from("x"));
        assert_eq!(
            typed_cell("86.5", Some(FieldType::Number)),
            Value::from(86.5)
        );
        assert_eq!(typed_cell("是", Some(FieldType::Bool)), Value::Bool(true));
        assert_eq!(
            typed_cell("[1]", Some(FieldType::List)),
            serde_json::json!([1])
        );
    }

    #[test]
    fn paths_nest() {
        let mut doc = Map::new();
        insert_path(&mut doc, &["a".into(), "b".into()], Value::from(1));
        insert_path(&mut doc, &["a".into(), "c".into()], Value::from(2));
        assert_eq!(
            Value::Object(doc),
            serde_json::json!({"a": {"b": 1, "c": 2}})
        );
    }
}
