// Browser tests of the web demo: start the real `hegui serve` (packs from rules/, the page from
// web-demo/), drive the page in headless Chromium (Debian's, through playwright-core) as a user
// would, and check the live decisions, field messages, jurisdictions, server verification,
// draft, import/export, keyboard use and accessibility (axe-core). Prints `N passed, N failed`.
//
//   node web-demo/tests/run.mjs        (HEGUI_BIN=path/to/hegui, CHROMIUM=path to override)
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindFormTests } from './bind-form.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const demo = resolve(here, '..');
const root = resolve(demo, '..');
const out = join(root, 'tests/out/web-demo');
const require = createRequire(join(demo, 'package.json'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The page loads the engine from web-demo/vendor/hegui/: a copy of the built package.
const pkg = join(root, 'wasm/pkg');
if (!existsSync(join(pkg, 'hegui_wasm_bg.wasm'))) {
  console.error('wasm/pkg is missing: run `bash wasm/build.sh` first');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
rmSync(join(demo, 'vendor/hegui'), { recursive: true, force: true });
mkdirSync(join(demo, 'vendor'), { recursive: true });
cpSync(pkg, join(demo, 'vendor/hegui'), { recursive: true });
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// ---------------------------------------------------------------------------------------------
// The server

const bin = process.env.HEGUI_BIN || join(root, 'target/release/hegui');
const server = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--packs', 'rules', '--static', 'web-demo'], {
  cwd: root,
  env: { ...process.env, RUST_LOG: 'info', NO_COLOR: '1' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverLog = '';
const base = await new Promise((ok, fail) => {
  const timer = setTimeout(() => fail(new Error(`server did not start:\n${serverLog}`)), 30000);
  const onData = (chunk) => {
    serverLog += chunk;
    const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(serverLog);
    if (m) {
      clearTimeout(timer);
      ok(m[1]);
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
  server.on('exit', (code) => fail(new Error(`server exited (${code}):\n${serverLog}`)));
}).catch((e) => {
  console.error(e.message);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
console.log(`server: ${base}`);

// ---------------------------------------------------------------------------------------------
// The browser and the test harness

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
const page = await context.newPage();
const consoleErrors = [];
page.on('console', (m) => {
  if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
});
page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
page.on('requestfailed', (r) => consoleErrors.push(`requestfailed: ${r.url()}`));
page.on('response', (r) => {
  if (r.status() >= 400) consoleErrors.push(`HTTP ${r.status()}: ${r.url()}`);
});

let passed = 0;
let failed = 0;
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
    await page.screenshot({ path: join(out, `fail-${passed + failed}.png`), fullPage: true }).catch(() => {});
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}
function eq(a, b, msg) {
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${msg}: got ${JSON.stringify(a)}, want ${JSON.stringify(b)}`);
}

/** A full-page screenshot with a viewport as tall as the page (so the sticky panel sits at the top). */
async function shot(name) {
  const h = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: 1400, height: Math.min(h, 6000) });
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  await page.locator('#panel').screenshot({ path: join(out, `${name}-panel.png`) });
  await page.setViewportSize({ width: 1400, height: 1000 });
}

const decision = (name) => page.locator(`details.decision[data-decision="${name}"]`);
const valueOf = (name) => decision(name).locator('.d-value').innerText();
const outcomeValue = (kind, name) =>
  page.evaluate(([k, n]) => window.heguiDemo.state.outcomes[k]?.decisions[n], [kind, name]);
async function waitValue(name, want) {
  await page.waitForFunction(
    ([n, w]) => document.querySelector(`details.decision[data-decision="${n}"] .d-value`)?.textContent.includes(w),
    [name, want],
    { timeout: 5000 },
  ).catch(async () => {
    throw new Error(`decision ${name}: ${JSON.stringify(await valueOf(name))}, want it to contain ${JSON.stringify(want)}`);
  });
}
async function typeInto(selector, text) {
  const l = page.locator(selector);
  await l.click();
  await l.pressSequentially(text);
}
async function open(query = '') {
  await page.goto(`${base}/${query}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
}
/** Runs axe-core; returns the serious and critical violations. */
async function axe() {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ content: axeSource });
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// ---------------------------------------------------------------------------------------------
// The tests: one user session, in order (later tests build on the filled form).

const VALID_CODE = '914403001922038216';
const BAD_CODE = '914403001922038217';

await test('the page loads, lists the jurisdictions from GET /v1/packs, decisions start pending', async () => {
  await page.evaluate(() => localStorage.clear()).catch(() => {});
  await open('?fresh');
  const options = await page.locator('#jurisdiction option').allInnerTexts();
  for (const want of ['全国', '重庆两江新区', '深圳市', '湖北省', '海南省', '云南省']) {
    assert(options.includes(want), `jurisdiction ${want} missing from ${options}`);
  }
  const line = await page.locator('#packs-line').innerText();
  assert(/cn\.supervision@/.test(line) && /cn\.obligations@/.test(line), `packs line: ${line}`);
  await waitValue('risk.class', '待定');
  assert((await page.locator('#missing li').count()) > 3, 'missing fields listed');
});

await test('decisions update live while typing (hazard grade, management grade, class)', async () => {
  await page.fill('[name="assessment_date"]', '2026-11-22');
  await typeInto('[name="employer.name"]', '两江示例机械制造有限公司');
  await typeInto('[name="employer.credit_code"]', VALID_CODE);
  await typeInto('[name="employer.industry_code"]', 'C3441');
  await typeInto('[name="employer.employees"]', '120');
  await page.fill('[name="employer.production_start_date"]', '2020-03-01');
  await page.selectOption('[name="hazards.industry_risk"]', 'serious');
  await page.selectOption('[name="hazards.present"]', 'true');
  await page.click('[data-add="factor"]');
  const row = page.locator('#factors [data-hegui-row]').first();
  await row.locator('[data-hegui-field="name"]').pressSequentially('噪声');
  await row.locator('[data-hegui-field="category"]').selectOption('physical');
  await row.locator('[data-hegui-field="serious"]').selectOption('false');
  await row.locator('[data-hegui-field="exposure_compliant"]').selectOption('false');
  await row.locator('[data-hegui-field="exposed_workers"]').pressSequentially('35');
  await waitValue('risk.hazard_grade', 'Ⅱ');
  await waitValue('risk.management_grade', '待定');
  // Every keystroke re-evaluates: "9" alone is grade C, "95" grade A, "86.5" grade B.
  await typeInto('[name="management.selfcheck_score"]', '9');
  await waitValue('risk.management_grade', 'C');
  await page.keyboard.type('5');
  await waitValue('risk.management_grade', 'A');
  await page.locator('[name="management.selfcheck_score"]').fill('');
  await typeInto('[name="management.selfcheck_score"]', '86.5');
  await waitValue('risk.management_grade', 'B');
  await waitValue('risk.class', '乙');
  const cls = await outcomeValue('supervision', 'risk.class');
  eq([cls.value, cls.status], ['乙', 'decided'], 'risk.class');
  assert(cls.scheme, 'the class carries its scheme');
  assert((await decision('risk.class').innerText()).includes(cls.scheme), 'scheme shown with the class');
  // The matrix highlights the cell Ⅱ × B.
  const hit = page.locator('table.matrix td.hit');
  eq(await hit.count(), 1, 'one highlighted matrix cell');
  assert((await hit.innerText()).includes('乙'), 'highlighted cell is 乙');
});

await test('an invalid credit code shows a message next to the field, fixed when corrected', async () => {
  const code = page.locator('[name="employer.credit_code"]');
  await code.fill('');
  await typeInto('[name="employer.credit_code"]', BAD_CODE);
  const msg = page.locator('#f-code ~ .hegui-message');
  await msg.waitFor({ timeout: 5000 });
  await page.waitForFunction(() => /统一社会信用代码/.test(document.querySelector('#f-code ~ .hegui-message')?.textContent || ''), null, { timeout: 5000 });
  eq(await code.getAttribute('aria-invalid'), 'true', 'aria-invalid');
  const describedby = (await code.getAttribute('aria-describedby')) || '';
  const msgId = await msg.getAttribute('id');
  assert(describedby.split(' ').includes(msgId) && describedby.includes('f-code-help'), `aria-describedby ${describedby}`);
  await code.press('Backspace');
  await code.pressSequentially('6');
  await page.waitForFunction(() => !(document.querySelector('#f-code ~ .hegui-message')?.textContent || '').trim(), null, { timeout: 5000 });
  eq(await code.getAttribute('aria-invalid'), null, 'aria-invalid removed');
});

await test('healthy-enterprise: basic conditions, items, score and the domain bar chart', async () => {
  await page.selectOption('[name="healthy_enterprise.commitment_signed"]', 'true');
  await waitValue('healthy_enterprise.eligible', '是');
  await page.click('[data-add="accident"]');
  const acc = page.locator('#accidents [data-hegui-row]').first();
  await acc.locator('[data-hegui-field="date"]').fill('2025-03-02');
  await acc.locator('[data-hegui-field="major"]').selectOption('false');
  await waitValue('healthy_enterprise.eligible', '是');
  await acc.locator('[data-hegui-field="major"]').selectOption('true');
  await waitValue('healthy_enterprise.eligible', '否');
  await acc.locator('[data-hegui-field="major"]').selectOption('false');
  await waitValue('healthy_enterprise.eligible', '是');
  const items = page.locator('#items input[data-item]');
  assert((await items.count()) >= 3, 'item inputs from the pack');
  await items.nth(0).pressSequentially('2');
  await items.nth(1).pressSequentially('3');
  await items.nth(2).pressSequentially('1.5');
  await waitValue('healthy_enterprise.score', '6.5');
  const bar = page.locator('#chart svg g[data-domain="management"] rect.bar');
  assert(Number(await bar.getAttribute('width')) > 10, 'the management bar is drawn');
  assert((await page.locator('#chart svg').getAttribute('aria-label')).includes('6.5'), 'chart label gives the value');
});

await test('obligations: due dates and an overdue badge', async () => {
  await page.fill('[name="records.declaration_date"]', '2025-01-10');
  await page.fill('[name="records.last_detection_date"]', '2025-06-01');
  await page.fill('[name="records.last_status_evaluation_date"]', '2024-05-01');
  await page.fill('[name="records.last_risk_assessment_date"]', '2025-02-01');
  await page.click('[data-add="change"]');
  const ch = page.locator('#changes [data-hegui-row]').first();
  await ch.locator('[data-hegui-field="kind"]').selectOption('process_change');
  await ch.locator('[data-hegui-field="date"]').fill('2026-11-01');
  await waitValue('obligations.declaration', '2026-11-16');
  assert(await decision('obligations.declaration').locator('.badge.overdue').count(), 'overdue badge');
  const det = await outcomeValue('obligations', 'obligations.detection');
  assert(det.status === 'decided' && det.value.due, 'detection due date');
});

await test('each decision expands to its rules, legal basis with source title, unverified mark', async () => {
  const d = decision('risk.hazard_grade');
  await d.locator('summary').click();
  const text = await d.locator('.why').innerText();
  assert(/出处：/.test(text) && /条款：/.test(text), `basis shown: ${text.slice(0, 200)}`);
  const src = await page.evaluate(() => window.heguiDemo.state.chosen.supervision.pack.sources.map((s) => s.title));
  assert(src.some((s) => text.includes(s)), 'a source title from engine.pack().sources');
  assert(await d.locator('summary .badge.unverified').count(), 'unverified mark on an unverified decision');
  await d.locator('summary').click();
});

await test('a missing field in the list links to (focuses) the field', async () => {
  await page.locator('[name="management.selfcheck_score"]').fill('');
  await waitValue('risk.management_grade', '待定');
  const link = page.locator('#missing a.field-link[data-path="management.selfcheck_score"]');
  await link.waitFor({ timeout: 5000 });
  const path = await link.getAttribute('data-path');
  await link.click();
  const focused = await page.evaluate(() => {
    const a = document.activeElement;
    return { name: a.name, list: a.closest('[data-hegui-list]')?.dataset.heguiList, field: a.dataset.heguiField, add: a.dataset.add };
  });
  const ok = focused.name === path || (focused.list && path.startsWith(focused.list)) || (focused.add && path);
  assert(ok, `focus after clicking ${path}: ${JSON.stringify(focused)}`);
  await page.keyboard.type('86.5');
  await waitValue('risk.management_grade', 'B');
  await page.waitForFunction(() => document.querySelector('#missing .none'), null, { timeout: 5000 });
});

await test('switching to 重庆两江 changes the on-site interval and highlights what changed', async () => {
  const national = await outcomeValue('supervision', 'supervision.policy');
  await page.selectOption('#jurisdiction', 'cn-cq-liangjiang');
  await page.waitForFunction(() => window.heguiDemo.state.chosen.supervision.id === 'cn-cq-liangjiang.supervision', null, { timeout: 10000 });
  const cq = await outcomeValue('supervision', 'supervision.policy');
  assert(cq.value.onsite_interval_months !== national.value.onsite_interval_months,
    `onsite_interval_months national ${national.value.onsite_interval_months}, 两江 ${cq.value.onsite_interval_months}`);
  await waitValue('supervision.policy', `每 ${cq.value.onsite_interval_months} 个月`);
  assert(await decision('supervision.policy').evaluate((e) => e.classList.contains('differs')), 'policy highlighted');
  assert(await decision('supervision.policy').locator('.badge.changed').count(), 'changed badge');
  assert(!(await decision('risk.class').evaluate((e) => e.classList.contains('differs'))), 'class unchanged, not highlighted');
  // The form kept what was typed.
  eq(await page.inputValue('[name="employer.credit_code"]'), VALID_CODE, 'form kept across the switch');
  await shot('liangjiang-zh');
});

await test('submit: POST /v1/verify accepts the outcome computed in the browser', async () => {
  await page.click('#submit');
  const li = page.locator('#verdict li[data-pack="cn-cq-liangjiang.supervision"]');
  await li.waitFor({ timeout: 10000 });
  eq(await li.getAttribute('data-verdict'), 'accepted', `verdict (${await li.innerText()})`);
  for (const v of await page.locator('#verdict li[data-pack]').evaluateAll((ls) => ls.map((l) => l.dataset.verdict))) {
    eq(v, 'accepted', 'every pack accepted');
  }
  const sent = JSON.parse((await page.inputValue('#payload')).split('\n')[0]);
  assert(sent.pack.digest.startsWith('sha256:') && sent.outcome.decisions['risk.class'], 'payload shape');
});

// Claims another class than the one computed, submits, and returns the pack's verdict line.
async function tamperAndSubmit() {
  await page.locator('#dev summary').click();
  await page.check('#tamper');
  const actual = (await outcomeValue('supervision', 'risk.class')).value;
  const other = ['甲', '乙', '丙'].find((c) => c !== actual);
  await page.selectOption('#tamper-class', other);
  await page.click('#submit');
  const li = page.locator('#verdict li[data-pack="cn-cq-liangjiang.supervision"]');
  await page.waitForFunction(() => document.querySelector('#verdict li[data-pack="cn-cq-liangjiang.supervision"]')?.dataset.verdict === 'rejected', null, { timeout: 10000 });
  const text = await li.innerText();
  await page.uncheck('#tamper');
  await page.locator('#dev summary').click();
  return { text, actual, other };
}

await test('tamper and submit: the server rejects the edited class', async () => {
  const { text, actual, other } = await tamperAndSubmit();
  assert(text.includes('风险分类') && text.includes(other) && text.includes(actual), `reason names the class: ${text}`);
});

await test('tamper and submit in English: the reason is the server\'s English text', async () => {
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  const { text } = await tamperAndSubmit();
  assert(!text.includes('[object') && text.includes('risk.class') && text.includes('decision.differs'),
    `English reason text from the server: ${text}`);
  assert(!text.includes('声称') && !text.includes('重新计算'), `no Chinese reason text in English: ${text}`);
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
});

await test('reload restores the draft (jurisdiction, fields, rows, items)', async () => {
  const before = await page.evaluate(() => window.heguiDemo.collectInput());
  await open(''); // a new visit to the page (the first one asked for ?fresh)
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  const after = await page.evaluate(() => window.heguiDemo.collectInput());
  eq(after, before, 'input after reload');
  eq(await page.inputValue('#jurisdiction'), 'cn-cq-liangjiang', 'jurisdiction restored');
  await waitValue('risk.class', '乙');
  eq(await page.locator('#factors [data-hegui-row]').count(), 1, 'factor row restored');
});

await test('export JSON, clear, import it back', async () => {
  const before = await page.evaluate(() => window.heguiDemo.collectInput());
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
  const file = join(out, 'export.json');
  await download.saveAs(file);
  eq(JSON.parse(readFileSync(file, 'utf8')), before, 'exported document');
  await page.click('#clear');
  await waitValue('risk.class', '待定');
  await page.setInputFiles('#import-file', file);
  await waitValue('risk.class', '乙');
  eq(await page.evaluate(() => window.heguiDemo.collectInput()), before, 'imported document');
});

await test('keyboard only: add and remove a row, expand a decision, reach the submit button', async () => {
  await page.focus('[data-add="factor"]');
  await page.keyboard.press('Enter');
  eq(await page.locator('#factors [data-hegui-row]').count(), 2, 'row added with Enter');
  eq(await page.evaluate(() => document.activeElement.dataset.heguiField), 'name', 'focus moves into the new row');
  await page.keyboard.type('矽尘');
  // Tab through the row to its remove button, then press it.
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement.classList.contains('remove'))) break;
  }
  eq(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), '删除第 2 行', 'remove button label');
  await page.keyboard.press('Enter');
  eq(await page.locator('#factors [data-hegui-row]').count(), 1, 'row removed with Enter');
  eq(await page.evaluate(() => document.activeElement.dataset.add), 'factor', 'focus back on the add button');
  // Every visible control is reachable with Tab, in order, from the top of the page.
  const focusable = await page.evaluate(() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
    .filter((e) => !e.disabled && e.offsetParent !== null && e.tabIndex >= 0 && !e.closest('details:not([open]) > :not(summary)')).length);
  await page.evaluate(() => document.activeElement.blur());
  await page.focus('body');
  const seen = new Set();
  for (let i = 0; i < focusable + 30; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => {
      const a = document.activeElement;
      if (!a || a === document.body) return null;
      if (!a.dataset.kbd) a.dataset.kbd = String(Math.random());
      return a.dataset.kbd;
    });
    if (id) seen.add(id);
  }
  assert(seen.size >= focusable - 1, `reached ${seen.size} of ${focusable} controls with Tab`);
  // A decision opens with the keyboard.
  const summary = decision('risk.class').locator('summary');
  await summary.focus();
  await page.keyboard.press('Enter');
  assert(await decision('risk.class').evaluate((e) => e.open), 'decision expands with Enter');
  await page.keyboard.press('Enter');
  await page.focus('#submit');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#verdict li[data-pack="cn-cq-liangjiang.supervision"]')?.dataset.verdict === 'accepted', null, { timeout: 10000 });
});

await test('every control has a label; axe-core finds no serious or critical violation (zh)', async () => {
  const unlabeled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((c) => c.type !== 'hidden' && !(c.labels?.length || c.getAttribute('aria-label') || (c.tagName === 'BUTTON' && c.textContent.trim())))
    .map((c) => c.outerHTML.slice(0, 80)));
  eq(unlabeled, [], 'controls without a label');
  await page.locator('#dev summary').click();
  await decision('supervision.policy').locator('summary').click();
  const v = await axe();
  eq(v, [], 'axe serious/critical violations (zh)');
});

