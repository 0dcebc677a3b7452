// Writes the `## Peers` section of docs/BENCHMARKS.md (between the peers:begin/end markers) from
// out/{node,browser,native,sizes}.json. Ratios are row ÷ hegui's selected row (the baseline: each
// pack asked for the five answers the peers compute, `decisions: [...]` / `CompiledPack::select`,
// decisions-only): above 1 means hegui is faster (or smaller), below 1 means the peer is. hegui's
// other rows (every decision; the full outcome) get the same ratio, i.e. what the rest of the
// packs and the trace cost on top.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const peers = path.join(here, '..');
const root = path.join(peers, '../..');
const out = path.join(peers, 'out');
const load = (f) => { try { return JSON.parse(fs.readFileSync(path.join(out, f), 'utf8')); } catch { return null; } };
const node = load('node.json'), browser = load('browser.json'), native = load('native.json'), sizes = load('sizes.json'), run = load('run.json') || {};
const lock = (() => { try { return fs.readFileSync(path.join(peers, 'native/Cargo.lock'), 'utf8'); } catch { return ''; } })();
const crate = (n) => (lock.match(new RegExp(`name = "${n}"\\nversion = "([^"]+)"`)) || [])[1] || '?';
const sh = (c) => { try { return execSync(c, { encoding: 'utf8' }).trim(); } catch { return '?'; } };

