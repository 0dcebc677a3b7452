// What crossing into the module and back costs on its own, whatever the engine does inside:
// the JS steps of one `engine.evaluate(input, options)`, for the five decisions bench/peers asks
// cn.supervision for and for the full outcome, timed apart from the evaluation
// (docs/BENCHMARKS.md, "WASM").
//   node wasm/bench/boundary.mjs [PKG_DIR]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { timeMicros } from './common.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const pkg = resolve(process.argv[2] || join(root, 'wasm/pkg'));
const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);
initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });
const engine = Engine.fromBundle(readFileSync(join(root, 'tests/out/bundles/cn.supervision.json'), 'utf8'));
const input = JSON.parse(readFileSync(join(root, 'examples/supervision-full.json'), 'utf8'));
const selected = {
  detail: 'decisions',
  decisions: ['risk.hazard_grade', 'risk.management_grade', 'risk.class', 'supervision.policy'],
};
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const buffer = new Uint8Array(1 << 16);
const inputText = JSON.stringify(input);
console.log(`node ${process.version}; input ${JSON.stringify(input).length} chars`);
for (const [label, options] of [['five selected decisions', selected], ['full outcome', undefined]]) {
  const outcomeText = JSON.stringify(engine.evaluate(input, options));
  const outcomeBytes = encoder.encode(outcomeText);
  console.log(`-- ${label}: outcome ${outcomeText.length} chars, ${outcomeBytes.length} bytes`);
  const steps = [
    ['JSON.stringify(input)', () => JSON.stringify(input)],
    ['input text into module memory (encodeInto)', () => encoder.encodeInto(inputText, buffer)],
    ['outcome text out of module memory (decode)', () => decoder.decode(outcomeBytes)],
    ['JSON.parse(outcome text)', () => JSON.parse(outcomeText)],
    ['the four steps together', () => {
      encoder.encodeInto(JSON.stringify(input), buffer);
      return JSON.parse(decoder.decode(outcomeBytes));
    }],
    ['engine.evaluate(input, options)', () => engine.evaluate(input, options)],
  ];
  for (const [name, fn] of steps) {
    console.log(`${name.padEnd(45)} median ${timeMicros(fn, { batches: 30 }).wall.toFixed(2)} µs`);
  }
}
