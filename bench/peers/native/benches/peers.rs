//! Native: hegui-core against zen-engine and datalogic-rs, in one process. First every engine's
//! answers are compared with hegui's full outcome on the shared inputs (an engine that disagrees,
//! hegui-core's decisions-only mode included, is not timed and the run exits non-zero); then a
//! per-input pass (median and p99, as in Node and Chromium) and criterion (one iteration = the
//! whole input set). hegui-core runs three times: the peers' five decisions only (`select`, the
//! like-for-like row the report's ratios use), every decision (`Detail::Decisions`) and the full
//! outcome. Writes ../out/native.json.
use criterion::{BenchmarkId, Criterion, Throughput};
use hegui_peers_native::{inputs, peers_dir, DataLogic, Hegui, Peer, Zen, HEGUI_DECISIONS, HEGUI_FULL, HEGUI_SELECTED};
use serde_json::{json, Value};
use std::hint::black_box;
use std::time::Instant;

/// Criterion's directory name for an engine (no spaces or brackets).
fn crit_id(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect()
}

/// One round over the inputs: each input's mean of `reps` back-to-back answers, kept if fastest.
fn per_input_round(p: &mut dyn Peer, docs: &[Value], reps: usize, best: &mut [f64]) {
    for (i, d) in docs.iter().enumerate() {
        let t = Instant::now();
        for _ in 0..reps {
            black_box(p.answers(black_box(d)));
        }
        best[i] = best[i].min(t.elapsed().as_secs_f64() * 1e6 / reps as f64);
    }
}

fn summary(best: &[f64], reps: usize, rounds: usize) -> Value {
    let mut s = best.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let q = |x: f64| s[((x * s.len() as f64) as usize).min(s.len() - 1)];
    json!({ "median_us": q(0.5), "p99_us": q(0.99), "mean_us": s.iter().sum::<f64>() / s.len() as f64, "n": s.len(), "reps": reps, "rounds": rounds })
}

fn main() {
    let docs = inputs();
    let t = Instant::now();
    let mut hegui = Hegui::load();
    let hegui_load = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let mut hegui_dec = Hegui::load_with(hegui_core::Detail::Decisions);
    let hegui_dec_load = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let mut hegui_sel = Hegui::load_selected();
    let hegui_sel_load = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let mut zen = Zen::load();
    let zen_load = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let mut dl = DataLogic::load();
    let dl_load = t.elapsed().as_secs_f64() * 1e3;

    let reference: Vec<Value> = docs.iter().map(|d| hegui.answers(d)).collect();
    let mut failed = serde_json::Map::new();
    // Timed in this order: hegui-core (selected), hegui-core (decisions), hegui-core (full), the peers.
    let mut timed: Vec<&mut dyn Peer> = vec![];
    let mut candidates: Vec<&mut dyn Peer> = vec![&mut hegui_sel as &mut dyn Peer, &mut hegui_dec as &mut dyn Peer];
    candidates.push(&mut hegui as &mut dyn Peer);
    candidates.push(&mut zen as &mut dyn Peer);
    candidates.push(&mut dl as &mut dyn Peer);
    for p in candidates {
        if p.name() == HEGUI_FULL {
            timed.push(p); // the reference itself
            continue;
        }
        let what = if p.name() == HEGUI_DECISIONS || p.name() == HEGUI_SELECTED { "hegui's full outcome" } else { "hegui" };
        let bad: Vec<usize> = docs.iter().enumerate().filter(|(i, d)| p.answers(d) != reference[*i]).map(|(i, _)| i).collect();
        if bad.is_empty() {
            println!("native: {}: {}/{} answers agree with {what}", p.name(), docs.len(), docs.len());
            timed.push(p);
        } else {
            eprintln!("native: {}: {} answers differ from {what}; first:", p.name(), bad.len());
            for &i in bad.iter().take(5) {
                eprintln!("{}", json!({ "input": i, "hegui": reference[i], "peer": p.answers(&docs[i]) }));
            }
            failed.insert(p.name().into(), json!(format!("{} of {} answers differ from {what}", bad.len(), docs.len())));
        }
    }
    let order: Vec<String> = timed.iter().map(|p| p.name().to_owned()).collect();
    let baseline = [HEGUI_SELECTED, HEGUI_DECISIONS].into_iter().find(|n| !failed.contains_key(*n)).unwrap_or(HEGUI_FULL);

    let quick = std::env::var("QUICK").is_ok();
    let (rounds, reps) = if quick { (1, 3) } else { (3, 10) };
    // Round-robin over the engines, as in lib/timing.mjs: each input keeps its fastest round.
    let mut per_eval = serde_json::Map::new();
    let mut best: Vec<Vec<f64>> = vec![vec![f64::INFINITY; docs.len()]; timed.len()];
    for _ in 0..rounds {
        for (k, p) in timed.iter_mut().enumerate() {
            per_input_round(&mut **p, &docs, reps, &mut best[k]);
        }
    }
    for (k, p) in timed.iter().enumerate() {
        per_eval.insert(p.name().into(), summary(&best[k], reps, rounds));
    }
    for (k, v) in &per_eval {
        println!("native: {k}: median {:.2} µs, p99 {:.2} µs", v["median_us"].as_f64().unwrap_or(0.0), v["p99_us"].as_f64().unwrap_or(0.0));
    }

    // criterion: one iteration evaluates every input once
    let mut c = Criterion::default().sample_size(if quick { 10 } else { 20 }).configure_from_args();
    let mut g = c.benchmark_group("peers");
    g.throughput(Throughput::Elements(docs.len() as u64));
    for p in timed.iter_mut() {
        let id = crit_id(p.name());
        g.bench_function(BenchmarkId::new("all_inputs", id), |b| b.iter(|| for d in &docs { black_box(p.answers(black_box(d))); }));
    }
    g.finish();
    c.final_summary();

    let mut crit = serde_json::Map::new();
    for name in per_eval.keys() {
        let f = peers_dir().join(format!("native/target/criterion/peers/all_inputs/{}/new/estimates.json", crit_id(name)));
        if let Ok(text) = std::fs::read_to_string(&f) {
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                let ns = |k: &str| v[k]["point_estimate"].as_f64().unwrap_or(0.0) / docs.len() as f64 / 1e3;
                crit.insert(name.clone(), json!({ "mean_us": ns("mean"), "median_us": ns("median") }));
            }
        }
    }
    let out = json!({ "env": "native", "inputs": docs.len(), "per_eval": per_eval, "criterion": crit, "failed": failed,
        "order": order, "baseline": baseline,
        "load_ms": { HEGUI_SELECTED: hegui_sel_load, HEGUI_DECISIONS: hegui_dec_load, HEGUI_FULL: hegui_load, "zen-engine": zen_load, "datalogic-rs": dl_load } });
    std::fs::write(peers_dir().join("out/native.json"), serde_json::to_string_pretty(&out).unwrap_or_default()).ok();
    if !failed.is_empty() {
        std::process::exit(1);
    }
}
