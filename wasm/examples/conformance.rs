//! Writes the conformance corpus: for each pack, its test-case inputs, mutants of them, and
//! seed-generated inputs (valid, partial and invalid), each with the EXPECTED canonical outcome
//! JSON computed by the native engine. The WASM harnesses (tests/conformance/*.mjs) evaluate the
//! same inputs in Node and Chromium and require byte-identical JSON.
//!
//! Also writes "hostile" packs: a real pack whose rule is replaced by a runaway expression
//! (endless loop, string or array doubling, map growth), or one too deep to compile, to prove
//! that neither the native nor the WASM engine hangs, traps or crashes.
//!
//! ```text
//! cargo run -p hegui-wasm --example conformance -- --out DIR [--seed N] [--per-pack N] \
//!     PACK_DIR BUNDLE_JSON [PACK_DIR BUNDLE_JSON ...]
//! ```
//! Every outcome's answers are checked against the reference evaluation in rhai
//! (`CompiledPack::interpret_only`): the same values, statuses and error codes.
//! Output: `DIR/index.json` (`[{id, bundle, cases, count, load_error?}]`), `DIR/bundles/*.json`,
//! `DIR/cases/*.jsonl` (`{"name", "lang", "input", "expected"}` per line; `input` and `expected`
//! are JSON texts).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use hegui_core::eval::DEFAULT_MAX_INPUT_BYTES;
use hegui_core::source::{FieldDecl, FieldType};
use hegui_core::{CompiledPack, Detail, EvalOptions, Lang, Outcome, PackFiles, ResolvedPack};
use serde_json::{json, Map, Value};

/// SplitMix64: small, seedable, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct Case {
    name: String,
    lang: Lang,
    input: String,
}

fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Both => "both",
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut out = PathBuf::from("tests/out/conformance");
    let mut seed: u64 = 20_260_115;
    let mut per_pack: usize = 400;
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--out" => {
                out = PathBuf::from(&args[i + 1]);
                i += 2;
            }
            "--seed" => {
                seed = args[i + 1].parse().expect("--seed N");
                i += 2;
            }
            "--per-pack" => {
                per_pack = args[i + 1].parse().expect("--per-pack N");
                i += 2;
            }
            _ => {
                pairs.push((PathBuf::from(&args[i]), PathBuf::from(&args[i + 1])));
                i += 2;
            }
        }
    }
    assert!(
        !pairs.is_empty(),
        "usage: conformance --out DIR PACK_DIR BUNDLE ..."
    );
    fs::create_dir_all(out.join("bundles")).unwrap();
    fs::create_dir_all(out.join("cases")).unwrap();

    let mut index = Vec::new();
    let mut total = 0usize;
    let mut first: Option<(ResolvedPack, Vec<Value>)> = None;
    for (dir, bundle_path) in &pairs {
        let bundle = fs::read_to_string(bundle_path)
            .unwrap_or_else(|e| panic!("{}: {e}", bundle_path.display()));
        let resolved = ResolvedPack::from_bundle_json(&bundle).expect("bundle loads");
        let pack = CompiledPack::compile(resolved.clone()).expect("bundle compiles");
        let files = read_tests(dir);
        let tests = hegui_core::testcase::parse_tests(&files).expect("test cases parse");
        let test_inputs: Vec<Value> = tests.iter().map(|t| t.input.clone()).collect();
        let mut rng = Rng(seed ^ fnv(pack.id()));
        let mut cases = Vec::new();
        for (k, t) in tests.iter().enumerate() {
            cases.push(Case {
                name: format!("test: {}", t.name),
                lang: [Lang::Both, Lang::Zh, Lang::En][k % 3],
                input: serde_json::to_string(&t.input).unwrap(),
            });
        }
        cases.extend(generated(
            &mut rng,
            &resolved.fields,
            &test_inputs,
            per_pack,
        ));
        cases.extend(special_cases(&resolved.fields));
        let n = write_pack(&out, pack.id(), &bundle, &pack, &cases);
        total += n;
        index.push(
            json!({"id": pack.id(), "bundle": format!("bundles/{}.json", pack.id()),
            "cases": format!("cases/{}.jsonl", pack.id()), "count": n}),
        );
        if first.is_none() {
            first = Some((resolved, test_inputs));
        }
    }

    // Hostile packs: the first pack with one rule replaced.
    if let Some((resolved, inputs)) = first {
        for (name, expr) in HOSTILE {
            let Some(mut hostile) = hostile_pack(&resolved, expr) else {
                eprintln!("conformance: no rule with `assert` to make hostile");
                break;
            };
            hostile.manifest.id = format!("hostile.{name}");
            let bundle = hostile.to_bundle_json().expect("bundle");
            let id = hostile.manifest.id.clone();
            match CompiledPack::compile(hostile) {
                Ok(pack) => {
                    let cases: Vec<Case> = inputs
                        .iter()
                        .take(6)
                        .enumerate()
                        .map(|(k, input)| Case {
                            name: format!("hostile {name} #{k}"),
                            lang: Lang::Both,
                            input: serde_json::to_string(input).unwrap(),
                        })
                        .collect();
                    let n = write_pack(&out, &id, &bundle, &pack, &cases);
                    total += n;
                    index.push(json!({"id": id, "bundle": format!("bundles/{id}.json"),
                        "cases": format!("cases/{id}.jsonl"), "count": n, "hostile": true}));
                }
                Err(e) => {
                    fs::write(out.join(format!("bundles/{id}.json")), &bundle).unwrap();
                    index.push(json!({"id": id, "bundle": format!("bundles/{id}.json"),
                        "count": 0, "hostile": true,
                        "load_error": {"code": e.code(), "rule": e.rule()}}));
                }
            }
        }
    }
    fs::write(
        out.join("index.json"),
        serde_json::to_string_pretty(&index).unwrap(),
    )
    .unwrap();
    println!(
        "conformance corpus: {total} cases, {} packs, in {}",
        index.len(),
        out.display()
    );
}

