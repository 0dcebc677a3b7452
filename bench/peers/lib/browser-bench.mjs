// Headless Chromium: the same check and timing as lib/node-bench.mjs, in a page (zen has no
// browser build in @gorules/zen-engine: Node only). Writes out/browser.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const peersDir = path.join(here, '..');
const out = path.join(peersDir, 'out');
const PEERS = { jsonlogic: 'json-logic-js', cel: '@marcbachmann/cel-js', jre: 'json-rules-engine' };
const DECISIONS = 'hegui (wasm, decisions)'; // lib/peer-hegui.mjs decisionsName
const SELECTED = 'hegui (wasm, selected)'; // lib/peer-hegui.mjs selectedName
const srv = await serve(peersDir);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const result = { env: 'chromium', chromium: browser.version(), inputs: 0, engines: {}, failed: {} };
try {
  // --- per-evaluation, all engines in one page
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => console.log('chromium: ' + m.text()));
  await page.goto(`${srv.url}/lib/blank.html`);
  const r = await page.evaluate(async ({ PEERS, rounds }) => {
    const { measure } = await import('/lib/timing.mjs');
    const { answersOf, disagreements } = await import('/lib/check.mjs');
    const docs = await (await fetch('/out/inputs.json')).json();
    const rules = await (await fetch('/out/rules.json')).json();
    const H = await import('/out/hegui-pkg/index.js');
    await H.default();
    const bundles = { supervision: await (await fetch('/out/cn.supervision.json')).text(), healthy: await (await fetch('/out/cn.healthy-enterprise.json')).text() };
    const HP = await import('/lib/peer-hegui.mjs');
    const hegui = HP.load(H, bundles);
    const ref = await answersOf(hegui, false, docs); // the full outcome's answers: the reference for every other row
    const timed = [];
    const failed = {}, agree = [];
    // hegui's selected and decisions-only modes are checked like peers: they must give the full
    // outcome's answers.
    for (const [variantName, detail] of [[HP.selectedName, 'selected'], [HP.decisionsName, 'decisions']]) {
      const variant = HP.load(H, bundles, { detail });
      const d = disagreements(ref, await answersOf(variant, false, docs));
      if (d.count) failed[variantName] = { count: d.count, first: d.first, what: "hegui's full outcome" };
      else { agree.push(variantName); timed.push({ name: variantName, engine: variant, isAsync: false }); }
    }
    timed.push({ name: HP.name, engine: hegui, isAsync: false });
    for (const [p, name] of Object.entries(PEERS)) {
      try {
        const m = await import(`/out/browser/peer-${p}.js`);
        const e = m.load(rules);
        const d = disagreements(ref, await answersOf(e, m.isAsync, docs));
        if (d.count) { failed[name] = { count: d.count, first: d.first }; continue; }
        agree.push(name);
        timed.push({ name, engine: e, isAsync: !!m.isAsync });
      } catch (err) { failed[name] = { error: String(err) }; }
    }
    const per_eval = await measure(timed, docs, { rounds, log: (s) => console.log(s) });
    return { inputs: docs.length, failed, agree, per_eval, isolated: self.crossOriginIsolated };
  }, { PEERS, rounds: Number(process.env.ROUNDS || 3) });
  Object.assign(result, { inputs: r.inputs, per_eval: r.per_eval, cross_origin_isolated: r.isolated });
  result.baseline = r.per_eval[SELECTED] ? SELECTED : r.per_eval[DECISIONS] ? DECISIONS : 'hegui (wasm)';
  for (const n of r.agree) console.log(`chromium: ${n}: ${r.inputs}/${r.inputs} answers agree with hegui${n === DECISIONS || n === SELECTED ? "'s full outcome" : ''}`);
  for (const [n, f] of Object.entries(r.failed)) {
    result.failed[n] = f.error || `${f.count} of ${r.inputs} answers differ from ${f.what || 'hegui'}`;
    console.error(`chromium: ${n}: ${result.failed[n]}`);
    for (const x of f.first || []) console.error(JSON.stringify(x));
  }
  // --- cold start: a new browser context (empty cache) per trial; import + fetch rules + load + first answer
  result.cold_ms = {};
  const TRIALS = Number(process.env.COLD_TRIALS || 5);
  for (const [key, name] of [['hegui-selected', SELECTED], ['hegui-decisions', DECISIONS], ['hegui', 'hegui (wasm)'], ...Object.entries(PEERS)]) {
    if (result.failed[name]) continue;
    const t = [];
    for (let i = 0; i < TRIALS; i++) {
      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      await p.goto(`${srv.url}/lib/blank.html`);
      const doc = JSON.parse(fs.readFileSync(path.join(out, 'inputs.json'), 'utf8'))[0];
      t.push(await p.evaluate(async ({ key, doc }) => {
        const t0 = performance.now();
        let e;
        if (key === 'hegui' || key === 'hegui-decisions' || key === 'hegui-selected') {
          const H = await import('/out/hegui-pkg/index.js');
          const HP = await import('/lib/peer-hegui.mjs');
          const [s, h] = await Promise.all([H.loadEngine('/out/cn.supervision.json'), H.loadEngine('/out/cn.healthy-enterprise.json')]);
          const opts = HP.optionsFor({ hegui: 'full', 'hegui-decisions': 'decisions', 'hegui-selected': 'selected' }[key]);
          e = { evaluate: (d) => (s.evaluate(d, opts.supervision), h.evaluate(d, opts.healthy)) };
        } else {
          const [m, rules] = await Promise.all([import(`/out/browser/peer-${key}.js`), fetch(`/rules/${key}.json`).then((r) => r.json())]);
          e = m.load({ [key]: rules });
        }
        await e.evaluate(doc);
        return performance.now() - t0;
      }, { key, doc }));
      await ctx.close();
    }
    t.sort((a, b) => a - b);
    result.cold_ms[name] = { median: t[Math.floor(t.length / 2)], min: t[0], trials: t.length };
  }
} finally {
  await browser.close();
  srv.close();
}
fs.writeFileSync(path.join(out, 'browser.json'), JSON.stringify(result, null, 1));
for (const [k, v] of Object.entries(result.per_eval || {})) console.log(`chromium: ${k}: median ${v.median_us.toFixed(1)} µs, p99 ${v.p99_us.toFixed(1)} µs, cold ${result.cold_ms[k]?.median.toFixed(1)} ms`);
process.exit(Object.keys(result.failed).length ? 1 : 0);
