// WASM benchmark in headless Chromium (Debian's, through playwright-core):
//   node wasm/bench/bench-browser.mjs     (after wasm/build.sh and the supervision bundle build)
// Cold start = a fresh page (new browser context, nothing cached: the server sends no-store)
// importing the package, fetching + instantiating the .wasm, fetching + loading the bundle.
// HEGUI_PKG: another package folder inside the repository (default wasm/pkg). HEGUI_INPUT: another
// input document inside the repository (e.g. examples/supervision-undecided.json, a form half
// filled in).
import { relative, resolve } from 'node:path';
import { serve, repoRoot } from '../../tests/browser/server.mjs';
import { launch } from '../../tests/browser/chromium.mjs';
import { loadavg } from 'node:os';
import { medianOf, report } from './common.mjs';

const pkg = '/' + relative(repoRoot, resolve(process.env.HEGUI_PKG || `${repoRoot}/wasm/pkg`));
const inputUrl = '/' + relative(repoRoot, resolve(process.env.HEGUI_INPUT || `${repoRoot}/examples/supervision-full.json`));
const expectComplete = !process.env.HEGUI_INPUT;

const server = await serve();
const browser = await launch();
try {
  const colds = [];
  for (let i = 0; i < 11; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/tests/browser/blank.html`);
    colds.push(await page.evaluate(async (pkg) => {
      const t0 = performance.now();
      const { loadEngine } = await import(`${pkg}/index.js`);
      const engine = await loadEngine('/tests/out/bundles/cn.supervision.json');
      const ms = performance.now() - t0;
      engine.free();
      return ms;
    }, pkg));
    await context.close();
  }
  const page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/blank.html`);
  const r = await page.evaluate(async ([pkgPath, inputPath, expectComplete]) => {
    const pkg = await import(`${pkgPath}/index.js`);
    await pkg.default();
    const { evaluateBench } = await import('/wasm/bench/common.mjs');
    const bundle = await (await fetch('/tests/out/bundles/cn.supervision.json')).text();
    const input = await (await fetch(inputPath)).json();
    return { ...evaluateBench(pkg.Engine, bundle, input, undefined, { expectComplete }), ua: navigator.userAgent };
  }, [pkg, inputUrl, expectComplete]);
  console.log(`chromium ${r.ua.match(/Chrome\/[\d.]+/)} (headless); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(report(r));
  console.log(`cold start (import + fetch + instantiate + fetch/load bundle): median ${medianOf(colds).toFixed(1)} ms (of ${colds.length} fresh pages; first ${colds[0].toFixed(1)} ms)`);
} finally {
  await browser.close();
  server.close();
}
