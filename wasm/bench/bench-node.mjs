// WASM benchmark in Node:  node wasm/bench/bench-node.mjs   (after wasm/build.sh and
// `hegui pack build rules/cn/supervision -o tests/out/bundles/cn.supervision.json`)
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { evaluateBench, medianOf, report } from './common.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const pkg = resolve(process.env.HEGUI_PKG || join(root, 'wasm/pkg'));
const bundlePath = join(root, 'tests/out/bundles/cn.supervision.json');
// HEGUI_INPUT: another input document (e.g. examples/supervision-undecided.json, a form half
// filled in).
const inputPath = resolve(process.env.HEGUI_INPUT || join(root, 'examples/supervision-full.json'));
const input = JSON.parse(readFileSync(inputPath, 'utf8'));
const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);

// Cold start: read + compile + instantiate the module, read + load the bundle, measured in a
// fresh process each time (median of 11).
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
for (let i = 0; i < 11; i++) {
  colds.push(Number(execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--cold-once']).toString()));
}
initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });
const cpuClock = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const r = evaluateBench(Engine, readFileSync(bundlePath, 'utf8'), input, cpuClock, {
  expectComplete: !process.env.HEGUI_INPUT,
});
console.log(`node ${process.version}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(report(r));
console.log(`cold start (read + compile + instantiate + load bundle): median ${medianOf(colds).toFixed(1)} ms (of ${colds.length} fresh processes)`);
