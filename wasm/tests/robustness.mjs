// Bad input and hostile use must never trap the module: every problem is a thrown HeguiError
// (an Error with a string `code`) or an outcome with errors, and the engine keeps working after.
//   node wasm/tests/robustness.mjs [PKG_DIR] [BUNDLE]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { check, counted, finish } from '../../tests/checks.mjs';

const root = resolve(new URL('../..', import.meta.url).pathname);
const pkg = resolve(process.argv[2] || join(root, 'wasm/pkg'));
const bundlePath = process.argv[3] || join(root, 'tests/out/bundles/cn.supervision.json');
const { initSync, Engine } = await import(pathToFileURL(join(pkg, 'index.js')).href);
initSync({ module: readFileSync(join(pkg, 'hegui_wasm_bg.wasm')) });
const bundle = readFileSync(bundlePath, 'utf8');
const full = JSON.parse(readFileSync(join(root, 'examples/supervision-full.json'), 'utf8'));

function throwsHegui(name, fn, code) {
  try {
    fn();
    check(name, false, 'did not throw');
  } catch (e) {
    const ok = e instanceof Error && e.name === 'HeguiError' && typeof e.code === 'string' &&
      typeof e.message === 'string' && (code === undefined || e.code === code);
    check(name, ok, `${e && e.constructor && e.constructor.name} ${e && e.code} ${e && e.message}`);
  }
}
function outcomeError(name, fn, code) {
  try {
    const o = fn();
    const parsed = typeof o === 'string' ? JSON.parse(o) : o;
    const ok = parsed.schema === 'hegui.outcome/1' && parsed.errors.some((e) => e.code === code);
    check(name, ok, JSON.stringify(parsed.errors).slice(0, 200));
  } catch (e) {
    check(name, false, `threw ${e && e.constructor && e.constructor.name}: ${e && e.message}`);
  }
}

const engine = Engine.fromBundle(bundle);
check('loads a bundle', engine.id === 'cn.supervision' && engine.digest.startsWith('sha256:'));

// Bundles.
throwsHegui('bundle: number', () => Engine.fromBundle(42), 'bundle.invalid');
throwsHegui('bundle: null', () => Engine.fromBundle(null), 'bundle.invalid');
throwsHegui('bundle: undefined', () => Engine.fromBundle(undefined), 'bundle.invalid');
throwsHegui('bundle: {}', () => Engine.fromBundle({}), 'bundle.invalid');
throwsHegui('bundle: not JSON', () => Engine.fromBundle('{nope'), 'bundle.invalid');
throwsHegui('bundle: bytes not UTF-8', () => Engine.fromBundle(new Uint8Array([0xff, 0xfe, 0x7b])), 'bundle.invalid');
const tampered = JSON.parse(bundle);
tampered.pack.manifest.title.en += ' (edited)';
throwsHegui('bundle: content edited, digest stale', () => Engine.fromBundle(tampered), 'bundle.digest_mismatch');
const cyclic = {};
cyclic.self = cyclic;
throwsHegui('bundle: cyclic object', () => Engine.fromBundle(cyclic), 'bundle.invalid');

// Inputs that are not documents: reported in the outcome.
for (const [label, value] of [['null', null], ['undefined', undefined], ['number', 42], ['string', 'text'],
  ['array', [1, 2]], ['boolean', true], ['function', () => 1]]) {
  outcomeError(`input: ${label}`, () => engine.evaluate(value), 'input.wrong_type');
}
// Wrong types, unknown enums, invalid dates: errors naming the path.
const wrong = engine.evaluate({ assessment_date: '2026-02-30', employer: { employees: 'many' },
  hazards: { present: 'yes', factors: [{ category: 'plasma', exposed_workers: -1 }] } });
const codes = wrong.errors.map((e) => `${e.code}@${e.path}`).sort();
check('input: wrong types name their paths', ['input.invalid_date@assessment_date', 'input.wrong_type@employer.employees',
  'input.wrong_type@hazards.present', 'input.unknown_enum@hazards.factors[0].category',
  'input.out_of_range@hazards.factors[0].exposed_workers'].every((c) => codes.includes(c)), codes.join(' '));