const HOSTILE: &[(&str, &str)] = &[
    // Unbounded loops are not in the rule language: refused when the pack loads.
    ("loop", "loop { }"),
    // Loops over lists that run past the budget or the size limits: the same error everywhere.
    (
        "nested-for",
        "let a = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]; let n = 0; \
         for x in a { for y in a { for z in a { for w in a { for v in a { n += 1; } } } } } n > 0",
    ),
    (
        "push-growth",
        "let a = []; for x in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] { for y in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] \
         { for z in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] { for w in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] \
         { a.push(x); } } } } a.len() > 0",
    ),
    (
        "string-doubling",
        "let s = \"ab\"; for i in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39] { s += s; } s.len() > 0",
    ),
    (
        "array-doubling",
        "let a = [1, 2]; for i in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39] { a += a; } a.len() > 0",
    ),
    (
        "map-growth",
        "let m = #{}; let i = 0; loop { m[\"k\" + i] = i; i += 1; }",
    ),
    (
        "nested-loops",
        "let n = 0; while n < 100000 { let i = 0; while i < 100000 { i += 1; } n += 1; } n > 0",
    ),
    // Deeper than the sandbox's expression depth: refused when the pack loads.
    ("deep", DEEP),
];

const DEEP: &str = "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))) > 0";

fn hostile_pack(resolved: &ResolvedPack, expr: &str) -> Option<ResolvedPack> {
    let mut pack = resolved.clone();
    let rule = pack.rules.iter_mut().find(|r| r.assert.is_some())?;
    rule.assert = Some(expr.to_owned());
    rule.when = None;
    rule.for_each = None;
    rule.as_name = None;
    Some(pack)
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn read_tests(dir: &Path) -> PackFiles {
    let mut files = PackFiles::new();
    let tests = dir.join("tests");
    if let Ok(entries) = fs::read_dir(&tests) {
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|x| x == "toml") {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                files.insert(format!("tests/{name}"), fs::read_to_string(&p).unwrap());
            }
        }
    }
    files
}

