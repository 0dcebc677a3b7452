// One cold start in a fresh Node process: import the engine, load its rules, first evaluation.
// Reading the files from disk is included; printing the result is not.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const t0 = performance.now();
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'out');
const which = process.argv[2];
const doc = JSON.parse(fs.readFileSync(path.join(out, 'inputs.json'), 'utf8'))[0];
const t1 = performance.now(); // the input is not part of the cold start
let engine, name;
if (which === 'hegui' || which === 'hegui-decisions' || which === 'hegui-selected') {
  const H = await import(path.join(out, 'hegui-pkg/index.js'));
  H.initSync({ module: fs.readFileSync(path.join(out, 'hegui-pkg/hegui_wasm_bg.wasm')) });
  const b = { supervision: fs.readFileSync(path.join(out, 'cn.supervision.json'), 'utf8'), healthy: fs.readFileSync(path.join(out, 'cn.healthy-enterprise.json'), 'utf8') };
  const HP = await import('./peer-hegui.mjs');
  const detail = { hegui: 'full', 'hegui-decisions': 'decisions', 'hegui-selected': 'selected' }[which];
  engine = HP.load(H, b, { detail }); name = { full: HP.name, decisions: HP.decisionsName, selected: HP.selectedName }[detail];
} else {
  const m = await import(`./peer-${which}.mjs`);
  name = m.name;
  if (process.argv[3] === 'name') { console.log(JSON.stringify({ name })); process.exit(0); }
  const rules = JSON.parse(fs.readFileSync(path.join(here, '..', 'rules', `${which}.json`), 'utf8'));
  engine = m.load({ [which]: rules });
}
await engine.evaluate(doc);
console.log(JSON.stringify({ name, ms: performance.now() - t1 + (t1 - t0) * 0 }));