// Values JSON cannot carry.
throwsHegui('input: BigInt', () => engine.evaluate({ employer: { employees: 10n } }), 'input.unserializable');
throwsHegui('input: cyclic', () => engine.evaluate(cyclic), 'input.unserializable');
let deep = {};
for (let i = 0; i < 200000; i++) deep = { a: deep };
throwsHegui('input: nested 200 000 deep (object)', () => engine.evaluate(deep), 'input.unserializable');
outcomeError('input: nested 100 000 deep (text)', () => engine.evaluateJson('['.repeat(100000) + ']'.repeat(100000)), 'input.malformed');
outcomeError('input: nested 1 000 deep (object)', () => {
  let d = 1;
  for (let i = 0; i < 1000; i++) d = [d];
  return engine.evaluate({ x: d });
}, 'input.malformed');
// Size.
const big = 'x'.repeat(10 * 1024 * 1024);
outcomeError('input: 10 MB string field', () => engine.evaluate({ employer: { name: big } }), 'input.too_large');
outcomeError('input: 10 MB JSON text', () => engine.evaluateJson(`{"employer":{"name":"${big}"}}`), 'input.too_large');
outcomeError('input: over-long string field under the size limit', () => engine.evaluate({ employer: { name: 'x'.repeat(100000) } }), 'input.too_large');
outcomeError('input: 100 000 list items', () => engine.evaluate({ hazards: { present: true, factors: Array.from({ length: 100000 }, () => 1) } }), 'input.too_large');
outcomeError('evaluateJson: malformed', () => engine.evaluateJson('{"a":'), 'input.malformed');
throwsHegui('evaluateJson: not a string', () => engine.evaluateJson({}), 'input.not_text');
// Options.
throwsHegui('options: unknown lang', () => engine.evaluate(full, { lang: 'fr' }), 'options.lang');
throwsHegui('options: lang not a string', () => engine.evaluate(full, { lang: 5 }), 'options.lang');
throwsHegui('options: not an object', () => engine.evaluate(full, 'zh'), 'options.invalid');
throwsHegui('options: unknown detail', () => engine.evaluate(full, { detail: 'some' }), 'options.detail');
{
  const whole = engine.evaluate(full);
  const brief = engine.evaluate(full, { detail: 'decisions' });
  check('options: detail "decisions" gives the same answers without the trace',
    brief.rules.length === 0 && Object.keys(brief.fields).length === 0 && whole.rules.length > 0 &&
    JSON.stringify([brief.decisions, brief.complete, brief.missing, brief.errors]) ===
      JSON.stringify([whole.decisions, whole.complete, whole.missing, whole.errors]),
    JSON.stringify(brief.decisions));
}
// Selected decisions (docs/engine.md, "Selected decisions").
throwsHegui('options: decisions not an array', () => engine.evaluate(full, { decisions: 'risk.class' }), 'options.decisions');
throwsHegui('options: decisions not strings', () => engine.evaluate(full, { decisions: [1] }), 'options.decisions');
throwsHegui('options: decisions empty', () => engine.evaluate(full, { decisions: [] }), 'selection.empty');
throwsHegui('options: unknown decision', () => engine.evaluate(full, { decisions: ['risk.clas'] }), 'selection.unknown_decision');
{
  const whole = engine.evaluate(full);
  const limited = engine.evaluate(full, { decisions: ['risk.class'] });
  // asked again: the engine's kept selection serves it
  const again = engine.evaluateJson(JSON.stringify(full), { decisions: ['risk.class'] });
  const other = engine.evaluate(full, { decisions: ['supervision.policy'] });
  check('options: decisions limits the outcome to what the decision needs, with the same answers',
    limited.decisions['risk.class'].value === whole.decisions['risk.class'].value &&
    JSON.stringify(limited.decisions['risk.class']) === JSON.stringify(whole.decisions['risk.class']) &&
    limited.rules.length > 0 && limited.rules.length < whole.rules.length &&
    !('risk.industry_risk' in limited.decisions) && 'risk.industry_risk' in whole.decisions &&
    JSON.stringify(JSON.parse(again)) === JSON.stringify(limited) &&
    JSON.stringify(other.decisions['supervision.policy']) === JSON.stringify(whole.decisions['supervision.policy']),
    JSON.stringify(Object.keys(limited.decisions)));
}
{
  // The engine recognises the list it read last (docs/wasm.md, "Selected decisions"): the same
  // items again, a list changed in place, a list that failed, and repeats must all still be read.
  const keys = (o) => Object.keys(o.decisions).sort().join(',');
  const list = ['risk.class'];
  const first = keys(engine.evaluate(full, { decisions: list }));
  list[0] = 'supervision.policy';
  const changed = keys(engine.evaluate(full, { decisions: list }));
  list.push('risk.clas');
  let failures = 0;
  for (let i = 0; i < 2; i++) {
    try { engine.evaluate(full, { decisions: list }); } catch (e) { failures += e.code === 'selection.unknown_decision' ? 1 : 0; }
  }
  // A list that fails on an item that is not a string must not be taken for the last one kept.
  engine.evaluate(full, { decisions: ['supervision.policy'] });
  try { engine.evaluate(full, { decisions: ['risk.management_grade', 1] }); } catch (e) { failures += e.code === 'options.decisions' ? 1 : 0; }
  const afterBadItem = keys(engine.evaluate(full, { decisions: ['risk.management_grade'] }));
  const repeated = keys(engine.evaluate(full, { decisions: ['risk.class', 'risk.class'] }));
  const single = keys(engine.evaluate(full, { decisions: ['risk.class'] }));
  const everything = keys(engine.evaluate(full, { lang: '', detail: 'full' }));
  // What an engine that has read no list before gives.
  const fresh = (decisions) => keys(Engine.fromBundle(bundle).evaluate(full, decisions && { decisions }));
  check('options: a decisions list changed in place, failed or repeated is read again',
    first === fresh(['risk.class']) && changed === fresh(['supervision.policy']) && first !== changed &&
    failures === 3 && afterBadItem === fresh(['risk.management_grade']) &&
    repeated === first && single === first && everything === fresh(undefined),
    JSON.stringify({ first, changed, failures, afterBadItem, repeated, single, everything }));
}
// Pack description.
const info = engine.pack();
check('pack(): rules and decisions', info.rules.length > 0 && info.decisions.some((d) => d.name === 'risk.class') &&
  info.rules.every((r) => typeof r.verified === 'boolean' && r.basis && r.kind), JSON.stringify(info.decisions));
