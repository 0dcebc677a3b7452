// Generates the shared inputs, writes each peer's rules, bundles the browser builds and measures
// the bytes each engine ships. Usage: node lib/prepare.mjs [N]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { generate } from './gen.mjs';
import { encodeAll } from './encode.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const peers = path.join(here, '..');
const root = path.join(peers, '../..');
const out = path.join(peers, 'out');
const N = Number(process.argv[2] || 1000);

const docs = generate(N);
fs.writeFileSync(path.join(out, 'inputs.json'), JSON.stringify(docs));
const rules = encodeAll(path.join(root, 'rules/cn/supervision'));
fs.mkdirSync(path.join(peers, 'rules'), { recursive: true });
for (const [k, v] of Object.entries(rules)) fs.writeFileSync(path.join(peers, 'rules', `${k}.json`), JSON.stringify(v, null, 1) + '\n');
fs.writeFileSync(path.join(out, 'rules.json'), JSON.stringify(rules));
console.log(`prepare: ${N} inputs, rules for ${Object.keys(rules).join(', ')}`);

// Browser builds of the adapters (engine + adapter, minified ESM), loaded by the Chromium pages.
fs.mkdirSync(path.join(out, 'browser'), { recursive: true });
for (const p of ['jsonlogic', 'cel', 'jre']) {
  await esbuild.build({ entryPoints: [path.join(here, `peer-${p}.mjs`)], bundle: true, minify: true, format: 'esm', platform: 'browser', outfile: path.join(out, 'browser', `peer-${p}.js`), logLevel: 'warning' });
}

// Bytes shipped to a browser, gzip -9. Engines alone (the library, minified ESM as a bundler would
// ship it, everything it imports), and the rules each engine loads for this job.
const gz = (buf) => zlib.gzipSync(buf, { level: 9 }).length;
const sizes = { engines: {}, rules: {} };
async function libSize(name, entry) {
  const r = await esbuild.build({ stdin: { contents: entry, resolveDir: peers, loader: 'js' }, bundle: true, minify: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
  const buf = Buffer.from(r.outputFiles[0].contents);
  sizes.engines[name] = { raw: buf.length, gzip: gz(buf), what: 'esbuild --bundle --minify (ESM)' };
}
await libSize('json-logic-js', "import j from 'json-logic-js'; export default j;");
await libSize('json-rules-engine', "export { Engine } from 'json-rules-engine';");
await libSize('@marcbachmann/cel-js', "export { parse, evaluate } from '@marcbachmann/cel-js';");
// hegui: the files of the npm package a page loads (index.js imports the glue and bindForm).
const pkg = path.join(out, 'hegui-pkg');
const files = ['hegui_wasm_bg.wasm', 'hegui_wasm.js', 'index.js', 'bind-form.js'].filter((f) => fs.existsSync(path.join(pkg, f)));
const read = (f) => fs.readFileSync(path.join(pkg, f));
sizes.engines['hegui (wasm)'] = { raw: files.reduce((a, f) => a + read(f).length, 0), gzip: files.reduce((a, f) => a + gz(read(f)), 0), wasm_gzip: gz(read('hegui_wasm_bg.wasm')), what: files.join(' + ') + ' (as shipped, not re-minified)' };
// zen: no browser build of @gorules/zen-engine itself; its wasm32-wasi package (napi-rs) if fetched by run.sh.
const zenDir = path.join(out, 'zen-wasi', 'package');
if (fs.existsSync(zenDir)) {
  const zf = fs.readdirSync(zenDir).filter((f) => f.endsWith('.wasm') || f.includes('browser')); // the browser entry, its worker and the module
  const rd = (f) => fs.readFileSync(path.join(zenDir, f));
  const wasm = zf.filter((f) => f.endsWith('.wasm'));
  const version = JSON.parse(fs.readFileSync(path.join(zenDir, 'package.json'), 'utf8')).version;
  sizes.engines['@gorules/zen-engine-wasm32-wasi'] = { raw: zf.reduce((a, f) => a + rd(f).length, 0), gzip: zf.reduce((a, f) => a + gz(rd(f)), 0), wasm_gzip: wasm.reduce((a, f) => a + gz(rd(f)), 0), version, what: zf.join(' + ') + ' (not counting @napi-rs/wasm-runtime)' };
}
const rb = (o) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o));
const bundle = (f) => fs.readFileSync(path.join(out, f));
sizes.rules['hegui (wasm)'] = { raw: bundle('cn.supervision.json').length + bundle('cn.healthy-enterprise.json').length, gzip: gz(bundle('cn.supervision.json')) + gz(bundle('cn.healthy-enterprise.json')), what: 'pack bundles cn.supervision + cn.healthy-enterprise (every rule, message zh/en, basis, reference lists)' };
sizes.rules['json-logic-js'] = { raw: rb(rules.jsonlogic).length, gzip: gz(rb(rules.jsonlogic)), what: 'rules/jsonlogic.json' };
sizes.rules['json-rules-engine'] = { raw: rb(rules.jre).length, gzip: gz(rb(rules.jre)), what: 'rules/jre.json' };
sizes.rules['@marcbachmann/cel-js'] = { raw: rb(rules.cel).length, gzip: gz(rb(rules.cel)), what: 'rules/cel.json' };
sizes.rules['@gorules/zen-engine'] = { raw: rb(rules.zen).length, gzip: gz(rb(rules.zen)), what: 'rules/zen.json (JDM)' };
fs.writeFileSync(path.join(out, 'sizes.json'), JSON.stringify(sizes, null, 1));
console.log('prepare: sizes', JSON.stringify(Object.fromEntries(Object.entries(sizes.engines).map(([k, v]) => [k, v.gzip]))));
