// What a portal's returning visitor gets: the same cold start as bench-browser.mjs, but served
// with HTTP caching (`Cache-Control: max-age=3600`), first in a fresh browser context (nothing
// cached), then again in the same context: the HTTP cache has the files, and Chromium keeps the
// compiled WebAssembly code next to the cached .wasm once enough of it has been optimised.
//   node wasm/bench/second-visit.mjs          (HEGUI_PKG: another package inside the repository)
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, relative, resolve, sep } from 'node:path';
import { loadavg } from 'node:os';
import { repoRoot } from '../../tests/browser/server.mjs';
import { launch } from '../../tests/browser/chromium.mjs';
import { medianOf } from './common.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json; charset=utf-8', '.wasm': 'application/wasm' };
const pkg = '/' + relative(repoRoot, resolve(process.env.HEGUI_PKG || `${repoRoot}/wasm/pkg`));
const server = createServer((req, res) => {
  const file = normalize(join(repoRoot, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
  if (!file.startsWith(repoRoot + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream', 'cache-control': 'max-age=3600' });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
const visit = async (context) => {
  const page = await context.newPage();
  await page.goto(`${url}/tests/browser/blank.html`);
  const ms = await page.evaluate(async (pkg) => {
    const t0 = performance.now();
    const { loadEngine } = await import(`${pkg}/index.js`);
    const engine = await loadEngine('/tests/out/bundles/cn.supervision.json');
    const ms = performance.now() - t0;
    // A visitor keeps typing: evaluations tier the module up, which is when the code is cached.
    const input = await (await fetch('/examples/supervision-full.json')).json();
    const until = performance.now() + 3000;
    while (performance.now() < until) engine.evaluate(input);
    return ms;
  }, pkg);
  await page.close();
  return ms;
};
const rows = [];
try {
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const first = await visit(context);
    await new Promise((ok) => setTimeout(ok, 1000));
    const second = await visit(context);
    const third = await visit(context);
    rows.push([first, second, third]);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const col = (j) => medianOf(rows.map((r) => r[j])).toFixed(1);
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`cold start, first visit (nothing cached): median ${col(0)} ms`);
console.log(`cold start, second visit (HTTP cache):     median ${col(1)} ms`);
console.log(`cold start, third visit:                   median ${col(2)} ms   (of ${rows.length} fresh contexts)`);
