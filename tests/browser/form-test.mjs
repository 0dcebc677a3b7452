// bindForm in headless Chromium: a plain portal page (tests/browser/form.html) with one
// <script type="module"> gets live, accessible messages; fixing a field removes them; the
// portal's own submission and attributes are untouched.   node tests/browser/form-test.mjs
import { serve } from './server.mjs';
import { launch } from './chromium.mjs';
import { check, finish } from '../checks.mjs';


const server = await serve();
const browser = await launch();
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/tests/browser/form.html`);
  await page.waitForFunction(() => window.heguiReady === true, null, { timeout: 10000 });
  check('page loads the package with one module script', true);

  const state = (name) =>
    page.evaluate((n) => {
      const c = document.querySelector(`[name="${n}"]`);
      const ids = (c.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      const msgs = ids.map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('hegui-message'));
      return {
        invalid: c.getAttribute('aria-invalid'),
        describedby: c.getAttribute('aria-describedby'),
        text: msgs.map((m) => m.textContent).join(' | '),
        onlyText: msgs.every((m) => [...m.querySelectorAll('*')].every((e) => e.tagName === 'SPAN' && e.children.length === 0)),
        next: c.nextElementSibling && c.nextElementSibling.classList.contains('hegui-message'),
      };
    }, name);

  // An invalid credit code: the rule's message appears next to the field, in Chinese.
  await page.fill('[name="employer.credit_code"]', '123');
  let s = await state('employer.credit_code');
  check('failing rule: aria-invalid="true"', s.invalid === 'true', JSON.stringify(s));
  check('failing rule: message in the page language (zh)', s.text.includes('统一社会信用代码无效'), s.text);
  check('message element right after the control', s.next);
  check('portal aria-describedby kept', (s.describedby || '').split(' ')[0] === 'credit-help', s.describedby);
  check('messages are text nodes only', s.onlyText);

  // Fixed: the message goes, the portal's own attribute is restored.
  await page.fill('[name="employer.credit_code"]', '914403001922038216');
  s = await state('employer.credit_code');
  check('fixed: message removed', s.text === '' && s.invalid === null, JSON.stringify(s));
  check('fixed: aria-describedby restored', s.describedby === 'credit-help', s.describedby);

  // Input errors (wrong type, out of range) are shown too.
  await page.fill('[name="employer.employees"]', '-3');
  s = await state('employer.employees');
  check('out of range integer: message', s.invalid === 'true' && s.text.includes('超出范围'), JSON.stringify(s));
  await page.fill('[name="employer.employees"]', '120');
  s = await state('employer.employees');
  check('out of range fixed', s.invalid === null && s.text === '', JSON.stringify(s));
  await page.fill('[name="hazards.factors[0].exposed_workers"]', 'abc');
  s = await state('hazards.factors[0].exposed_workers');
  check('list item field (name-indexed): wrong type message', s.invalid === 'true' && s.text.includes('类型错误'), JSON.stringify(s));

  // A complete, valid form: every decision reached, the document has the right JSON types.
  await page.fill('[name="assessment_date"]', '2026-11-22');
  await page.fill('[name="employer.name"]', '示例机械制造有限公司');
  await page.selectOption('[name="hazards.present"]', 'true');
  await page.fill('[name="hazards.factors[0].name"]', '矽尘');
  await page.selectOption('[name="hazards.factors[0].category"]', 'dust');
  await page.check('[name="hazards.factors[0].serious"]');
  await page.check('[name="hazards.factors[0].exposure_compliant"][value="true"]');
  await page.fill('[name="hazards.factors[0].exposed_workers"]', '12');
  await page.fill('[name="selfcheck"]', '86.5');
  const input = await page.evaluate(() => window.hegui.input());
  const want = {
    assessment_date: '2026-11-22',
    employer: { name: '示例机械制造有限公司', credit_code: '914403001922038216', employees: 120 },
    hazards: { present: true, factors: [{ name: '矽尘', category: 'dust', serious: true, exposure_compliant: true, exposed_workers: 12 }] },
    management: { selfcheck_score: 86.5 },
  };
  check('input document built with field types (mapping option used)', JSON.stringify(input) === JSON.stringify(want), JSON.stringify(input));
  const last = await page.evaluate(() => window.outcomes[window.outcomes.length - 1]);
  check('onOutcome: complete outcome', last.complete === true && last.decisions['risk.class'].status === 'decided', JSON.stringify(last.decisions));
  check('onOutcome: messages only in zh', last.rules.every((r) => !r.message || r.message.en === undefined));
  const leftover = await page.evaluate(() => document.querySelectorAll('.hegui-message').length);
  check('valid form: no messages left', leftover === 0, String(leftover));

  // The portal's own submission still runs.
  await page.click('button[type="submit"]');
  check('portal submit handler still runs', (await page.evaluate(() => window.submitted)) === 1);

  // destroy() removes everything bindForm added.
  await page.fill('[name="employer.credit_code"]', 'bad');
  await page.evaluate(() => window.hegui.destroy());
  s = await state('employer.credit_code');
  const after = await page.evaluate(() => document.querySelectorAll('.hegui-message').length);
  check('destroy(): messages and attributes removed', after === 0 && s.invalid === null && s.describedby === 'credit-help', JSON.stringify(s));
  await page.fill('[name="employer.credit_code"]', 'still bad');
  check('destroy(): no longer listening', (await page.evaluate(() => document.querySelectorAll('.hegui-message').length)) === 0);

  // English page.
  await page.goto(`${server.url}/tests/browser/form.html?lang=en`);
  await page.waitForFunction(() => window.heguiReady === true);
  await page.fill('[name="employer.credit_code"]', '123');
  s = await state('employer.credit_code');
  check('<html lang="en">: English message', s.text.startsWith('Invalid unified social credit code'), s.text);

  // Limited to one decision: the credit-code check is not among the rules `risk.class` needs, so
  // it neither runs nor annotates the form; the class is still decided.
  await page.goto(`${server.url}/tests/browser/form.html?decisions=risk.class`);
  await page.waitForFunction(() => window.heguiReady === true);
  await page.fill('[name="employer.credit_code"]', '123');
  s = await state('employer.credit_code');
  check('decisions option: a rule the decision does not need leaves the field alone', s.text === '' && s.invalid === null, JSON.stringify(s));
  const limited = await page.evaluate(() => window.outcomes[window.outcomes.length - 1]);
  check('decisions option: the outcome holds the class and what it reads, not the rest',
    'risk.class' in limited.decisions && !('supervision.policy' in limited.decisions) && !('risk.industry_risk' in limited.decisions) &&
    !limited.rules.some((r) => r.id === 'credit_code_valid'), JSON.stringify(Object.keys(limited.decisions)));

  // data-hegui-list rows, added by the portal's own script.
  await page.goto(`${server.url}/tests/browser/form-rows.html`);
  await page.waitForFunction(() => window.heguiReady === true);
  let doc = await page.evaluate(() => window.hegui.input());
  check('data-hegui-list: one row', JSON.stringify(doc.hazards.factors) === JSON.stringify([{ name: '噪声', category: 'physical', serious: false, exposure_compliant: false, exposed_workers: 20 }]), JSON.stringify(doc));
  await page.click('#add');
  await page.fill('#rows tr:nth-child(2) input[data-hegui-field="category"]', 'plasma');
  doc = await page.evaluate(() => window.hegui.input());
  check('data-hegui-list: added row is an item', doc.hazards.factors.length === 2 && doc.hazards.factors[1].category === 'plasma', JSON.stringify(doc));
  const rowMsg = await page.evaluate(() => {
    const c = document.querySelector('#rows tr:nth-child(2) input[data-hegui-field="category"]');
    const m = document.getElementById((c.getAttribute('aria-describedby') || '').trim());
    return { invalid: c.getAttribute('aria-invalid'), text: m && m.textContent };
  });
  check('data-hegui-list: unknown enum message on the row control', rowMsg.invalid === 'true' && /plasma/.test(rowMsg.text || ''), JSON.stringify(rowMsg));

  check('no page errors', errors.length === 0, errors.join('; '));
} catch (e) {
  check('form test ran', false, e.stack || String(e));
} finally {
  await browser.close();
  server.close();
}
console.log("bindForm (chromium):");
finish();
