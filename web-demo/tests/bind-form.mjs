// Browser tests of bindForm's map fields and of engine.pack()'s decisions, on a test page of
// their own (fixtures/bind-form-map.html, served by the same `hegui serve` as the demo) that
// loads the built package from /vendor/hegui/ and the bundles from /v1/packs/. Called by run.mjs.

/** The item inputs of the test page: control id -> the map key it names, and a valid value. */
const ITEMS = [
  ['dotted', 'HE-PJBZ.1.1.1', 2],
  ['bracketed', 'HE-PJBZ.1.1.2', 3],
  ['quoted', 'HE-PJBZ.1.2.1', 2],
  ['keyattr', 'HE-PJBZ.1.2.2', 2],
  ['pathkey', 'HE-PJBZ.1.2.3', 1],
  ['mapped', 'HE-PJBZ.1.3.1', 1],
  ['mapped-text', 'HE-PJBZ.1.3.2', 2],
  ['custom', 'A.1.3', 4],
  ['plain', 'A1', 5],
];
const MAP = 'healthy_enterprise.items';

export async function bindFormTests({ context, base, test, assert, eq }) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  const messageAfter = (id) =>
    page.evaluate((i) => {
      const c = document.getElementById(i);
      const m = c.nextElementSibling;
      const isMessage = m && m.classList.contains('hegui-message');
      return {
        path: isMessage ? m.getAttribute('data-hegui-message') : null,
        text: isMessage ? m.textContent : '',
        id: isMessage ? m.id : null,
        invalid: c.getAttribute('aria-invalid'),
        describedby: c.getAttribute('aria-describedby'),
      };
    }, id);

  await test('bindForm: map keys with dots, in every naming form, land whole in the input document', async () => {
    await page.goto(`${base}/tests/fixtures/bind-form-map.html`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
    for (const [id, , value] of ITEMS) await page.fill(`#${id}`, String(value));
    const items = await page.evaluate(() => window.binding.input().healthy_enterprise?.items);
    const want = Object.fromEntries(ITEMS.map(([, key, value]) => [key, value]));
    const sorted = (o) => Object.fromEntries(Object.entries(o || {}).sort(([a], [b]) => (a < b ? -1 : 1)));
    eq(sorted(items), sorted(want), `${MAP} in the input document`);
    // The engine reads them: the score is the sum of the HE-PJBZ items typed (A.1.3 and A1 are
    // not items of the pack).
    const score = await page.evaluate(() => window.binding.outcome.decisions['healthy_enterprise.score']);
    eq([score.status, score.value], ['decided', 2 + 3 + 2 + 2 + 1 + 1 + 2], 'healthy_enterprise.score');
  });

  await test('bindForm: a map entry keyed with dots gets its message next to its control, cleared when fixed', async () => {
    // The engine stops at the first entry of a map that is not a number: one at a time.
    for (const [id, key, value] of ITEMS) {
      await page.fill(`#${id}`, 'abc');
      const path = `${MAP}.${key}`;
      const fields = await page.evaluate(() => Object.keys(window.binding.outcome.fields));
      eq(fields, [path], `#${id}: the fields the engine reports`);
      const m = await messageAfter(id);
      eq(m.path, path, `message element after #${id}`);
      assert(/number/.test(m.text), `#${id}: message text ${JSON.stringify(m.text)}`);
      eq(m.invalid, 'true', `#${id} aria-invalid`);
      eq(m.describedby, m.id, `#${id} aria-describedby`);
      eq(await page.locator('.hegui-message').count(), 1, `#${id}: one message on the page`);
      await page.fill(`#${id}`, String(value));
      eq(await messageAfter(id), { path: null, text: '', id: null, invalid: null, describedby: null }, `#${id} after the fix`);
    }
  });

  await test('bindForm: plain field names still work beside map entries', async () => {
    await page.fill('#date', 'not a date');
    const m = await messageAfter('date');
    eq(m.path, 'assessment_date', 'message after the date');
    eq(m.invalid, 'true', 'aria-invalid on the date');
    await page.fill('#date', '2026-11-22');
    await page.selectOption('#commitment', 'true');
    const input = await page.evaluate(() => window.binding.input());
    eq([input.assessment_date, input.healthy_enterprise.commitment_signed], ['2026-11-22', true], 'plain fields');
    eq(await page.locator('.hegui-message').count(), 0, 'no message left');
  });

  await test('engine.pack(): a decision is verified only when every rule and table it depends on is', async () => {
    const got = await page.evaluate(() => {
      const out = {};
      for (const [name, engine] of Object.entries(window.engines)) {
        const outcome = engine.evaluate({});
        out[name] = engine.pack().decisions.map((d) => ({ ...d, outcomeBecause: outcome.decisions[d.name].because }));
      }
      return out;
    });
    const find = (pack, name) => got[pack].find((d) => d.name === name);
    // risk.class: its own rule says verified = true; it reads risk.hazard_grade (rule
    // verified = false) and looks up class_matrix (rows with verified = false).
    const cls = find('supervision', 'risk.class');
    eq([cls.rule, cls.rule_verified, cls.verified], ['class', true, false], 'risk.class rule, rule_verified, verified');
    assert(cls.unverified_rules.includes('hazard_grade'), `risk.class unverified_rules ${cls.unverified_rules}`);
    assert(cls.unverified_tables.includes('class_matrix'), `risk.class unverified_tables ${cls.unverified_tables}`);
    // Transitively: the policy reads the class.
    const policy = find('supervision', 'supervision.policy');
    eq([policy.rule_verified, policy.verified], [true, false], 'supervision.policy rule_verified, verified');
    assert(policy.unverified_rules.includes('hazard_grade'), 'supervision.policy through risk.class');
    // Nothing unverified anywhere below: verified.
    const eligible = find('healthy', 'healthy_enterprise.eligible');
    eq([eligible.verified, eligible.rule_verified, eligible.unverified_rules, eligible.unverified_tables], [true, true, [], []], 'healthy_enterprise.eligible');
    for (const d of [...got.supervision, ...got.healthy]) {
      eq(d.because, d.outcomeBecause, `${d.name}: because is the outcome's`);
      eq(d.verified, d.unverified_rules.length === 0 && d.unverified_tables.length === 0, `${d.name}: verified`);
    }
  });

  await test('the bindForm test page: no console errors, page errors or failed requests', async () => {
    eq(errors, [], 'console');
  });
  await page.close();
}
