// Conformance in Node: node tests/conformance/run-node.mjs [PKG_DIR] [CORPUS_DIR]
// Defaults: wasm/pkg and tests/out/conformance (from the repository root).
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCorpus } from './harness.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const pkg = resolve(process.argv[2] || join(root, 'wasm/pkg'));
const corpus = resolve(process.argv[3] || join(root, 'tests/out/conformance'));
const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);
initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });

const started = performance.now();
const { passed, failed } = await runCorpus({
  Engine,
  readText: async (p) => readFileSync(join(corpus, p), 'utf8'),
});
console.log(`conformance (node): ${passed + failed} cases in ${Math.round(performance.now() - started)} ms`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
