// Node: checks every engine against hegui on the shared inputs, then times the ones that agree.
// Usage: node lib/node-bench.mjs   (after lib/prepare.mjs). Writes out/node.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { answersOf, disagreements } from './check.mjs';
import { measure } from './timing.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'out');
const docs = JSON.parse(fs.readFileSync(path.join(out, 'inputs.json'), 'utf8'));
const rules = JSON.parse(fs.readFileSync(path.join(out, 'rules.json'), 'utf8'));
const PEERS = ['jsonlogic', 'cel', 'jre', 'zen'];

const H = await import(path.join(out, 'hegui-pkg/index.js'));
H.initSync({ module: fs.readFileSync(path.join(out, 'hegui-pkg/hegui_wasm_bg.wasm')) });
const bundles = { supervision: fs.readFileSync(path.join(out, 'cn.supervision.json'), 'utf8'), healthy: fs.readFileSync(path.join(out, 'cn.healthy-enterprise.json'), 'utf8') };
const HP = await import('./peer-hegui.mjs');
const hegui = HP.load(H, bundles);
const ref = await answersOf(hegui, false, docs); // the full outcome's answers: the reference for every other row

const result = { env: 'node', node: process.version, inputs: docs.length, engines: {}, failed: {}, baseline: HP.name };
const timed = [];
// hegui's selected and decisions-only modes are checked like peers: they must give the full
// outcome's answers. The first of them that does is the baseline of the ratios.
for (const [variantName, detail] of [[HP.selectedName, 'selected'], [HP.decisionsName, 'decisions']]) {
  const variant = HP.load(H, bundles, { detail });
  const d = disagreements(ref, await answersOf(variant, false, docs));
  if (d.count) {
    result.failed[variantName] = `${d.count} of ${docs.length} answers differ from hegui's full outcome`;
    console.error(`node: ${variantName}: ${d.count} answers differ from hegui's full outcome; first:`);
    for (const x of d.first) console.error(JSON.stringify(x));
  } else {
    console.log(`node: ${variantName}: ${docs.length}/${docs.length} answers agree with hegui's full outcome`);
    timed.push({ name: variantName, engine: variant, isAsync: false });
    if (result.baseline === HP.name) result.baseline = variantName;
  }
}
timed.push({ name: HP.name, engine: hegui, isAsync: false });
for (const p of PEERS) {
  const m = await import(`./peer-${p}.mjs`);
  let e;
  try { e = m.load(rules); } catch (err) { result.failed[m.name] = `load: ${err.message}`; console.error(`node: ${m.name}: cannot load: ${err.message}`); continue; }
  const got = await answersOf(e, m.isAsync, docs).catch((err) => err);
  if (got instanceof Error) { result.failed[m.name] = `evaluate: ${got.message.slice(0, 300)}`; console.error(`node: ${m.name}: ${got.message.slice(0, 300)}`); continue; }
  const d = disagreements(ref, got);
  if (d.count) {
    result.failed[m.name] = `${d.count} of ${docs.length} answers differ from hegui`;
    console.error(`node: ${m.name}: ${d.count} answers differ from hegui; first:`);
    for (const x of d.first) console.error(JSON.stringify(x));
    continue;
  }
  console.log(`node: ${m.name}: ${docs.length}/${docs.length} answers agree with hegui`);
  timed.push({ name: m.name, engine: e, isAsync: !!m.isAsync });
}
result.per_eval = await measure(timed, docs, { rounds: Number(process.env.ROUNDS || 3), log: (s) => console.log('node: ' + s) });

// Cold start: a fresh process per trial; from before importing the engine to the first answer.
const TRIALS = Number(process.env.COLD_TRIALS || 5);
result.cold_ms = {};
for (const e of timed) {
  const key = e.name === HP.name ? 'hegui' : e.name === HP.decisionsName ? 'hegui-decisions' : e.name === HP.selectedName ? 'hegui-selected' : PEERS.find((p) => e.name === JSON.parse(execFileSync(process.execPath, [path.join(here, 'cold-node.mjs'), p, 'name'])).name);
  const t = [];
  for (let i = 0; i < TRIALS; i++) t.push(JSON.parse(execFileSync(process.execPath, [path.join(here, 'cold-node.mjs'), key])).ms);
  t.sort((a, b) => a - b);
  result.cold_ms[e.name] = { median: t[Math.floor(t.length / 2)], min: t[0], trials: t.length };
}
result.versions = Object.fromEntries(['json-logic-js', 'json-rules-engine', '@gorules/zen-engine', '@marcbachmann/cel-js'].map((n) => [n, JSON.parse(fs.readFileSync(path.join(here, '..', 'node_modules', n, 'package.json'), 'utf8')).version]));
result.versions['hegui (wasm)'] = JSON.parse(fs.readFileSync(path.join(out, 'hegui-pkg/package.json'), 'utf8')).version;
fs.writeFileSync(path.join(out, 'node.json'), JSON.stringify(result, null, 1));
for (const [k, v] of Object.entries(result.per_eval)) console.log(`node: ${k}: median ${v.median_us.toFixed(1)} µs, p99 ${v.p99_us.toFixed(1)} µs, cold ${result.cold_ms[k]?.median.toFixed(1)} ms`);
process.exit(Object.keys(result.failed).length ? 1 : 0);
