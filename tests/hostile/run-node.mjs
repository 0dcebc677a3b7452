// The hostile corpora in WASM (Node): node tests/hostile/run-node.mjs [PKG_DIR]
//
// Reads tests/hostile/cases.json, the same manifest the native test
// (core/tests/hostile_corpus.rs) checks, and the bundles that test writes to
// tests/out/hostile/ (run it first: scripts/test.d/50-hostile.sh does). Every case must give
// the manifest's code: hostile packs are refused by Engine.fromBundle (a HeguiError with that
// code) or stopped within their budget (errors in the outcome); hostile inputs get exactly the
// manifest's outcome errors. Then the signed-bundle cases (signatures.json, written by
// core/tests/hostile_signature.rs). Prints `N passed, N failed`.
import { readFileSync, existsSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(new URL('../..', import.meta.url).pathname);
const pkg = resolve(process.argv[2] || join(root, 'wasm/pkg'));
const out = join(root, 'tests/out/hostile');
const manifest = JSON.parse(readFileSync(join(root, 'tests/hostile/cases.json'), 'utf8'));
const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);
initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });

let passed = 0;
let failed = 0;
const check = (name, ok, detail, ms) => {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${name}: ${detail}`);
  }
  if (ms !== undefined && ms > 2000) console.log(`slow ${name}: ${Math.round(ms)} ms`);
};

// An outcome's errors as the native test writes them: code@path, code@rule or code.
const errorKeys = (outcome) =>
  outcome.errors.map((e) => {
    const at = e.path ?? e.rule;
    return at ? `${e.code}@${at}` : e.code;
  });
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const within = (name, started, seconds) => {
  const ms = performance.now() - started;
  if (ms > seconds * 1000) {
    check(name, false, `took ${Math.round(ms)} ms, bound ${seconds} s`);
  }
  return ms;
};

// The same generator as tests/hostile/corpus.rs: each [text, times], concatenated.
const inputText = (c) =>
  c.file
    ? readFileSync(join(root, 'tests/hostile/inputs', c.file), 'utf8')
    : c.parts.map(([s, n]) => s.repeat(n)).join('');

for (const c of manifest.packs) {
  const file = join(out, 'packs', `${c.name}.json`);
  if (!existsSync(file)) {
    check(`pack ${c.name}`, false, `${file} missing: run cargo test -p hegui-core --test hostile_corpus`);
    continue;
  }
  const started = performance.now();
  let engine;
  let got;
  try {
    engine = Engine.fromBundle(readFileSync(file, 'utf8'));
  } catch (e) {
    got = e.name === 'HeguiError' ? `load ${e.code}` : `threw ${e}`;
  }
  if (engine) {
    const outcome = JSON.parse(engine.evaluateJson(JSON.stringify(c.expect.input ?? null), {}));
    const problems = Object.entries(c.expect.decisions ?? {})
      .filter(([k, v]) => !same(outcome.decisions[k]?.value, v))
      .map(([k, v]) => `decision ${k}: ${JSON.stringify(outcome.decisions[k]?.value)}, want ${JSON.stringify(v)}`);
    got = `errors ${JSON.stringify(errorKeys(outcome))} ${problems.join('; ')}`;
    engine.free();
  }
  const want = c.expect.load ? `load ${c.expect.load}` : `errors ${JSON.stringify(c.expect.errors ?? [])} `;
  const ms = within(`pack ${c.name}`, started, c.max_seconds ?? 10);
  check(`pack ${c.name}`, got === want, `got \`${got}\`, want \`${want}\``, ms);
}

const inputPack = join(out, 'input-pack.json');
if (!existsSync(inputPack)) {
  check('inputs', false, `${inputPack} missing: run cargo test -p hegui-core --test hostile_corpus`);
} else {
  const engine = Engine.fromBundle(readFileSync(inputPack, 'utf8'));
  for (const c of manifest.inputs) {
    const text = inputText(c);
    const started = performance.now();
    let got;
    try {
      got = errorKeys(JSON.parse(engine.evaluateJson(text, {})));
    } catch (e) {
      got = [`threw ${e.name} ${e.code ?? e.message}`];
    }
    const ms = within(`input ${c.name}`, started, c.max_seconds ?? 10);
    check(`input ${c.name}`, same(got, c.errors), `got ${JSON.stringify(got)}, want ${JSON.stringify(c.errors)}`, ms);
  }
  // The server still answers after all of them is checked natively (cli/tests/hostile_serve.rs);
  // here: the engine still evaluates an honest document after the hostile ones.
  const honest = JSON.parse(engine.evaluateJson(readFileSync(join(root, 'examples/supervision-full.json'), 'utf8'), {}));
  check('input honest-after-hostile', honest.errors.length === 0, JSON.stringify(honest.errors));
}

// Signed bundles (written by core/tests/hostile_signature.rs): Engine.fromBundle(bundle,
// {trustedKeys}) must refuse every tampered one with the native code.
const sigFile = join(out, 'signatures.json');
if (existsSync(sigFile)) {
  const sig = JSON.parse(readFileSync(sigFile, 'utf8'));
  for (const c of sig.cases) {
    let got = 'ok';
    try {
      const keys = c.trusted_keys && c.trusted_keys_bytes ? c.trusted_keys.map((h) => Uint8Array.from(Buffer.from(h, 'hex'))) : c.trusted_keys;
      Engine.fromBundle(c.bundle, c.trusted_keys === null ? undefined : { trustedKeys: keys }).free();
    } catch (e) {
      got = e.name === 'HeguiError' ? e.code : `threw ${e}`;
    }
    check(`signature ${c.name}`, got === c.expect, `got ${got}, want ${c.expect}`);
  }
} else {
  check('signatures', false, `${sigFile} missing: run cargo test -p hegui-core --test hostile_signature`);
}

console.log(`hostile (wasm, node): ${manifest.packs.length} packs, ${manifest.inputs.length} inputs`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
