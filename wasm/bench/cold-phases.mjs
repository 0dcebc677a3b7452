// Where a cold start goes in a fresh Chromium page (headless Debian Chromium, playwright-core):
//   node wasm/bench/cold-phases.mjs [PKG_DIR ...]   (default wasm/pkg; folders inside the repository)
// Every page is a new browser context with nothing cached (the server sends no-store). Per
// package, pages alternate between
// - `loadEngine`: import index.js + loadEngine(bundle URL), the cold start of bench-browser.mjs;
// - the same in a page whose <head> has preload links for the glue, the .wasm and the bundle;
// - the same steps one after the other, timed apart: import, fetch the .wasm (headers), compile
//   it (WebAssembly.compileStreaming: the body streams into the compiler), instantiate, fetch the
//   bundle as text, the first Engine.fromBundle, a second one. A package built with
//   `HEGUI_WASM_FEATURES=profile` (never shipped) also splits the first load into its phases.
// With several packages, their pages interleave, so a busy machine slows them alike.
import { relative, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { serve, repoRoot } from '../../tests/browser/server.mjs';
import { launch } from '../../tests/browser/chromium.mjs';
import { medianOf } from './common.mjs';

const pkgs = (process.argv.length > 2 ? process.argv.slice(2) : [`${repoRoot}/wasm/pkg`]).map(
  (dir) => '/' + relative(repoRoot, resolve(dir)),
);
const pages = Number(process.env.PAGES || 11);
const bundleUrl = '/tests/out/bundles/cn.supervision.json';

async function phases(pkg) {
  const r = {};
  let t = performance.now();
  const t0 = t;
  const lap = (name) => {
    const n = performance.now();
    r[name] = n - t;
    t = n;
  };
  const m = await import(`${pkg}/index.js`);
  lap('import index.js');
  const resp = await fetch(`${pkg}/hegui_wasm_bg.wasm`);
  r['  (wasm content-type)'] = resp.headers.get('content-type') === 'application/wasm' ? 1 : 0;
  lap('fetch .wasm (headers)');
  const module = await WebAssembly.compileStreaming(resp);
  lap('fetch + compile .wasm');
  await m.default({ module_or_path: module });
  lap('instantiate');
  const text = await (await fetch(BUNDLE)).text();
  lap('fetch bundle (text)');
  const profile = (await import(`${pkg}/hegui_wasm.js`)).profileLoad;
  if (profile) {
    const p = profile(text);
    ['parse (serde_json)', 'pack -> JSON value', 'canonical text', 'SHA-256', 'compile (digest given)'].forEach((k, j) => {
      r[`  profiled: ${k}`] = p[j + 1];
    });
    lap('  profiled load, total');
  } else {
    m.Engine.fromBundle(text).free();
    lap('first fromBundle');
  }
  m.Engine.fromBundle(text).free();
  lap('second fromBundle');
  r['sum of the steps'] = t - t0;
  return r;
}

async function loadEngineOnly(pkg) {
  const t0 = performance.now();
  const { loadEngine } = await import(`${pkg}/index.js`);
  const engine = await loadEngine(BUNDLE);
  const ms = performance.now() - t0;
  engine.free();
  return { 'loadEngine (cold start)': ms };
}

// What a portal can add to its page's <head>: the .wasm and the bundle then download while the
// JavaScript modules load (`crossorigin`: fetch() asks in CORS mode, and a preload is only
// reused by a request of the same mode).
async function loadEngineWithPreloads(pkg) {
  const t0 = performance.now();
  for (const [href, as] of [[`${pkg}/hegui_wasm.js`, 'modulepreload'], [`${pkg}/hegui_wasm_bg.wasm`, 'fetch'], [BUNDLE, 'fetch']]) {
    const link = document.createElement('link');
    if (as === 'modulepreload') link.rel = 'modulepreload';
    else Object.assign(link, { rel: 'preload', as, crossOrigin: 'anonymous' });
    link.href = href;
    document.head.append(link);
  }
  const { loadEngine } = await import(`${pkg}/index.js`);
  const engine = await loadEngine(BUNDLE);
  const ms = performance.now() - t0;
  engine.free();
  return { 'loadEngine, page with preload links': ms };
}

const server = await serve();
const browser = await launch();
const rows = new Map(pkgs.map((p) => [p, []]));
const load0 = loadavg();
try {
  for (let i = 0; i < pages; i++) {
    for (const fn of [loadEngineOnly, loadEngineWithPreloads, phases]) {
      for (const pkg of pkgs) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${server.url}/tests/browser/blank.html`);
        const src = `(${fn.toString().replaceAll('BUNDLE', JSON.stringify(bundleUrl))})(${JSON.stringify(pkg)})`;
        const r = await page.evaluate(src);
        const prev = rows.get(pkg)[i] || {};
        rows.get(pkg)[i] = { ...prev, ...r };
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
const fmt = (xs) => xs.map((x) => x.toFixed(1));
console.log(`load average before ${fmt(load0).join(' ')}, after ${fmt(loadavg()).join(' ')}; ${pages} pages per row`);
const keys = [...new Set(pkgs.flatMap((p) => Object.keys(rows.get(p)[0])))];
console.log(['median ms'.padEnd(34), ...pkgs.map((p) => p.padStart(22))].join(''));
for (const k of keys) {
  console.log([k.padEnd(34), ...pkgs.map((p) => {
    const xs = rows.get(p).map((r) => r[k]).filter((x) => x !== undefined);
    return (xs.length ? medianOf(xs).toFixed(1) : '-').padStart(22);
  })].join(''));
}