check('fields(): metadata', engine.fields().some((f) => f.path === 'employer.employees' && f.type === 'integer' && f.label.zh));

// Hostile rules: an endless loop is refused at load, string doubling ends as a rule error, not a
// hang or a trap.
const hostile = JSON.parse(bundle);
const rule = hostile.pack.rules.find((r) => r.assert);
for (const [label, expr] of [['loop {}', 'loop { }'], ['string doubling', 'let s = "ab"; loop { s += s; }']]) {
  rule.assert = expr;
  delete rule.when;
  // Rebuild the digest natively is not possible here: a hand-edited bundle must be refused...
  throwsHegui(`hostile bundle (${label}) with a stale digest is refused`, () => Engine.fromBundle(hostile), 'bundle.digest_mismatch');
}
// ... the digest-correct hostile bundles are built by the corpus generator (tests/out/conformance).
try {
  const loopBundle = readFileSync(join(root, 'tests/out/conformance/bundles/hostile.loop.json'), 'utf8');
  const strBundle = readFileSync(join(root, 'tests/out/conformance/bundles/hostile.string-doubling.json'), 'utf8');
  throwsHegui('hostile rule (loop {}): refused at load', () => Engine.fromBundle(loopBundle), 'pack.rule');
  for (const [label, text] of [['string doubling', strBundle]]) {
    const h = Engine.fromBundle(text);
    const t0 = performance.now();
    const o = h.evaluate(full);
    const ms = performance.now() - t0;
    check(`hostile rule (${label}): rule.budget error in ${ms.toFixed(1)} ms`, o.errors.some((e) => e.code === 'rule.budget') && ms < 2000, JSON.stringify(o.errors));
    h.free();
  }
} catch (e) {
  check('hostile bundles from the corpus generator', false, String(e));
}

// After all of that, the module still works.
const o = engine.evaluate(full, { lang: 'en' });
check('still evaluates after every bad input', o.complete === true && o.decisions['risk.class'].status === 'decided', JSON.stringify(o.decisions));
check('evaluate(object) = evaluateJson(text)', JSON.stringify(o) === JSON.stringify(JSON.parse(engine.evaluateJson(JSON.stringify(full), { lang: 'en' }))));

console.log(`robustness (node): ${counted()} checks`);
finish();
