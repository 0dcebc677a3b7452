// engine.pack() on the real packs: what each decision says about being verified before any
// evaluation (docs/wasm.md, JavaScript API; docs/engine.md, "Verified").
//   node wasm/tests/pack-info.mjs [PKG_DIR] [BUNDLES_DIR]
// Needs the package (bash wasm/build.sh) and the bundles of every pack (hegui pack build, as
// scripts/test.d/20-wasm.sh writes them into tests/out/bundles/).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, finish } from '../../tests/checks.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const pkg = resolve(process.argv[2] || join(root, 'wasm/pkg'));
const bundles = resolve(process.argv[3] || join(root, 'tests/out/bundles'));
const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);
initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });
const load = (id) => Engine.fromBundle(readFileSync(join(bundles, `${id}.json`), 'utf8'));

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// cn.supervision: risk.class is decided by a rule that says verified = true, from
// risk.hazard_grade (rule hazard_grade: verified = false) and the class_matrix table (rows with
// verified = false); supervision.policy reads risk.class.
{
  const engine = load('cn.supervision');
  const decisions = engine.pack().decisions;
  const d = (name) => decisions.find((x) => x.name === name);
  const cls = d('risk.class');
  check('risk.class: the rule is verified, the decision is not', cls.rule === 'class' && cls.rule_verified === true && cls.verified === false, JSON.stringify(cls));
  check('risk.class: unverified through the hazard_grade rule and the class_matrix table',
    cls.unverified_rules?.includes('hazard_grade') && !cls.unverified_rules?.includes('class') &&
      cls.unverified_tables?.includes('class_matrix'), JSON.stringify(cls));
  const policy = d('supervision.policy');
  check('supervision.policy: unverified transitively, through risk.class',
    policy.rule_verified === true && policy.verified === false && policy.unverified_rules?.includes('hazard_grade') &&
      policy.because?.includes('class'), JSON.stringify(policy));
  const hazard = d('risk.hazard_grade');
  check('risk.hazard_grade: its own rule says verified = false', hazard.rule_verified === false && hazard.verified === false &&
    hazard.unverified_rules?.includes('hazard_grade'), JSON.stringify(hazard));
  // The full example document: risk.class comes out unverified, as pack() said it might.
  const full = JSON.parse(readFileSync(join(root, 'examples/supervision-full.json'), 'utf8'));
  const o = engine.evaluate(full);
  check('the full example: risk.class decided and unverified', o.decisions['risk.class'].status === 'decided' &&
    o.decisions['risk.class'].unverified === true, JSON.stringify(o.decisions['risk.class']));
  // rules[].verified is still each rule's own flag.
  const rule = engine.pack().rules.find((r) => r.id === 'class');
  check('rules[].verified is the rule\'s own flag', rule.verified === true, JSON.stringify(rule.verified));
  engine.free();
}

// cn.healthy-enterprise: eligibility depends on nothing unverified.
{
  const engine = load('cn.healthy-enterprise');
  const eligible = engine.pack().decisions.find((x) => x.name === 'healthy_enterprise.eligible');
  check('healthy_enterprise.eligible: verified, nothing unverified below it', eligible.verified === true &&
    eligible.rule_verified === true && same(eligible.unverified_rules, []) && same(eligible.unverified_tables, []), JSON.stringify(eligible));
  engine.free();
}

// Every pack: the shape, `because` = the outcome's, and soundness (a decision that comes out
// unverified was not `verified` in pack()).
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(root, 'examples', f), 'utf8')));
for (const file of readdirSync(bundles).filter((f) => f.endsWith('.json')).sort()) {
  const engine = load(file.replace(/\.json$/, ''));
  const info = engine.pack();
  const problems = [];
  for (const d of info.decisions) {
    if (![d.because, d.unverified_rules, d.unverified_tables].every(Array.isArray)) {
      problems.push(`${d.name}: shape ${JSON.stringify(d)}`);
      continue;
    }
    const shapeOk = typeof d.name === 'string' && typeof d.rule === 'string' && typeof d.verified === 'boolean' &&
      typeof d.rule_verified === 'boolean';
    if (!shapeOk) problems.push(`${d.name}: shape ${JSON.stringify(d)}`);
    if (d.verified !== (d.unverified_rules.length === 0 && d.unverified_tables.length === 0)) problems.push(`${d.name}: verified`);
    if (d.rule_verified === d.unverified_rules?.includes(d.rule)) problems.push(`${d.name}: rule_verified`);
    if (!d.because.includes(d.rule) || !d.unverified_rules.every((r) => d.because.includes(r))) problems.push(`${d.name}: because`);
  }
  for (const input of [{}, ...examples]) {
    const o = engine.evaluate(input, { detail: 'decisions' });
    for (const d of info.decisions) {
      const out = o.decisions[d.name];
      if (!out) problems.push(`${d.name}: not in the outcome`);
      else if (!Array.isArray(d.because)) break;
      else if (!same(out.because, d.because)) problems.push(`${d.name}: because ${d.because} != outcome ${out.because}`);
      else if (out.unverified && d.verified) problems.push(`${d.name}: unverified in an outcome, verified in pack()`);
    }
  }
  check(`${file}: ${info.decisions.length} decisions consistent with the outcomes`, problems.length === 0, problems.slice(0, 5).join('; '));
  engine.free();
}

finish();
