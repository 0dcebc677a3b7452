// One process of `wasm/bench/instructions.sh`: loads the package, then calls `engine.evaluate` N
// times in one of three ways (full outcome, decisions only, the five selected decisions of
// bench/peers). valgrind counts the process's instructions; the script subtracts two runs.
//   node instructions.mjs PKG_DIR N full|decisions|selected
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(new URL('../..', import.meta.url).pathname);
const [pkgArg, countArg, mode] = process.argv.slice(2);
const pkg = resolve(pkgArg);
const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);
initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });
const engine = Engine.fromBundle(readFileSync(join(root, 'tests/out/bundles/cn.supervision.json'), 'utf8'));
const inputPath = process.env.HEGUI_INPUT || join(root, 'examples/supervision-full.json');
const input = JSON.parse(readFileSync(inputPath, 'utf8'));
const options = {
  full: undefined,
  decisions: { detail: 'decisions' },
  selected: {
    detail: 'decisions',
    decisions: ['risk.hazard_grade', 'risk.management_grade', 'risk.class', 'supervision.policy'],
  },
}[mode];
if (!(mode in { full: 1, decisions: 1, selected: 1 })) throw new Error(`mode: full, decisions or selected, not ${mode}`);
for (let i = 0, n = Number(countArg); i < n; i++) engine.evaluate(input, options);