/// Writes a pack's cases with their expected outcomes. Each expected outcome is computed twice
/// natively, with the engine's direct forms and with every expression run in rhai, and the two
/// must be identical: the direct forms are only an optimisation.
fn write_pack(out: &Path, id: &str, bundle: &str, pack: &CompiledPack, cases: &[Case]) -> usize {
    fs::write(out.join(format!("bundles/{id}.json")), bundle).unwrap();
    let reference = CompiledPack::compile(pack.resolved().clone())
        .expect("the pack compiles again")
        .interpret_only();
    let mut lines = String::new();
    let mut count = 0;
    for (k, c) in cases.iter().enumerate() {
        let opts = EvalOptions {
            lang: c.lang,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
            detail: Detail::Full,
        };
        let full = pack.evaluate_str(&c.input, &opts);
        let expected = full.to_json();
        // The outcome's own JSON writer must write what serde_json writes for it.
        assert!(
            expected == serde_json::to_string(&full).unwrap(),
            "{id}, case {}: Outcome::to_json differs from serde_json's serialisation",
            c.name
        );
        // The decisions-only outcome is the full one without its trace.
        let mut trimmed = full.clone();
        trimmed.rules.clear();
        trimmed.fields.clear();
        let decisions = pack.evaluate_str(
            &c.input,
            &EvalOptions {
                detail: Detail::Decisions,
                ..opts
            },
        );
        assert!(
            decisions == trimmed,
            "{id}, case {}: the decisions-only outcome differs from the full one",
            c.name
        );
        // Every answer is rhai's (errors are worded the engine's own way).
        let answers = full.answers_json();
        let interpreted = reference.evaluate_str(&c.input, &opts).answers_json();
        assert!(
            answers == interpreted,
            "{id}, case {}: the engine and rhai disagree\ninput: {}\nengine: {answers}\nrhai:   {interpreted}",
            c.name,
            c.input
        );
        let line = json!({"name": c.name, "lang": lang_name(c.lang), "input": c.input,
            "expected": expected});
        lines.push_str(&serde_json::to_string(&line).unwrap());
        lines.push('\n');
        count += 1;
        // Every third case again, limited to some decisions (in turn: each decision alone, then
        // the first and the last together).
        if k % 3 == 0 {
            let paths: Vec<&String> = full.decisions.keys().collect();
            if paths.is_empty() {
                continue;
            }
            let turn = (k / 3) % (paths.len() + 1);
            let chosen: Vec<String> = match paths.get(turn) {
                Some(p) => vec![(*p).clone()],
                None => vec![(*paths[paths.len() - 1]).clone(), paths[0].clone()],
            };
            let selection = pack
                .select(&chosen)
                .expect("an outcome's decision is selectable");
            let selected = pack.evaluate_str_selected(&c.input, &opts, &selection);
            assert_selected_agrees(&selected, &full, &chosen, &format!("{id}, case {}", c.name));
            let line = json!({"name": format!("{} (decisions {})", c.name, chosen.join(", ")),
                "lang": lang_name(c.lang), "input": c.input, "decisions": chosen,
                "expected": selected.to_json()});
            lines.push_str(&serde_json::to_string(&line).unwrap());
            lines.push('\n');
            count += 1;
        }
    }
    fs::write(out.join(format!("cases/{id}.jsonl")), lines).unwrap();
    count
}

