//! Evaluating `cn.supervision` on a full input, and on one half filled in: the per-evaluation cost
//! a form or server pays; and resolving a pack of 5,000 rules from its files.
//!
//! Run: `cargo bench -p hegui-core --bench evaluate`

use std::fs;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use hegui_core::{CompiledPack, EvalOptions, PackFiles};

fn read_pack(dir: &Path) -> PackFiles {
    let mut files = PackFiles::new();
    for name in ["pack.toml", "fields.toml", "rules.toml"] {
        if let Ok(text) = fs::read_to_string(dir.join(name)) {
            files.insert(name, text);
        }
    }
    if let Ok(entries) = fs::read_dir(dir.join("tables")) {
        for entry in entries.flatten() {
            let path = entry.path();
            if let (Some(name), Ok(text)) = (path.file_name(), fs::read_to_string(&path)) {
                files.insert(format!("tables/{}", name.to_string_lossy()), text);
            }
        }
    }
    files
}

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = read_pack(&root.join("rules/cn/supervision"));
    let resolved = match hegui_core::resolve::resolve(&files, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot load cn.supervision: {e}");
            return;
        }
    };
    let pack = match CompiledPack::compile(resolved.clone()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cannot compile cn.supervision: {e}");
            return;
        }
    };
    let text = fs::read_to_string(root.join("examples/supervision-full.json")).unwrap_or_default();
    let input: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let options = EvalOptions::default();

    c.bench_function("cn.supervision/evaluate (full input)", |b| {
        b.iter(|| pack.evaluate(std::hint::black_box(&input), &options))
    });
    c.bench_function("cn.supervision/evaluate + to_json (full input)", |b| {
        b.iter(|| {
            pack.evaluate(std::hint::black_box(&input), &options)
                .to_json()
        })
    });
    let decisions = EvalOptions {
        detail: hegui_core::Detail::Decisions,
        ..EvalOptions::default()
    };
    c.bench_function(
        "cn.supervision/evaluate, decisions only (full input)",
        |b| b.iter(|| pack.evaluate(std::hint::black_box(&input), &decisions)),
    );
    // A form half filled in: a factor of undecided nature and an industry code outside the
    // catalogue, so two rules end in `pending(...)` (docs/engine.md, "Direct forms").
    let text =
        fs::read_to_string(root.join("examples/supervision-undecided.json")).unwrap_or_default();
    let undecided: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    c.bench_function("cn.supervision/evaluate (undecided input)", |b| {
        b.iter(|| pack.evaluate(std::hint::black_box(&undecided), &options))
    });
    c.bench_function("cn.supervision/compile", |b| {
        b.iter(|| CompiledPack::compile(std::hint::black_box(resolved.clone())))
    });
}

/// A pack of `n` checks whose ids are not in order in `rules.toml`: what loading a large pack from
/// its files costs (line numbers of every declaration, duplicate checks, the digest).
fn many_rules(n: usize) -> PackFiles {
    let mut files = PackFiles::new();
    files.insert(
        "pack.toml",
        "id = \"test.many\"\nversion = \"1.0.0\"\njurisdiction = \"test\"\n\
         title = { zh = \"测试\", en = \"Test\" }\n\
         [[sources]]\nid = \"S\"\ntitle = \"Source\"\nissuer = \"Issuer\"\n",
    );
    files.insert(
        "fields.toml",
        "[[field]]\npath = \"org.workers\"\ntype = \"integer\"\n\
         label = { zh = \"人数\", en = \"Workers\" }\n",
    );
    let mut rules = String::new();
    for i in 0..n {
        // 7919 is prime and does not divide n here: every id once, not in order.
        let id = (i * 7919) % n;
        rules.push_str(&format!(
            "[[rule]]\nid = \"r{id:05}\"\nkind = \"check\"\n\
             message = {{ zh = \"人数须为正\", en = \"workers must be positive\" }}\n\
             basis = {{ source = \"S\", article = \"1\" }}\nassert = \"org.workers > 0\"\n\n"
        ));
    }
    files.insert("rules.toml", rules);
    files
}

fn bench_resolve(c: &mut Criterion) {
    let files = many_rules(5_000);
    let mut group = c.benchmark_group("resolve");
    group.sample_size(10);
    group.bench_function("5,000 rules from files", |b| {
        b.iter(|| hegui_core::resolve::resolve(std::hint::black_box(&files), None))
    });
    group.finish();
}

criterion_group!(benches, bench, bench_resolve);
criterion_main!(benches);
