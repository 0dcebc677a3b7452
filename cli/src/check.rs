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

use hegui_core::eval::DEFAULT_MAX_INPUT_BYTES;
use hegui_core::source::FieldType;
use hegui_core::{CompiledPack, EvalOptions, Lang, Outcome, Text};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::CliError;
use crate::packs;
use crate::records::{read_line_capped, Capped, CsvRows};
use crate::verify::{self, ClaimedOutcome, PackClaim, Reason, Verdict};

/// Records per batch handed to a worker.
const BATCH: usize = 256;

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
    /// Largest record (a JSONL line, or a CSV row's fields), in bytes; a longer one is an
    /// `invalid` record (`record.too_large`), skipped without being read into memory. The
    /// default is the server's `--max-body`, since a verify request holds the same content.
    #[arg(long, default_value_t = DEFAULT_MAX_INPUT_BYTES)]
    pub max_record_bytes: usize,
    /// Keep reason messages (and the `--full` outcome's) in one language only (zh or en); both
    /// by default.
    #[arg(long)]
    pub lang: Option<String>,
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
    /// A record that could not even be read (bad UTF-8).
    Bad(Text),
    /// A record over `--max-record-bytes`, skipped unread.
    TooLarge,
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

type Input = BufReader<Counting<Box<dyn Read + Send>>>;

/// Where records come from; each keeps at most `cap` bytes of one record (crate::records).
enum Source {
    Jsonl {
        reader: Input,
        cap: usize,
    },
    /// Boxed: the csv-core parser state is large, and there is one source per run.
    Csv(Box<CsvRows<Input>>),
}

impl Source {
    /// The next record (blank JSONL lines are not records), `None` at the end.
    fn next(&mut self, line_no: &mut u64, buf: &mut Vec<u8>) -> Result<Option<Record>, CliError> {
        match self {
            Source::Jsonl { reader, cap } => loop {
                let read = read_line_capped(reader, buf, *cap)
                    .map_err(|e| CliError::io(Path::new("<input>"), e))?;
                let Some(read) = read else {
                    return Ok(None);
                };
                *line_no += 1;
                let line = *line_no;
                if read == Capped::TooLarge {
                    let raw = Raw::TooLarge;
                    return Ok(Some(Record { line, raw }));
                }
                if buf.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let raw = match String::from_utf8(std::mem::take(buf)) {
                    Ok(s) => Raw::Text(s),
                    Err(_) => Raw::Bad(Text::new(
                        "该行不是有效的 UTF-8 文本",
                        "the line is not valid UTF-8",
                    )),
                };
                return Ok(Some(Record { line, raw }));
            },
            Source::Csv(rows) => {
                let row = rows
                    .next_row()
                    .map_err(|e| CliError::Usage(format!("reading CSV: {e}")))?;
                Ok(row.map(|(line, row)| Record {
                    line,
                    raw: csv_raw(row),
                }))
            }
        }
    }
}

fn csv_raw(row: Capped<csv::ByteRecord>) -> Raw {
    match row {
        Capped::TooLarge => Raw::TooLarge,
        Capped::Record(bytes) => match csv::StringRecord::from_byte_record(bytes) {
            Ok(record) => Raw::Csv(record),
            Err(e) => Raw::Bad(Text::new(
                format!("无法读取的 CSV 记录：{e}"),
                format!("unreadable CSV record: {e}"),
            )),
        },
    }
}

