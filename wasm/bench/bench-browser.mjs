// WASM benchmark in headless Chromium (Debian's, through playwright-core):
//   node wasm/bench/bench-browser.mjs     (after wasm/build.sh and the supervision bundle build)
// Cold start = a fresh page (new browser context, nothing cached: the server sends no-store)
// importing the package, fetching + instantiating the .wasm, fetching + loading the bundle.
import { serve } from '../../tests/browser/server.mjs';
import { launch } from '../../tests/browser/chromium.mjs';
import { medianOf } from './common.mjs';

const server = await serve();
const browser = await launch();
try {
  const colds = [];
  for (let i = 0; i < 7; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/tests/browser/blank.html`);
    colds.push(await page.evaluate(async () => {
      const t0 = performance.now();
      const { loadEngine } = await import('/wasm/pkg/index.js');
      const engine = await loadEngine('/tests/out/bundles/cn.supervision.json');
      const ms = performance.now() - t0;
      engine.free();
      return ms;
    }));
    await context.close();
  }
  const page = await browser.newPage();
  await page.goto(`${server.url}/tests/browser/blank.html`);
  const r = await page.evaluate(async () => {
    const pkg = await import('/wasm/pkg/index.js');
    await pkg.default();
    const { evaluateBench } = await import('/wasm/bench/common.mjs');
    const bundle = await (await fetch('/tests/out/bundles/cn.supervision.json')).text();
    const input = await (await fetch('/examples/supervision-full.json')).json();
    return { ...evaluateBench(pkg.Engine, bundle, input), ua: navigator.userAgent };
  });
  console.log(`chromium ${r.ua.match(/Chrome\/[\d.]+/)} (headless)`);
  console.log(`evaluate (object in, object out): median ${r.evaluate.toFixed(1)} µs`);
  console.log(`evaluateJson (text in, text out): median ${r.evaluateJson.toFixed(1)} µs`);
  console.log(`evaluate, lang zh:                median ${r.evaluateZh.toFixed(1)} µs`);
  console.log(`evaluate, detail decisions:       median ${r.evaluateDecisions.toFixed(1)} µs`);
  console.log(`Engine.fromBundle (parse, digest, compile): median ${(r.fromBundle / 1000).toFixed(2)} ms`);
  console.log(`cold start (import + fetch + instantiate + fetch/load bundle): median ${medianOf(colds).toFixed(1)} ms (of ${colds.length} fresh pages; first ${colds[0].toFixed(1)} ms)`);
} finally {
  await browser.close();
  server.close();
}