await test('screenshots of the filled page in both languages, and the print view', async () => {
  await shot('filled-zh');
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await waitValue('risk.class', 'Class 乙');
  assert((await page.locator('h1').innerText()).startsWith('Employer'), 'English title');
  assert((await decision('supervision.policy').innerText()).includes('every'), 'English policy');
  const v = await axe();
  eq(v, [], 'axe serious/critical violations (en)');
  await shot('filled-en');
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(out, 'print-en.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await waitValue('risk.class', '乙类');
});

await test('the regional packs load: every jurisdiction evaluates without errors', async () => {
  const codes = await page.locator('#jurisdiction option').evaluateAll((os) => os.map((o) => o.value));
  for (const code of codes) {
    await page.selectOption('#jurisdiction', code);
    await page.waitForFunction((c) => window.heguiDemo.state.jurisdiction === c && Object.values(window.heguiDemo.state.chosen).every(Boolean), code, { timeout: 10000 });
    const errors = await page.evaluate(() => Object.values(window.heguiDemo.state.outcomes).flatMap((o) => o?.errors || []));
    eq(errors.filter((e) => e.code !== 'rule.runtime'), [], `outcome errors under ${code}`);
  }
  await page.selectOption('#jurisdiction', 'cn');
});

// bindForm's map fields and engine.pack() on a test page of their own (tests/bind-form.mjs).
await bindFormTests({ context, base, test, assert, eq });

await test('no console errors, page errors or failed requests', async () => {
  eq(consoleErrors, [], 'console');
});

await browser.close();
server.kill('SIGTERM');
writeFileSync(join(out, 'server.log'), serverLog);
console.log(`screenshots: ${out}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
