// Conformance in headless Chromium: the ESM package is loaded from a local static server by a
// plain page (no bundler) and runs the same corpus as run-node.mjs.
//   node tests/conformance/run-browser.mjs [CORPUS]   (after wasm/build.sh and the corpus generator)
// CORPUS: a folder inside the repository, served with it (default tests/out/conformance).
import { serve } from '../browser/server.mjs';
import { launch } from '../browser/chromium.mjs';

const corpus = (process.argv[2] || 'tests/out/conformance').replace(/\/+$/, '');
const server = await serve();
const browser = await launch();
let code = 1;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  await page.goto(`${server.url}/tests/browser/blank.html`);
  const result = await page.evaluate(async (corpus) => {
    const lines = [];
    const started = performance.now();
    const pkg = await import('/wasm/pkg/index.js');
    await pkg.default();
    const { runCorpus } = await import('/tests/conformance/harness.mjs');
    const r = await runCorpus({
      Engine: pkg.Engine,
      readText: async (p) => {
        const res = await fetch(`/${corpus}/${p}`);
        if (!res.ok) throw new Error(`${p}: HTTP ${res.status}`);
        return res.text();
      },
      log: (l) => lines.push(l),
    });
    return { ...r, lines, ms: Math.round(performance.now() - started), ua: navigator.userAgent };
  }, corpus);
  for (const l of result.lines) console.log(l);
  console.log(`conformance (chromium, ${result.ua.match(/Chrome\/[\d.]+/)}): ${result.passed + result.failed} cases in ${result.ms} ms`);
  console.log(`${result.passed} passed, ${result.failed} failed`);
  code = result.failed === 0 ? 0 : 1;
} catch (e) {
  console.log(`conformance (chromium) could not run: ${e.stack || e}`);
  console.log('0 passed, 1 failed');
} finally {
  await browser.close();
  server.close();
}
process.exit(code);