/// The header row of a CSV input (empty for an empty file).
fn csv_headers(rows: &mut CsvRows<Input>, input: &Path) -> Result<csv::StringRecord, CliError> {
    let no_header =
        |why: String| CliError::Usage(format!("{}: no CSV header row: {why}", input.display()));
    match rows.next_row().map_err(|e| no_header(e.to_string()))? {
        None => Ok(csv::StringRecord::new()),
        Some((_, Capped::TooLarge)) => Err(no_header("longer than --max-record-bytes".into())),
        Some((_, Capped::Record(bytes))) => {
            csv::StringRecord::from_byte_record(bytes).map_err(|e| no_header(e.to_string()))
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

fn malformed(text: &Text, path: Option<&str>, lang: Lang) -> Box<Reason> {
    let mut r = Reason::new("record.malformed", text, lang);
    r.path = path.map(str::to_owned);
    Box::new(r)
}

/// A record over `--max-record-bytes`, naming its line: its content is not known, only its size.
fn too_large(line: u64, cap: usize, lang: Lang) -> Reason {
    let text = Text::new(
        format!("第 {line} 行的记录超过 {cap} 字节（--max-record-bytes），未读取"),
        format!(
            "the record on line {line} is longer than {cap} bytes (--max-record-bytes); not read"
        ),
    );
    Reason::new("record.too_large", &text, lang)
}

fn parse_json_cell(cell: &str, column: &str, lang: Lang) -> Result<Option<Value>, Box<Reason>> {
    if cell.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(cell).map(Some).map_err(|e| {
        let text = Text::new(
            format!("`{column}` 列不是有效的 JSON：{e}"),
            format!("column `{column}` is not valid JSON: {e}"),
        );
        malformed(&text, Some(column), lang)
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

fn wrapper(w: Wrapper, lang: Lang) -> Result<Submission, (Option<Value>, Box<Reason>)> {
    let claim = match w.pack {
        None | Some(Value::Null) => None,
        Some(p) => Some(serde_json::from_value::<PackClaim>(p).map_err(|e| {
            let text = Text::new(
                format!("`pack` 必须是 {{id, version, digest}}：{e}"),
                format!("`pack` must be {{id, version, digest}}: {e}"),
            );
            (w.id.clone(), malformed(&text, Some("pack"), lang))
        })?),
    };
    let outcome = w.outcome.map(|o| o.0);
    Ok((w.id, claim, w.input, outcome))
}

/// What the worker makes of a record: a submission to check, or the reason it is invalid.
fn submission(
    mode: &Mode,
    record: Record,
    cap: usize,
    lang: Lang,
) -> Result<Submission, (Option<Value>, Box<Reason>)> {
    match (mode, record.raw) {
        (_, Raw::TooLarge) => Err((None, Box::new(too_large(record.line, cap, lang)))),
        (_, Raw::Bad(text)) => Err((None, malformed(&text, None, lang))),
        (Mode::Jsonl, Raw::Text(text)) => jsonl_submission(&text, lang),
        (Mode::CsvJson { id, input, outcome }, Raw::Csv(rec)) => {
            let id = id
                .and_then(|i| rec.get(i))
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()));
            let input = parse_json_cell(rec.get(*input).unwrap_or(""), "input", lang)
                .map_err(|r| (id.clone(), r))?
                .ok_or_else(|| {
                    let text = Text::new("`input` 列为空", "the `input` column is empty");
                    (id.clone(), malformed(&text, Some("input"), lang))
                })?;
            let outcome = match outcome {
                Some(i) => parse_json_cell(rec.get(*i).unwrap_or(""), "outcome", lang)
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
                Some(i) => parse_json_cell(rec.get(*i).unwrap_or(""), "outcome", lang)
                    .map_err(|r| (id.clone(), r))?,
                None => None,
            };
            Ok((id, None, Value::Object(doc), outcome))
        }
        (_, _) => {
            let text = Text::new("记录的类型与输入格式不符", "record of the wrong kind");
            Err((None, malformed(&text, None, lang)))
        }
    }
}

/// A JSONL line: a wrapper `{id?, pack?, input, outcome?}` or a bare input document.
fn jsonl_submission(text: &str, lang: Lang) -> Result<Submission, (Option<Value>, Box<Reason>)> {
    // A wrapper is parsed with its claimed outcome thinned (rules and messages skipped).
    if text.contains("\"input\"") {
        if let Ok(w) = serde_json::from_str::<Wrapper>(text) {
            if w.input.is_object() {
                return wrapper(w, lang);
            }
        }
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let text = Text::new(
            format!("不是有效的 JSON：{e}"),
            format!("not valid JSON: {e}"),
        );
        (None, malformed(&text, None, lang))
    })?;
    if !value.is_object() {
        let text = Text::new(
            "每条记录必须是一个 JSON 对象",
            "a record must be a JSON object",
        );
        return Err((None, malformed(&text, None, lang)));
    }
    Ok((None, None, value, None))
}

struct Worker<'a> {
    pack: &'a CompiledPack,
    mode: &'a Mode,
    options: EvalOptions,
    full: bool,
    max_record_bytes: usize,
}

impl Worker<'_> {
    fn process(&self, record: Record, out: &mut String) -> Verdict {
        let line = record.line;
        let lang = self.options.lang;
        let (verdict, id, reasons, outcome) =
            match submission(self.mode, record, self.max_record_bytes, lang) {
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
            // Still one JSON line per record, so the output stays resumable.
            Err(e) => {
                let text = Text::new(
                    format!("无法写出此记录的结果：{e}"),
                    format!("the result of this record could not be written: {e}"),
                );
                let reason = Reason::new("internal", &text, lang);
                let fallback = serde_json::json!({
                    "line": line, "verdict": "invalid", "reasons": [reason],
                });
                out.push_str(&fallback.to_string());
            }
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

fn parse_lang(lang: Option<&str>) -> Result<Lang, CliError> {
    match lang {
        None => Ok(Lang::Both),
        Some(l) => Lang::parse(l)
            .ok_or_else(|| CliError::Usage(format!("--lang must be zh or en, not `{l}`"))),
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

    let lang = parse_lang(args.lang.as_deref())?;
    let cap = args.max_record_bytes.max(1);
    let bytes_read = Arc::new(AtomicU64::new(0));
    let input = open_input(&args.input, Arc::clone(&bytes_read))?;
    let total_bytes = std::fs::metadata(&args.input)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let input = BufReader::with_capacity(256 * 1024, input);
    let (source, mode) = match format {
        Format::Jsonl => (Source::Jsonl { reader: input, cap }, Mode::Jsonl),
        Format::Csv => {
            let mut rows = CsvRows::new(input, cap);
            let headers = csv_headers(&mut rows, &args.input)?;
            (Source::Csv(Box::new(rows)), csv_mode(&headers, &pack))
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
    let options = EvalOptions {
        lang,
        ..EvalOptions::default()
    };
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
        max_record_bytes: cap,
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
