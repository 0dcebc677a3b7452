// WASM benchmark in Node:  node wasm/bench/bench-node.mjs   (after wasm/build.sh and
// `hegui pack build rules/cn/supervision -o tests/out/bundles/cn.supervision.json`)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluateBench, medianOf } from './common.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const pkg = resolve(process.env.HEGUI_PKG || join(root, 'wasm/pkg'));
const bundlePath = join(root, 'tests/out/bundles/cn.supervision.json');
const input = JSON.parse(readFileSync(join(root, 'examples/supervision-full.json'), 'utf8'));
const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);

// Cold start: read + compile + instantiate the module, read + load the bundle, measured in a
// fresh process each time (median of 7).
if (process.argv[2] === '--cold-once') {
  const t0 = performance.now();
  initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });
  const engine = Engine.fromBundle(readFileSync(bundlePath));
  const ms = performance.now() - t0;
  engine.evaluate(input);
  console.log(ms);
  process.exit(0);
}
const { execFileSync } = await import('node:child_process');
const colds = [];
for (let i = 0; i < 7; i++) {
  colds.push(Number(execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--cold-once']).toString()));
}
initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });
const r = evaluateBench(Engine, readFileSync(bundlePath, 'utf8'), input);
console.log(`node ${process.version}`);
console.log(`evaluate (object in, object out): median ${r.evaluate.toFixed(1)} µs`);
console.log(`evaluateJson (text in, text out): median ${r.evaluateJson.toFixed(1)} µs`);
console.log(`evaluate, lang zh:                median ${r.evaluateZh.toFixed(1)} µs`);
console.log(`evaluate, detail decisions:       median ${r.evaluateDecisions.toFixed(1)} µs`);
console.log(`Engine.fromBundle (parse, digest, compile): median ${(r.fromBundle / 1000).toFixed(2)} ms`);
console.log(`cold start (read + compile + instantiate + load bundle): median ${medianOf(colds).toFixed(1)} ms (of ${colds.length} fresh processes)`);