/// An evaluation limited to some decisions answers them as the whole evaluation does, and says
/// nothing the whole evaluation does not: every decision, rule, field note, missing path and
/// error in it is the whole outcome's.
fn assert_selected_agrees(selected: &Outcome, full: &Outcome, chosen: &[String], case: &str) {
    for path in chosen {
        assert!(
            selected.decisions.contains_key(path),
            "{case}: selected decision {path} missing from the outcome"
        );
    }
    for (path, decision) in &selected.decisions {
        assert_eq!(
            Some(decision),
            full.decisions.get(path),
            "{case}: decision {path} differs when selected"
        );
    }
    for rule in &selected.rules {
        let whole = full.rules.iter().find(|r| r.id == rule.id);
        assert_eq!(
            Some(rule),
            whole,
            "{case}: rule {} differs when selected",
            rule.id
        );
    }
    for (path, notes) in &selected.fields {
        let whole = full.fields.get(path).cloned().unwrap_or_default();
        assert!(
            notes.iter().all(|n| whole.contains(n)),
            "{case}: a note on {path} is not in the whole outcome"
        );
    }
    assert!(
        selected.missing.iter().all(|m| full.missing.contains(m)),
        "{case}: a missing path is not in the whole outcome"
    );
    assert!(
        selected.errors.iter().all(|e| full.errors.contains(e)),
        "{case}: an error is not in the whole outcome"
    );
    if full.complete {
        assert!(
            selected.complete,
            "{case}: the whole outcome is complete, the selected one not"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Generated inputs

/// Values seen for each declared path in the pack's own test inputs (item fields as `list[].x`).
fn pools(fields: &[FieldDecl], inputs: &[Value]) -> BTreeMap<String, Vec<Value>> {
    let mut pools: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for f in fields {
        for input in inputs {
            if let Some((list, name)) = f.path.split_once("[].") {
                if let Some(Value::Array(items)) = get(input, list) {
                    for item in items {
                        if let Some(v) = item.get(name) {
                            pools.entry(f.path.clone()).or_default().push(v.clone());
                        }
                    }
                }
            } else if let Some(v) = get(input, &f.path) {
                pools.entry(f.path.clone()).or_default().push(v.clone());
            }
        }
    }
    pools
}

fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn set(doc: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut cur = doc;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            cur.insert(part.to_owned(), value);
            return;
        }
        let next = cur
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !next.is_object() {
            *next = Value::Object(Map::new());
        }
        cur = next.as_object_mut().unwrap();
    }
}

fn generated(rng: &mut Rng, fields: &[FieldDecl], tests: &[Value], n: usize) -> Vec<Case> {
    let pools = pools(fields, tests);
    let top: Vec<&FieldDecl> = fields.iter().filter(|f| !f.path.contains("[]")).collect();
    let mut cases = Vec::new();
    for k in 0..n {
        let lang = [Lang::Both, Lang::Zh, Lang::En][k % 3];
        // A third are mutants of a test input; the rest are built field by field. The share of
        // invalid values varies so that some inputs are complete and valid.
        let bad = *rng.pick(&[0u64, 0, 5, 15, 30]);
        let absent = *rng.pick(&[0u64, 0, 10, 30, 60]);
        let doc = if !tests.is_empty() && k % 3 == 0 {
            let mut doc = rng.pick(tests).clone();
            mutate(rng, &mut doc, fields, &pools);
            doc
        } else {
            let mut doc = Map::new();
            for f in &top {
                if rng.chance(absent) {
                    continue;
                }
                let v = if f.ty == FieldType::List {
                    list_value(rng, f, fields, &pools, bad, absent)
                } else {
                    value(rng, f, &pools, bad)
                };
                set(&mut doc, &f.path, v);
            }
            if rng.chance(10) {
                doc.insert("unknown_extra".into(), json!({"a": [1, 2, {"b": null}]}));
            }
            Value::Object(doc)
        };
        cases.push(Case {
            name: format!("generated #{k}"),
            lang,
            input: number_style(rng, serde_json::to_string(&doc).unwrap()),
        });
    }
    cases
}

/// Sometimes re-spells numbers in the text (`5` as `5.0`, `1e1`), as other JSON writers do.
fn number_style(rng: &mut Rng, text: String) -> String {
    if !rng.chance(10) {
        return text;
    }
    let style = rng.below(2);
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_str = false;
    let mut escaped = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if c == '"' {
            in_str = true;
            out.push(c);
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || ".eE+-".contains(chars[i])) {
                i += 1;
            }
            let num: String = chars[start..i].iter().collect();
            if num.chars().all(|c| c.is_ascii_digit()) {
                out.push_str(&num);
                out.push_str(if style == 0 { ".0" } else { "e0" });
            } else {
                out.push_str(&num);
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn mutate(
    rng: &mut Rng,
    doc: &mut Value,
    fields: &[FieldDecl],
    pools: &BTreeMap<String, Vec<Value>>,
) {
    let top: Vec<&FieldDecl> = fields.iter().filter(|f| !f.path.contains("[]")).collect();
    if top.is_empty() {
        return;
    }
    let Value::Object(map) = doc else { return };
    for _ in 0..=rng.below(3) {
        let f = *rng.pick(&top);
        match rng.below(4) {
            0 => remove(map, &f.path),
            1 => set(map, &f.path, Value::Null),
            2 => set(map, &f.path, invalid(rng, f)),
            _ => {
                let v = if f.ty == FieldType::List {
                    list_value(rng, f, fields, pools, 20, 10)
                } else {
                    value(rng, f, pools, 0)
                };
                set(map, &f.path, v);
            }
        }
    }
}

fn remove(doc: &mut Map<String, Value>, path: &str) {
    match path.split_once('.') {
        None => {
            doc.remove(path);
        }
        Some((head, rest)) => {
            if let Some(Value::Object(inner)) = doc.get_mut(head) {
                remove(inner, rest);
            }
        }
    }
}

fn list_value(
    rng: &mut Rng,
    list: &FieldDecl,
    fields: &[FieldDecl],
    pools: &BTreeMap<String, Vec<Value>>,
    bad: u64,
    absent: u64,
) -> Value {
    if rng.chance(bad) {
        return rng
            .pick(&[json!("not a list"), json!({"0": {}}), json!(3), Value::Null])
            .clone();
    }
    let prefix = format!("{}[].", list.path);
    let items: Vec<&FieldDecl> = fields
        .iter()
        .filter(|f| f.path.starts_with(&prefix))
        .collect();
    let n = *rng.pick(&[0u64, 1, 1, 2, 2, 3, 5]);
    let mut out = Vec::new();
    for _ in 0..n {
        if rng.chance(bad / 3) {
            out.push(rng.pick(&[json!(null), json!("item"), json!([1])]).clone());
            continue;
        }
        let mut item = Map::new();
        for f in &items {
            if rng.chance(absent / 2) {
                continue;
            }
            let name = &f.path[prefix.len()..];
            set(&mut item, name, value(rng, f, pools, bad));
        }
        out.push(Value::Object(item));
    }
    Value::Array(out)
}

fn value(rng: &mut Rng, f: &FieldDecl, pools: &BTreeMap<String, Vec<Value>>, bad: u64) -> Value {
    if rng.chance(bad) {
        return invalid(rng, f);
    }
    if let Some(pool) = pools.get(&f.path) {
        if !pool.is_empty() && rng.chance(50) {
            return rng.pick(pool).clone();
        }
    }
    match f.ty {
        FieldType::Bool => Value::Bool(rng.chance(50)),
        FieldType::Integer => {
            let lo = f.min.unwrap_or(0.0) as i64;
            let hi = f.max.map_or(lo + 120, |m| m as i64);
            let choice = [
                lo,
                hi,
                lo + rng.below((hi - lo).max(0) as u64 + 1) as i64,
                9,
                10,
                49,
                50,
            ];
            let v = *rng.pick(&choice);
            json!(v.clamp(lo, hi))
        }
        FieldType::Number => {
            let lo = f.min.unwrap_or(0.0);
            let hi = f.max.unwrap_or(lo + 100.0);
            let v = match rng.below(6) {
                0 => lo,
                1 => hi,
                2 => (lo + (rng.below(((hi - lo) * 2.0) as u64 + 1) as f64) / 2.0).min(hi),
                // The doubles next to a bound, written with sixteen or seventeen digits: where
                // a comparison's tolerance matters (docs/engine.md, "Direct forms").
                3 => next_double_below(hi).max(lo),
                4 => next_double_above(lo).min(hi),
                _ => ((lo + hi) / 2.0 * 10.0).round() / 10.0,
            };
            json!(v)
        }
        FieldType::Date => {
            let y = 2015 + rng.below(13);
            let m = 1 + rng.below(12);
            let d = 1 + rng.below(28);
            json!(format!("{y:04}-{m:02}-{d:02}"))
        }
        FieldType::Enum => match &f.values {
            Some(vs) if !vs.is_empty() => json!(rng.pick(vs)),
            _ => json!("x"),
        },
        FieldType::String => {
            let samples = [
                "914403001922038216",
                "91350100M000100Y43",
                "91110000600037341L",
                "示例有限公司",
                "C3441",
                "矽尘",
                "苯",
                "噪声",
                "石棉",
                "a \"quoted\" \\ string\n",
            ];
            json!(rng.pick(&samples))
        }
        FieldType::Map => {
            let mut m = Map::new();
            for i in 0..rng.below(5) {
                m.insert(format!("item_{i}"), json!(rng.below(11)));
            }
            Value::Object(m)
        }
        FieldType::List => json!([]),
    }
}

/// The largest double below `x` (`x` itself when it is not finite).
fn next_double_below(x: f64) -> f64 {
    -next_double_above(-x)
}

/// The smallest double above `x` (`x` itself when it is not finite). `f64::next_up` does this
/// from Rust 1.86; the workspace supports 1.80.
fn next_double_above(x: f64) -> f64 {
    if !x.is_finite() {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

fn invalid(rng: &mut Rng, f: &FieldDecl) -> Value {
    let generic = [json!(null), json!(""), json!([]), json!({"x": 1})];
    let specific: Vec<Value> = match f.ty {
        FieldType::Bool => vec![json!("true"), json!(1), json!("是")],
        FieldType::Integer => vec![
            json!("12"),
            json!(3.5),
            json!(f.min.unwrap_or(0.0) - 1.0),
            json!(f.max.unwrap_or(1e15) + 1.0),
            json!(-1),
            json!(9_007_199_254_740_993_i64),
            json!(true),
        ],
        FieldType::Number => vec![
            json!("86.5"),
            json!(f.min.unwrap_or(0.0) - 0.5),
            json!(f.max.unwrap_or(1e300) * 10.0),
            json!(false),
        ],
        FieldType::Date => vec![
            json!("2026-02-30"),
            json!("2026-13-01"),
            json!("2026-1-5"),
            json!("20260105"),
            json!("2026/01/05"),
            json!("2025-02-29"),
            json!(20260105),
            json!("2026-01-05T00:00:00Z"),
        ],
        FieldType::Enum => vec![json!("unknown_value"), json!(1), json!("SERIOUS")],
        FieldType::String => vec![
            json!(914403001922038216_u64),
            json!(true),
            json!("x".repeat(f.max_length.unwrap_or(10_000) + 1)),
        ],
        FieldType::Map => vec![json!({"a": "ten"}), json!({"a": -5}), json!([1, 2])],
        FieldType::List => vec![json!("x"), json!({})],
    };
    if rng.chance(25) {
        rng.pick(&generic).clone()
    } else {
        rng.pick(&specific).clone()
    }
}

/// Documents that are not objects, not JSON, too large or too deep, and odd but valid JSON.
fn special_cases(fields: &[FieldDecl]) -> Vec<Case> {
    let mut texts: Vec<(&str, String)> = vec![
        ("null", "null".into()),
        ("array", "[]".into()),
        ("number", "42".into()),
        ("string", "\"text\"".into()),
        ("bool", "true".into()),
        ("empty object", "{}".into()),
        ("empty text", String::new()),
        ("malformed", "{\"employer\":".into()),
        ("trailing comma", "{\"a\":1,}".into()),
        ("huge number", "{\"x\":1e400}".into()),
        (
            "duplicate keys",
            "{\"assessment_date\":\"2026-01-01\",\"assessment_date\":\"2026-02-30\"}".into(),
        ),
        (
            "unicode escapes",
            "{\"employer\":{\"name\":\"\\u793a\\u4f8b\\ud83d\\ude00\"}}".into(),
        ),
        (
            "lone surrogate",
            "{\"employer\":{\"name\":\"\\ud800\"}}".into(),
        ),
        (
            "deep nesting 100",
            format!("{}{}", "[".repeat(100), "]".repeat(100)),
        ),
        (
            "deep nesting 5000",
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
        ),
        (
            "deep object",
            format!(
                "{{\"unknown\":{}1{}}}",
                "{\"a\":".repeat(120),
                "}".repeat(120)
            ),
        ),
        (
            "over the size limit",
            format!("{{\"s\":\"{}\"}}", "x".repeat(DEFAULT_MAX_INPUT_BYTES)),
        ),
    ];
    // Every top-level field wrong at once, and every one null.
    let mut wrong = Map::new();
    let mut nulls = Map::new();
    for f in fields.iter().filter(|f| !f.path.contains("[]")) {
        let v = match f.ty {
            FieldType::String | FieldType::Date | FieldType::Enum => json!(12),
            _ => json!("wrong"),
        };
        set(&mut wrong, &f.path, v);
        set(&mut nulls, &f.path, Value::Null);
    }
    texts.push((
        "every field the wrong type",
        Value::Object(wrong).to_string(),
    ));
    // Every top-level number just below its upper bound, then just below 100, written in their
    // shortest form (sixteen or seventeen digits, which serde_json may read a unit in the last
    // place off): every target must read them alike (a pack that echoes the number, such as a
    // reported score, shows any difference) and compare them alike (rhai's float tolerance).
    for (name, target) in [
        ("every number next to its bound", None),
        ("every number next to 100", Some(100.0)),
    ] {
        let mut near = Map::new();
        for f in fields
            .iter()
            .filter(|f| !f.path.contains("[]") && f.ty == FieldType::Number)
        {
            let lo = f.min.unwrap_or(0.0);
            let hi = f.max.unwrap_or(lo + 100.0);
            let bound = target.map_or(hi, |t: f64| t.min(hi));
            set(&mut near, &f.path, json!(next_double_below(bound).max(lo)));
        }
        if !near.is_empty() {
            texts.push((name, Value::Object(near).to_string()));
        }
    }
    texts.push(("every field null", Value::Object(nulls).to_string()));
    texts
        .into_iter()
        .enumerate()
        .map(|(k, (name, input))| Case {
            name: format!("special: {name}"),
            lang: [Lang::Both, Lang::Zh, Lang::En][k % 3],
            input,
        })
        .collect()
}