const us = (x) => (x == null ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (p, h) => (p == null || h == null || !h ? '—' : (p / h >= 10 ? (p / h).toFixed(0) : (p / h).toFixed(2)) + '×');
const kb = (b) => (b >= 10240 ? (b / 1024).toFixed(0) : (b / 1024).toFixed(1)) + ' KiB';

// hegui's three rows in each environment: [selected decisions, every decision, full outcome].
const HEGUI = {
  wasm: ['hegui (wasm, selected)', 'hegui (wasm, decisions)', 'hegui (wasm)'],
  native: ['hegui-core (selected)', 'hegui-core (decisions)', 'hegui-core'],
};
const FULL_LABEL = { 'hegui (wasm)': 'hegui (wasm, full outcome)', 'hegui-core': 'hegui-core (full outcome)' };
// The row the ratios divide by: the first of hegui's rows that was timed.
const baselineOf = (r, hegui) => hegui.find((n) => r?.per_eval?.[n]) ?? hegui[hegui.length - 1];
// Rows in order: hegui's rows, then the peers as timed.
function rows(r, heguiRows) {
  const names = r.order || Object.keys(r.per_eval);
  const hegui = heguiRows.filter((n) => r.per_eval[n]);
  return [...hegui, ...names.filter((n) => !hegui.includes(n) && r.per_eval[n])];
}
const label = (name, base) => (name === base ? `**${name}**` : FULL_LABEL[name] || name);

function timeTable(r, hegui, withCold) {
  if (!r || !r.per_eval) return '_not run_\n';
  const base = baselineOf(r, hegui);
  const h = r.per_eval[base], hc = r.cold_ms?.[base];
  let t = `| engine | median µs | p99 µs | median ÷ hegui | p99 ÷ hegui |${withCold ? ' cold start ms | cold ÷ hegui |' : ''}\n|---|---|---|---|---|${withCold ? '---|---|' : ''}\n`;
  for (const name of rows(r, hegui)) {
    const s = r.per_eval[name], c = r.cold_ms?.[name], self = name === base;
    t += `| ${label(name, base)} | ${us(s.median_us)} | ${us(s.p99_us)} | ${self ? '1' : ratio(s.median_us, h.median_us)} | ${self ? '1' : ratio(s.p99_us, h.p99_us)} |`;
    if (withCold) t += ` ${c ? c.median.toFixed(1) : '—'} | ${self ? '1' : ratio(c?.median, hc?.median)} |`;
    t += '\n';
  }
  for (const [name, why] of Object.entries(r.failed || {})) t += `| ${name} | not timed: ${why} | | | |${withCold ? ' | |' : ''}\n`;
  return t;
}

function nativeTable(r) {
  if (!r || !r.per_eval) return '_not run_\n';
  const base = baselineOf(r, HEGUI.native);
  const h = r.per_eval[base], hc = r.criterion?.[base];
  let t = '| engine | median µs | p99 µs | criterion mean µs | median ÷ hegui | p99 ÷ hegui | criterion ÷ hegui | load + compile ms |\n|---|---|---|---|---|---|---|---|\n';
  for (const name of rows(r, HEGUI.native)) {
    const s = r.per_eval[name], c = r.criterion?.[name], self = name === base;
    t += `| ${label(name, base)} | ${us(s.median_us)} | ${us(s.p99_us)} | ${us(c?.mean_us)} | ${self ? '1' : ratio(s.median_us, h.median_us)} | ${self ? '1' : ratio(s.p99_us, h.p99_us)} | ${self ? '1' : ratio(c?.mean_us, hc?.mean_us)} | ${r.load_ms?.[name]?.toFixed(1) ?? '—'} |\n`;
  }
  for (const [name, why] of Object.entries(r.failed || {})) t += `| ${name} | not timed: ${why} | | | | | | |\n`;
  return t;
}

// "one hegui row ÷ another" per environment (median), for the text above the tables.
function cost(r, hegui, above, below) {
  const d = r?.per_eval?.[hegui[below]], f = r?.per_eval?.[hegui[above]];
  return d && f ? ratio(f.median_us, d.median_us) : null;
}
const costsOf = (above, below) => [['in Chromium', cost(browser, HEGUI.wasm, above, below)], ['in Node', cost(node, HEGUI.wasm, above, below)], ['natively', cost(native, HEGUI.native, above, below)]].filter(([, c]) => c);
const costs = costsOf(2, 1), packCosts = costsOf(1, 0);
const failures = [['Chromium', browser], ['Node', node], ['native', native]].flatMap(([env, r]) => Object.entries(r?.failed || {}).map(([n, why]) => `${n} in ${env} (${why})`));
const baselineNote = [['Chromium', browser, HEGUI.wasm], ['Node', node, HEGUI.wasm], ['native', native, HEGUI.native]]
  .filter(([, r, h]) => r?.per_eval && baselineOf(r, h) !== h[0]).map(([env, r, h]) => `${env} (${baselineOf(r, h)})`);

function sizeTable(s, key) {
  if (!s) return '_not run_\n';
  const h = s[key]['hegui (wasm)'].gzip;
  let t = '| engine | gzip bytes | ÷ hegui | raw bytes | what |\n|---|---|---|---|---|\n';
  for (const [name, v] of Object.entries(s[key])) t += `| ${name === 'hegui (wasm)' ? `**${name}**` : name}${v.version ? ` ${v.version}` : ''} | ${v.gzip.toLocaleString('en')} (${kb(v.gzip)}) | ${name === 'hegui (wasm)' ? '1' : ratio(v.gzip, h)} | ${v.raw.toLocaleString('en')} | ${v.what}${v.wasm_gzip ? `; .wasm alone ${v.wasm_gzip.toLocaleString('en')} gzipped` : ''} |\n`;
  return t;
}

const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) || [])[1] || '?';
const versions = node?.versions || {};
const md = `<!-- peers:begin (generated by bench/peers/run.sh: do not edit by hand) -->
## Peers

The same decisions encoded in each peer, checked and timed in one run: \`bash bench/peers/run.sh\`
(how each peer encodes them, and what is and is not compared: [bench/peers/README.md](../bench/peers/README.md)).
Decisions: cn.supervision's hazard grade, management grade, class and supervision policy, and
cn.healthy-enterprise's eligibility (BC1–BC4, 3-year window). Tables are generated from the
pack's own CSV files. Inputs: ${node?.inputs ?? '?'} generated employers (seed 20260701), **complete inputs only** (every factor
states \`serious\`; no peer here can express hegui's "pending" without hand-written missing-field logic).
${failures.length ? `**Not timed** (answers differ from hegui's, or the engine failed): ${failures.join('; ')}. Every other engine gave the same answers as hegui on every input.` : 'Every timed engine gave the same answers as hegui on every input, in each environment.'}

hegui has **three rows** in each table, all on the two real packs as shipped (one bundle each):
- **selected** (\`engine.evaluate(input, { detail: 'decisions', decisions: [...] })\` in WASM,
  \`CompiledPack::select\` and \`evaluate_selected\` natively; docs/engine.md, "Selected
  decisions"): each pack is asked for the peers' five answers (cn.supervision: hazard grade,
  management grade, class, policy; cn.healthy-enterprise: eligible), so only the rules those
  decisions need run (9 of cn.supervision's 15 rules, 6 of cn.healthy-enterprise's 22), and the
  outcome holds the decisions, \`complete\`, \`missing\` and \`errors\`. This is the peers' job (the
  same five answers, no trace), so it is the **baseline: every ratio divides by this row**.
- **every decision** (\`{ detail: 'decisions' }\`, \`Detail::Decisions\`): every rule of both packs
  runs (the industry-risk catalogue, the credit-code check, the healthy-enterprise scoring items:
  work the peers do not do); the same kind of outcome. Its ratio is what the rest of the packs cost${packCosts.length ? ` (median: ${packCosts.map(([e, c]) => `${c} ${e}`).join(', ')})` : ''}.
- **full outcome** (the default): every rule, and the bilingual (zh/en) trace of each, with bases,
  and the notes for each field. Its cost on top of every decision: ${costs.length ? costs.map(([e, c]) => `${c} ${e}`).join(', ') : '—'} (median).

The selected and every-decision rows are checked like a peer: their answers must equal the full
outcome's on every input, or they are not timed.${baselineNote.length ? ` Where the selected row was not timed, the ratios divide by the next hegui row: ${baselineNote.join(', ')}.` : ''}

Ratios are **row ÷ hegui selected**: above 1 hegui is faster or smaller, below 1 the peer is.
Per-evaluation figures: each input's time is the mean of back-to-back repetitions, the fastest of
${node?.per_eval ? Object.values(node.per_eval)[0].rounds : 3} rounds; median and p99 are over the inputs. Cold start: from before importing the
engine to the first answer (fresh process / fresh browser context, median of ${node?.cold_ms ? Object.values(node.cold_ms)[0].trials : 5}).

Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; load average at the start ${run.load_start ?? '?'}, at the end ${run.load_end ?? '?'} (shared with other builds: timings are noisy). ${run.date ?? ''}
Full run: ${run.seconds ? `${Math.round(run.seconds)} s` : '?'} (\`bash bench/peers/run.sh\`, ${run.wasm_built ? 'including \`wasm/build.sh\`; cargo builds already cached' : 'reusing wasm/pkg; builds already cached'}).

### In the browser (headless Chromium ${browser?.chromium ?? '?'}, cross-origin isolated: ${browser?.cross_origin_isolated ?? '?'})

${timeTable(browser, HEGUI.wasm, true)}
@gorules/zen-engine: not in the browser table: the npm package's browser entry needs the separate
\`@gorules/zen-engine-wasm32-wasi\` build (napi-rs WASI, threads); only its size is measured below.

### In Node ${node?.node ?? '?'}

${timeTable(node, HEGUI.wasm, true)}
### Native (Rust, criterion and a per-input pass in one process: \`bench/peers/native\`)

${nativeTable(native)}
### Bytes shipped to a browser (gzip -9)

Engines (one hegui package serves its three rows above; \`detail\` and \`decisions\` are evaluate options):

${sizeTable(sizes, 'engines')}
Rules for this job:

${sizeTable(sizes, 'rules')}
### Versions

${Object.entries(versions).map(([k, v]) => `- ${k} ${v}`).join('\n')}
- zen-engine (crate) ${crate('zen-engine')}, datalogic-rs ${crate('datalogic-rs')} (the last release that builds with this rustc; 5.9 needs rustc 1.98), hegui-core (this repository)
- ${sh('rustc --version')}, Node ${process.version}, Chromium ${browser?.chromium ?? '?'}, esbuild ${JSON.parse(fs.readFileSync(path.join(peers, 'node_modules/esbuild/package.json'), 'utf8')).version}

${run.notes ? run.notes + '\n' : ''}<!-- peers:end -->`;

const docPath = path.join(root, 'docs/BENCHMARKS.md');
let doc = fs.readFileSync(docPath, 'utf8');
const re = /<!-- peers:begin[\s\S]*?<!-- peers:end -->/;
doc = re.test(doc) ? doc.replace(re, md) : doc.replace(/\s*$/, '\n\n' + md + '\n');
fs.writeFileSync(docPath, doc);
console.log('report: docs/BENCHMARKS.md ## Peers regenerated');
