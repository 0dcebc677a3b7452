// hegui web demo: a portal page that evaluates an employer's form live with the WASM engine
// (several rule packs at once), explains every decision, and has the server re-check it.
// Plain ES module, no framework. The engine package is served from ./vendor/hegui/ (a copy of
// wasm/pkg made by scripts/demo.sh or the tests); the packs come from the hegui server's API.
import init, { Engine, bindForm } from './vendor/hegui/index.js';
import { convert } from './vendor/hegui/bind-form.js';
import { TEXT, JURISDICTIONS, DECISIONS, DOMAINS } from './i18n.js';

const KINDS = ['supervision', 'healthy-enterprise', 'obligations'];
const GROUP_TEXT = { supervision: 'gSupervision', 'healthy-enterprise': 'gHealthy', obligations: 'gObligations' };
const DRAFT_KEY = 'hegui-demo-draft/1';
const ITEMS_PATH = 'healthy_enterprise.items';

const $ = (sel, root = document) => root.querySelector(sel);
const form = $('#enterprise');
const state = {
  lang: 'zh',
  packs: [], // GET /v1/packs
  jurisdictions: [], // [{code, title}]
  jurisdiction: 'cn',
  engines: new Map(), // id -> {id, engine, bundle, pack, fields}
  chosen: {}, // kind -> entry
  national: {}, // kind -> entry
  decls: new Map(), // path -> field declaration (union of the chosen packs)
  bindings: [],
  items: {}, // assessment-table points typed so far, by item id (kept across pack switches)
  outcomes: {}, // kind -> outcome (chosen pack)
  nationalOutcomes: {},
  input: {},
  ready: false,
};
let uid = 0;

// ---------------------------------------------------------------------------------------------
// Texts

function t(key, vars) {
  const pair = TEXT[key];
  let s = pair ? pair[state.lang === 'zh' ? 0 : 1] : key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, v);
  return s;
}
const colon = () => (state.lang === 'zh' ? '：' : ': ');
const pick = (pair) => (Array.isArray(pair) ? pair[state.lang === 'zh' ? 0 : 1] : pair);
/** A {zh, en} object, or a plain string, in the page language. */
function loc(v) {
  if (v == null) return '';
  if (typeof v === 'string') return v;
  return v[state.lang] ?? v.zh ?? v.en ?? '';
}

function applyTexts(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAria));
  }
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c != null) e.append(c);
  return e;
}

function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) e.setAttribute(k, v);
  for (const c of children.flat()) if (c != null) e.append(c);
  return e;
}

// ---------------------------------------------------------------------------------------------
// Packs

async function fetchJson(url, opts) {
  const res = await fetch(url, opts);
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${url}: HTTP ${res.status}`);
  }
  if (!res.ok && !body.verdict) throw new Error(body.error?.message || `${url}: HTTP ${res.status}`);
  return body;
}

function splitId(id) {
  const i = id.indexOf('.');
  return i < 0 ? [id, ''] : [id.slice(0, i), id.slice(i + 1)];
}

async function engineFor(id) {
  if (state.engines.has(id)) return state.engines.get(id);
  const res = await fetch(`/v1/packs/${encodeURIComponent(id)}`);
  if (!res.ok) throw new Error(`/v1/packs/${id}: HTTP ${res.status}`);
  const text = await res.text();
  const engine = Engine.fromBundle(text); // the digest is checked here
  const bundle = JSON.parse(text);
  const entry = { id, engine, bundle, pack: engine.pack(), fields: engine.fields() };
  state.engines.set(id, entry);
  return entry;
}

/** The pack of `kind` for a jurisdiction: its own, else the national one. */
function packIdFor(jurisdiction, kind) {
  const ids = new Set(state.packs.map((p) => p.id));
  if (ids.has(`${jurisdiction}.${kind}`)) return `${jurisdiction}.${kind}`;
  if (ids.has(`cn.${kind}`)) return `cn.${kind}`;
  return null;
}

function jurisdictionLabel(j) {
  if (JURISDICTIONS[j.code]) return pick(JURISDICTIONS[j.code]);
  return loc(j.title) || j.code;
}

function renderJurisdictions() {
  const sel = $('#jurisdiction');
  sel.replaceChildren(
    ...state.jurisdictions.map((j) =>
      el('option', { value: j.code, text: jurisdictionLabel(j), selected: j.code === state.jurisdiction }),
    ),
  );
}

async function choose(jurisdiction) {
  state.jurisdiction = jurisdiction;
  const input = state.ready ? collectInput() : null;
  for (const kind of KINDS) {
    const id = packIdFor(jurisdiction, kind);
    state.chosen[kind] = id ? await engineFor(id) : null;
    const nid = packIdFor('cn', kind);
    state.national[kind] = nid ? await engineFor(nid) : null;
  }
  state.decls = new Map();
  for (const kind of KINDS) {
    for (const f of state.chosen[kind]?.fields || []) if (!state.decls.has(f.path)) state.decls.set(f.path, f);
  }
  renderItems();
  renderExtras();
  if (input) fill(input);
  rebind();
  renderPacksLine();
  refresh(true);
}

function renderPacksLine() {
  const parts = KINDS.map((k) => state.chosen[k])
    .filter(Boolean)
    .map((e) => `${e.id}@${e.engine.version} (${e.engine.digest.slice(0, 15)}…)`);
  $('#packs-line').textContent = t('packsUsed') + parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Form: rows, items, pack-specific fields

const ROW_TEMPLATES = {
  factor: ['#t-factor', '#factors', 'sHazards'],
  outbreak: ['#t-outbreak', '#outbreaks', 'outbreaks'],
  foodborne: ['#t-foodborne', '#foodborne', 'foodborne'],
  accident: ['#t-accident', '#accidents', 'accidents'],
  incident: ['#t-incident', '#incidents', 'envIncidents'],
  change: ['#t-change', '#changes', 'changes'],
};

/** Gives each control of a new row an id and ties its label to it. */
function wireRow(row) {
  for (const f of row.querySelectorAll('.f')) {
    const control = f.querySelector('input, select, textarea');
    const label = f.querySelector('label');
    if (!control || !label) continue;
    control.id = `c${++uid}`;
    label.htmlFor = control.id;
  }
}

function renumber(container, titleKey) {
  [...container.querySelectorAll(':scope > [data-hegui-row]')].forEach((row, i) => {
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', `${typeof titleKey === 'function' ? titleKey() : t(titleKey)} ${i + 1}`);
    const rm = row.querySelector('.remove');
    if (rm) rm.setAttribute('aria-label', t('removeRow', { n: i + 1 }));
  });
}

function addRow(kind, { focus = false } = {}) {
  const [tpl, cont, title] = ROW_TEMPLATES[kind];
  const container = $(cont);
  const row = $(tpl).content.firstElementChild.cloneNode(true);
  applyTexts(row);
  wireRow(row);
  row.querySelector('.remove').addEventListener('click', () => removeRow(row, container, title, kind));
  container.append(row);
  renumber(container, title);
  if (focus) row.querySelector('input, select')?.focus();
  return row;
}

function removeRow(row, container, title, kind) {
  row.remove();
  renumber(container, title);
  changed();
  // Keyboard users land on the list's add button.
  (kind ? form.querySelector(`[data-add="${kind}"]`) : container.nextElementSibling)?.focus();
}

/** Tells bindForm and the panel that the form changed without an input event (rows, import). */
function changed() {
  form.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Scoring items of the chosen healthy-enterprise pack (or the national one's). */
function scoringItems() {
  for (const entry of [state.chosen['healthy-enterprise'], state.national['healthy-enterprise']]) {
    if (!entry) continue;
    const raw = new Map((entry.bundle.pack?.rules || []).map((r) => [r.id, r]));
    const items = entry.pack.rules
      .filter((r) => r.kind === 'score')
      .map((r) => {
        const rr = raw.get(r.id) || {};
        const m = /items\["([^"]+)"\]/.exec(rr.points || '');
        const key = m ? m[1] : loc(r.title).split(/\s/)[0];
        return { key, rule: r, max: r.max ?? rr.max, domain: rr.domain };
      });
    if (items.length) return { entry, items };
  }
  return { entry: null, items: [] };
}

function renderItems() {
  const box = $('#items');
  const { items } = scoringItems();
  if (!items.length) {
    box.replaceChildren(el('p', { class: 'help', text: t('noItems') }));
    return;
  }
  box.replaceChildren(
    ...items.map(({ key, rule, max }) => {
      const id = `item-${key.replace(/[^\w-]/g, '_')}`;
      const title = loc(rule.title);
      return el(
        'div',
        { class: 'f item' },
        el('label', { for: id }, el('span', { class: 'item-id', text: key }), ' ', title.replace(key, '').trim(),
          max != null ? el('span', { class: 'max', text: ` (${t('maxPts', { n: max })})` }) : null),
        el('input', {
          id, 'data-item': key, inputmode: 'decimal', value: state.items[key] ?? '',
          oninput: (e) => { state.items[key] = e.target.value; },
        }),
      );
    }),
  );
}

/** Controls for the fields of the chosen packs that the static form does not have. */
function renderExtras() {
  const box = $('#extra');
  box.replaceChildren();
  const staticLists = new Set([...form.querySelectorAll('[data-hegui-list]')].filter((c) => !box.contains(c)).map((c) => c.dataset.heguiList));
  const staticNames = new Set([...form.elements].filter((c) => c.name && !box.contains(c)).map((c) => c.name));
  const extras = [...state.decls.values()].filter((f) => {
    if (f.path === ITEMS_PATH || staticNames.has(f.path) || staticLists.has(f.path)) return false;
    const listOf = f.path.includes('[]') ? f.path.slice(0, f.path.indexOf('[]')) : null;
    return !listOf; // list item fields are rendered with their list
  });
  for (const f of extras) {
    if (f.type === 'list') {
      const itemFields = [...state.decls.values()].filter((g) => g.path.startsWith(`${f.path}[].`));
      const container = el('div', { class: 'rows', 'data-hegui-list': f.path });
      const titleFn = () => loc(f.label);
      const add = el('button', { type: 'button', class: 'add', text: `＋ ${loc(f.label)}` });
      add.addEventListener('click', () => {
        addGenericRow(container, itemFields, f, titleFn, add);
        container.lastElementChild.querySelector('input, select')?.focus();
        changed();
      });
      box.append(el('div', { class: 'f wide list-field' }, el('h3', { text: loc(f.label) }),
        f.help ? el('p', { class: 'help', text: loc(f.help) }) : null, container, add));
    } else {
      const id = `x-${++uid}`;
      const helpId = f.help ? `${id}-help` : null;
      box.append(el('div', { class: 'f' }, el('label', { for: id, text: loc(f.label) + (f.unit ? `（${f.unit}）` : '') }),
        controlFor(f, { id, name: f.path, 'aria-describedby': helpId }),
        f.help ? el('small', { id: helpId, class: 'help', text: loc(f.help) }) : null));
    }
  }
  $('#extra-set').hidden = extras.length === 0;
}

function controlFor(f, attrs) {
  if (f.type === 'bool' || f.type === 'enum') {
    const values = f.type === 'bool' ? [['true', t('yes')], ['false', t('no')]] : (f.values || []).map((v) => [v, v]);
    return el('select', attrs, el('option', { value: '', text: t('choose') }),
      ...values.map(([v, text]) => el('option', { value: v, text })));
  }
  if (f.type === 'date') return el('input', { ...attrs, type: 'date' });
  return el('input', { ...attrs, inputmode: f.type === 'integer' ? 'numeric' : f.type === 'number' ? 'decimal' : null });
}

function addGenericRow(container, itemFields, listField, titleFn, addButton) {
  const row = el('div', { class: 'row', 'data-hegui-row': true });
  for (const g of itemFields) {
    const name = g.path.slice(listField.path.length + 3);
    const id = `c${++uid}`;
    row.append(el('div', { class: 'f' }, el('label', { for: id, text: loc(g.label) }),
      controlFor(g, { id, 'data-hegui-field': name })));
  }
  const rm = el('button', { type: 'button', class: 'remove', text: t('remove') });
  rm.addEventListener('click', () => { row.remove(); renumber(container, titleFn); changed(); addButton.focus(); });
  row.append(rm);
  container.append(row);
  renumber(container, titleFn);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Input document <-> form

function setIn(doc, segments, value) {
  let cur = doc;
  for (let i = 0; i < segments.length - 1; i++) {
    if (cur[segments[i]] == null || typeof cur[segments[i]] !== 'object') cur[segments[i]] = {};
    cur = cur[segments[i]];
  }
  cur[segments[segments.length - 1]] = value;
}
function getIn(doc, segments) {
  let cur = doc;
  for (const s of segments) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = cur[s];
  }
  return cur;
}
const typeOf = (path) => state.decls.get(path)?.type || 'string';

/** The input document the form gives (SPEC §3): the same conversions as bindForm. */
function collectInput() {
  const input = {};
  for (const c of form.elements) {
    if (!c.name || c.disabled || c.type === 'file' || c.closest('[data-hegui-row]')) continue;
    const type = typeOf(c.name);
    const v = c.type === 'checkbox' ? c.checked : convert(c.value, type);
    if (v !== undefined) setIn(input, c.name.split('.'), v);
  }
  for (const container of form.querySelectorAll('[data-hegui-list]')) {
    const path = container.dataset.heguiList;
    const rows = [...container.querySelectorAll(':scope > [data-hegui-row]')];
    setIn(input, path.split('.'), rows.map((row) => {
      const item = {};
      for (const c of row.querySelectorAll('[data-hegui-field]')) {
        const v = convert(c.value, typeOf(`${path}[].${c.dataset.heguiField}`));
        if (v !== undefined) item[c.dataset.heguiField] = v;
      }
      return item;
    }));
  }
  const items = {};
  for (const c of form.querySelectorAll('[data-item]')) {
    const v = convert(c.value, 'number');
    if (v !== undefined) items[c.dataset.item] = v;
  }
  if (Object.keys(items).length) setIn(input, ITEMS_PATH.split('.'), items);
  return input;
}

/** Fills the form from an input document (import, draft, language or pack switch). */
function fill(doc) {
  for (const c of form.elements) {
    if (!c.name || c.type === 'file' || c.closest('[data-hegui-row]')) continue;
    const v = getIn(doc, c.name.split('.'));
    if (c.type === 'checkbox') c.checked = v === true;
    else c.value = v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  for (const container of form.querySelectorAll('[data-hegui-list]')) {
    const path = container.dataset.heguiList;
    container.replaceChildren();
    const list = getIn(doc, path.split('.'));
    if (!Array.isArray(list)) continue;
    const kind = Object.keys(ROW_TEMPLATES).find((k) => ROW_TEMPLATES[k][1] === `#${container.id}`);
    for (const item of list) {
      let row;
      if (kind) row = addRow(kind);
      else {
        const f = state.decls.get(path);
        const itemFields = [...state.decls.values()].filter((g) => g.path.startsWith(`${path}[].`));
        row = addGenericRow(container, itemFields, f, () => loc(f.label), container.nextElementSibling);
      }
      for (const c of row.querySelectorAll('[data-hegui-field]')) {
        const v = item?.[c.dataset.heguiField];
        c.value = v == null ? '' : String(v);
      }
    }
  }
  const items = getIn(doc, ITEMS_PATH.split('.'));
  state.items = {};
  if (items && typeof items === 'object') for (const [k, v] of Object.entries(items)) state.items[k] = String(v);
  for (const c of form.querySelectorAll('[data-item]')) c.value = state.items[c.dataset.item] ?? '';
}

// ---------------------------------------------------------------------------------------------
// bindForm: field messages next to the controls, one binding per chosen pack

function genericName(control) {
  const row = control.closest('[data-hegui-row]');
  if (row) {
    const list = row.closest('[data-hegui-list]')?.dataset.heguiList;
    return list ? `${list}[].${control.dataset.heguiField}` : null;
  }
  return control.name || null;
}

function rebind() {
  for (const b of state.bindings) b.destroy();
  state.bindings = [];
  const owned = new Set();
  for (const kind of KINDS) {
    const entry = state.chosen[kind];
    if (!entry) continue;
    const taken = new Set(owned);
    // A field read by several packs gets its message from the first pack only.
    state.bindings.push(bindForm(form, entry.engine, {
      lang: state.lang,
      mapping: (c) => (taken.has(genericName(c)) ? '_hegui_demo.not_mine' : null),
      onError: (e) => showError(e),
    }));
    for (const f of entry.fields) owned.add(f.path);
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation and the decision panel

/** Re-evaluates and redraws the panel; skipped when the input did not change (a `change` event
 * after `input`, on blur), so a click that blurs a field still lands on the panel's links. */
function refresh(force = false) {
  const input = collectInput();
  const text = JSON.stringify(input);
  if (force !== true && text === state.lastText) return;
  state.lastText = text;
  state.input = input;
  for (const kind of KINDS) {
    const entry = state.chosen[kind];
    state.outcomes[kind] = entry ? JSON.parse(entry.engine.evaluateJson(text, { lang: 'both' })) : null;
    const nat = state.national[kind];
    state.nationalOutcomes[kind] = nat && nat !== entry ? JSON.parse(nat.engine.evaluateJson(text, { lang: 'both' })) : null;
  }
  render();
  saveDraft();
}

function render() {
  renderDecisions();
  renderMissing();
  renderMatrix();
  renderChart();
}

function sourceTitle(pack, id) {
  const s = pack.sources.find((x) => x.id === id);
  return s ? loc(s.title) : id;
}

function fmtValue(name, d) {
  const v = d.value;
  if (d.status === 'pending') return t('pending');
  if (d.status === 'error') return t('error');
  if (v === null || v === undefined) return t('notApplicable');
  switch (name) {
    case 'risk.hazard_grade':
      return state.lang === 'zh' ? `${{ I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ' }[v] || v}级` : `Grade ${v}`;
    case 'risk.management_grade':
      return state.lang === 'zh' ? `${v}级` : `Grade ${v}`;
    case 'risk.industry_risk':
      return t({ serious: 'riskSerious', general: 'riskGeneral' }[v] || String(v));
    case 'risk.class':
      return state.lang === 'zh' ? `${v}类` : `Class ${v}`;
    case 'supervision.policy': {
      const samp = { reduced: 'sampReduced', routine: 'sampRoutine', increased: 'sampIncreased' }[v.sampling];
      const onsite = v.onsite_interval_months == null ? t('onsiteNone') : t('onsiteEvery', { n: v.onsite_interval_months });
      const parts = [`${t('sampling')}：${samp ? t(samp) : v.sampling}`, `${t('onsite')}：${onsite}`];
      if (v.proactive_onsite) parts.push(t('proactive'));
      return state.lang === 'zh' ? parts.join('；') : parts.join('; ').replace(/：/g, ': ');
    }
    default:
      break;
  }
  if (name.startsWith('obligations.') && typeof v === 'object' && 'applies' in v) {
    if (!v.applies) return t('notRequired');
    return v.due ? `${t('due')} ${v.due}` : t('noDue');
  }
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const STATUS = { pass: 'sPass', fail: 'sFail', pending: 'sPending', not_applicable: 'sNa', error: 'sError' };

function decisionLabel(name, pack) {
  if (DECISIONS[name]) return pick(DECISIONS[name]);
  const dec = pack.decisions.find((d) => d.name === name);
  const rule = dec && pack.rules.find((r) => r.id === dec.rule);
  return loc(rule?.title) || name;
}

function renderDecisions() {
  const box = $('#decisions');
  const openNow = new Set([...box.querySelectorAll('details[open]')].map((d) => d.dataset.decision));
  const groups = [];
  for (const kind of KINDS) {
    const entry = state.chosen[kind];
    const outcome = state.outcomes[kind];
    if (!entry || !outcome) continue;
    const nat = state.nationalOutcomes[kind];
    const order = entry.pack.decisions.map((d) => d.name).filter((n) => outcome.decisions[n]);
    for (const n of Object.keys(outcome.decisions)) if (!order.includes(n)) order.push(n);
    const rulesById = new Map(outcome.rules.map((r) => [r.id, r]));
    const metaById = new Map(entry.pack.rules.map((r) => [r.id, r]));
    const items = order.map((name) => {
      const d = outcome.decisions[name];
      const natD = nat?.decisions?.[name];
      const differs = nat && (!natD || JSON.stringify(natD.value) !== JSON.stringify(d.value) || natD.status !== d.status);
      const overdue = d.value && typeof d.value === 'object' && d.value.overdue === true;
      const summary = el('summary', {},
        el('span', { class: 'd-label', text: decisionLabel(name, entry.pack) }),
        el('span', { class: `d-value s-${d.status}`, 'data-value': true, text: fmtValue(name, d) }),
        d.scheme ? el('span', { class: 'scheme', text: `${t('scheme')} ${d.scheme}` }) : null,
        overdue ? el('span', { class: 'badge overdue', text: t('overdue') }) : null,
        d.unverified ? el('span', { class: 'badge unverified', title: t('unverifiedTip'), text: t('unverified') }) : null,
        differs ? el('span', { class: 'badge changed', text: t('changed') }) : null,
      );
      const why = el('div', { class: 'why' });
      if (differs && natD) {
        why.append(el('p', { class: 'national-value' }, `${t('national')} ${state.national[kind].id}${colon()}`,
          el('strong', { text: fmtValue(name, natD) })));
      }
      why.append(el('p', { class: 'why-title', text: t('rulesDecided') }));
      why.append(el('ol', {}, ...(d.because || []).map((id) => {
        const meta = metaById.get(id) || {};
        const r = rulesById.get(id) || {};
        const bases = [].concat(r.basis || meta.basis || []);
        const unverified = meta.verified === false || r.unverified === true;
        return el('li', { class: `rule s-${r.status || 'x'}` },
          el('div', {}, el('code', { text: id }), ' ', el('span', { text: loc(meta.title) }), ' ',
            el('span', { class: `status s-${r.status}`, text: `${t('status')}: ${t(STATUS[r.status] || r.status || '')}` }),
            r.value !== undefined && r.value !== null && typeof r.value !== 'object'
              ? el('span', { class: 'rvalue', text: ` = ${r.value}` }) : null,
            unverified ? el('span', { class: 'badge unverified', text: t('unverified') }) : null),
          r.status === 'fail' && r.message ? el('p', { class: 'rmsg', text: loc(r.message) }) : null,
          ...bases.map((b) => el('p', { class: 'basis' },
            el('span', { class: 'src-title', text: `${t('source')}${colon()}${sourceTitle(entry.pack, b.source)}` }),
            b.article ? el('span', { text: ` · ${t('article')}${colon()}${b.article}` }) : null)),
        );
      })));
      const det = el('details', {
        class: `decision${differs ? ' differs' : ''}${overdue ? ' is-overdue' : ''}`,
        'data-decision': name, 'data-status': d.status, open: openNow.has(name),
      }, summary, why);
      return det;
    });
    const errs = (outcome.errors || []);
    groups.push(el('section', { class: 'group', 'data-kind': kind },
      el('h3', {}, t(GROUP_TEXT[kind]), el('span', { class: 'pack-id', text: ` ${entry.id}` })),
      ...items,
      errs.length ? el('div', { class: 'errors', role: 'alert' },
        el('p', { text: t('errorsTitle') }),
        el('ul', {}, ...errs.map((e) => el('li', {}, e.path ? fieldLink(e.path) : null, ' ', loc(e.message) || e.code)))) : null,
    ));
  }
  box.replaceChildren(...groups);
}

function genericPath(path) {
  return path.replace(/\[\d+\]/g, '[]');
}

function fieldLabel(path) {
  const f = state.decls.get(genericPath(path));
  let label = f ? loc(f.label) : path;
  const m = /\[(\d+)\]/.exec(path);
  if (m) {
    const list = state.decls.get(path.slice(0, m.index));
    label = `${list ? loc(list.label) : path.slice(0, m.index)} #${Number(m[1]) + 1} · ${label}`;
  }
  return label;
}

function fieldLink(path) {
  return el('a', {
    href: `#${encodeURIComponent(path)}`, class: 'field-link', 'data-path': path, text: fieldLabel(path),
    onclick: (e) => { e.preventDefault(); focusPath(path); },
  });
}

/** The control for an input path (rows by index), or the list's add button. */
function controlOf(path) {
  const byName = [...form.elements].find((c) => c.name === path);
  if (byName) return byName;
  const m = /^(.*?)\[(\d+)\]\.(.+)$/.exec(path);
  if (m) {
    const container = form.querySelector(`[data-hegui-list="${m[1]}"]`);
    const row = container?.querySelectorAll(':scope > [data-hegui-row]')[Number(m[2])];
    const c = row?.querySelector(`[data-hegui-field="${m[3]}"]`);
    if (c) return c;
  }
  const base = path.replace(/\[\d+\].*$/, '');
  const container = form.querySelector(`[data-hegui-list="${base}"]`);
  if (container) return container.querySelector('input, select') || container.parentElement.querySelector('.add');
  if (path.startsWith(ITEMS_PATH)) return form.querySelector('[data-item]');
  return null;
}

function focusPath(path) {
  const c = controlOf(path);
  if (!c) return;
  c.closest('details')?.setAttribute('open', '');
  c.scrollIntoView({ block: 'center' });
  c.focus();
}

function renderMissing() {
  const paths = [];
  for (const kind of KINDS) for (const p of state.outcomes[kind]?.missing || []) if (!paths.includes(p)) paths.push(p);
  const ul = $('#missing');
  if (!paths.length) ul.replaceChildren(el('li', { class: 'none', text: t('missingNone') }));
  else ul.replaceChildren(...paths.map((p) => el('li', {}, fieldLink(p))));
}

function renderMatrix() {
  const box = $('#matrix');
  const entry = state.chosen.supervision;
  const outcome = state.outcomes.supervision;
  box.replaceChildren();
  if (!entry || !outcome) return;
  const rule = entry.pack.rules.find((r) => r.decision === 'risk.class');
  const table = (entry.bundle.pack?.tables || []).find((x) => x.id === rule?.table);
  if (!table) return;
  const col = (name) => table.columns.indexOf(name);
  const [ih, im, ic, iv] = [col('in:hazard_grade'), col('in:management_grade'), col('out:class'), col('verified')];
  const hs = [...new Set(table.rows.map((r) => r[ih]))];
  const ms = [...new Set(table.rows.map((r) => r[im]))];
  const dh = outcome.decisions['risk.hazard_grade'];
  const dm = outcome.decisions['risk.management_grade'];
  const h = dh?.status === 'decided' ? dh.value : null;
  const m = dm?.status === 'decided' ? dm.value : null;
  const roman = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ' };
  const scheme = outcome.decisions['risk.class']?.scheme || rule.scheme || '';
  const tbl = el('table', { class: 'matrix', 'data-scheme': scheme },
    el('caption', { text: `${t('matrixCaption')}${scheme ? `（${t('scheme')} ${scheme}）` : ''}` }),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: `${t('hazardGrade')} \\ ${t('managementGrade')}` }),
      ...ms.map((x) => el('th', { scope: 'col', class: x === m ? 'on' : null, text: x })))),
    el('tbody', {}, ...hs.map((hv) => el('tr', { class: hv === h ? 'on' : null },
      el('th', { scope: 'row', class: hv === h ? 'on' : null, text: roman[hv] || hv }),
      ...ms.map((mv) => {
        const row = table.rows.find((r) => r[ih] === hv && r[im] === mv);
        const hit = hv === h && mv === m;
        const unv = row && iv >= 0 && row[iv] === 'false';
        const cls = row ? row[ic] : '';
        return el('td', {
          class: [hit ? 'hit' : '', hv === h || mv === m ? 'path' : '', unv ? 'unv' : '', `c-${cls}`].join(' ').trim(),
          'aria-current': hit ? 'true' : null,
          title: unv ? t('unverified') : null,
        }, state.lang === 'zh' ? `${cls}类` : cls, unv ? el('sup', { text: '?' }) : null);
      })))),
  );
  box.append(tbl);
}

function renderChart() {
  const box = $('#chart');
  const entry = state.chosen['healthy-enterprise'];
  const outcome = state.outcomes['healthy-enterprise'];
  box.replaceChildren();
  if (!entry || !outcome) return;
  const prefix = 'healthy_enterprise.domain_scores.';
  const domains = entry.pack.rules.filter((r) => r.kind === 'derive' && (r.sets || '').startsWith(prefix));
  if (!domains.length) {
    box.append(el('p', { class: 'help', text: t('chartNone') }));
    return;
  }
  const rules = new Map(outcome.rules.map((r) => [r.id, r]));
  const { items } = scoringItems();
  const data = domains.map((r) => {
    const key = r.sets.slice(prefix.length);
    const max = items.filter((i) => i.domain === key).reduce((s, i) => s + (Number(i.max) || 0), 0);
    const v = rules.get(r.id)?.value;
    return { key, label: DOMAINS[key] ? pick(DOMAINS[key]) : loc(r.title), value: typeof v === 'number' ? v : null, max };
  });
  const W = 360; const rowH = 30; const labelW = 110; const barW = W - labelW - 70;
  const top = Math.max(1, ...data.map((d) => d.max || d.value || 0));
  const desc = data.map((d) => `${d.label}: ${d.value == null ? t('chartNa') : `${d.value}${d.max ? ` / ${d.max}` : ''}`}`).join('; ');
  const chart = svg('svg', { viewBox: `0 0 ${W} ${data.length * rowH + 10}`, width: '100%', role: 'img', 'aria-label': `${t('chartTitle')}: ${desc}`, class: 'bars' },
    svg('title', {}, `${t('chartTitle')}: ${desc}`),
    ...data.map((d, i) => {
      const y = i * rowH + 5;
      const w = d.value == null ? 0 : Math.max(2, (d.value / top) * barW);
      const mw = d.max ? (d.max / top) * barW : 0;
      const label = svg('text', { x: labelW - 6, y: y + 17, 'text-anchor': 'end', class: 'bar-label' });
      label.textContent = d.label;
      const val = svg('text', { x: labelW + Math.max(w, mw) + 6, y: y + 17, class: 'bar-value' });
      val.textContent = d.value == null ? t('chartNa') : `${d.value}${d.max ? ` / ${d.max}` : ''}`;
      return svg('g', { 'data-domain': d.key },
        label,
        mw ? svg('rect', { x: labelW, y: y + 4, width: mw, height: 18, class: 'bar-max' }) : null,
        svg('rect', { x: labelW, y: y + 4, width: w, height: 18, class: d.value == null ? 'bar na' : 'bar' }),
        val);
    }),
  );
  box.append(chart);
}

// ---------------------------------------------------------------------------------------------
// Submit to POST /v1/verify

async function submit() {
  const out = $('#verdict');
  out.className = 'verdict';
  out.textContent = t('sending');
  const input = collectInput();
  const text = JSON.stringify(input);
  const lines = [];
  let allAccepted = true;
  const sent = [];
  for (const kind of KINDS) {
    const entry = state.chosen[kind];
    if (!entry) continue;
    // The claimed outcome is the canonical outcome JSON, as the native engine writes it.
    const outcome = JSON.parse(entry.engine.evaluateJson(text));
    if (kind === 'supervision' && $('#tamper').checked && outcome.decisions['risk.class']) {
      outcome.decisions['risk.class'].value = $('#tamper-class').value;
    }
    const pack = { id: entry.engine.id, version: entry.engine.version, digest: entry.engine.digest };
    const body = `{"pack":${JSON.stringify(pack)},"input":${text},"outcome":${JSON.stringify({ pack: outcome.pack, complete: outcome.complete, decisions: outcome.decisions })}}`;
    sent.push(body);
    try {
      const res = await fetchJson(`/v1/verify?lang=${state.lang}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const ok = res.verdict === 'accepted';
      allAccepted &&= ok;
      lines.push(el('li', { class: ok ? 'ok' : 'bad', 'data-pack': entry.id, 'data-verdict': res.verdict },
        el('strong', { text: `${entry.id}: ` }), ok ? t('accepted') : t('rejected'),
        ok ? null : el('ul', {}, ...(res.reasons || []).map((r) => el('li', { text: reasonText(r) })))));
    } catch (e) {
      allAccepted = false;
      lines.push(el('li', { class: 'bad', 'data-pack': entry.id, 'data-verdict': 'error', text: `${entry.id}: ${t('sendFailed')}${e.message}` }));
    }
  }
  $('#payload').value = sent.join('\n');
  out.className = `verdict ${allAccepted ? 'accepted' : 'rejected'}`;
  out.replaceChildren(el('ul', {}, ...lines));
}

function reasonText(r) {
  if (r.code === 'decision.differs' && state.lang === 'zh') {
    const label = DECISIONS[r.decision] ? DECISIONS[r.decision][0] : r.decision;
    return `${label}：申报为 ${JSON.stringify(r.claimed)}，服务器重算为 ${JSON.stringify(r.recomputed)}（${r.code}）`;
  }
  // The server renders reasons in the page's language (`?lang=`): `{zh}` or `{en}`.
  const m = r.message;
  const text = typeof m === 'string' ? m : m && (m[state.lang] || m.en || m.zh);
  return `${text || r.code} (${r.code})`;
}

// ---------------------------------------------------------------------------------------------
// Draft, import/export, print, language

function saveDraft() {
  if (!state.ready) return; // not before the draft is restored
  try {
    localStorage.setItem(DRAFT_KEY, JSON.stringify({ jurisdiction: state.jurisdiction, lang: state.lang, input: state.input, items: state.items }));
  } catch { /* storage full or disabled: the draft is a convenience */ }
}

function loadDraft() {
  try {
    return JSON.parse(localStorage.getItem(DRAFT_KEY) || 'null');
  } catch {
    return null;
  }
}

function exportJson() {
  const blob = new Blob([`${JSON.stringify(collectInput(), null, 2)}\n`], { type: 'application/json' });
  const a = el('a', { href: URL.createObjectURL(blob), download: 'hegui-input.json' });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
}

async function importJson(file) {
  const out = $('#verdict');
  try {
    const doc = JSON.parse(await file.text());
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a JSON object');
    fill(doc);
    changed();
    out.className = 'verdict';
    out.textContent = t('imported');
  } catch (e) {
    out.className = 'verdict rejected';
    out.textContent = t('importFailed') + e.message;
  }
}

function setLang(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t('title')} · hegui`;
  const btn = $('#lang-toggle');
  btn.textContent = lang === 'zh' ? 'English' : '中文';
  btn.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
  applyTexts();
  for (const c of document.querySelectorAll('[data-hegui-list]')) {
    const kind = Object.keys(ROW_TEMPLATES).find((k) => ROW_TEMPLATES[k][1] === `#${c.id}`);
    if (kind) renumber(c, ROW_TEMPLATES[kind][2]);
  }
  if (!state.ready) return;
  $('#verdict').replaceChildren();
  const input = collectInput();
  renderJurisdictions();
  renderItems();
  renderExtras();
  fill(input);
  rebind();
  renderPacksLine();
  refresh(true);
}

function showError(e) {
  console.error(e);
  const box = $('#load-error');
  box.hidden = false;
  box.textContent = String(e?.message || e);
}

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

async function main() {
  const params = new URLSearchParams(location.search);
  const draft = params.has('fresh') ? null : loadDraft();
  setLang(params.get('lang') === 'en' || (!params.get('lang') && draft?.lang === 'en') ? 'en' : 'zh');
  $('#packs-line').textContent = t('loading');
  await init();
  state.packs = (await fetchJson('/v1/packs')).packs;
  const seen = new Map();
  for (const p of state.packs) {
    const [j, kind] = splitId(p.id);
    if (KINDS.includes(kind) && !seen.has(j)) seen.set(j, { code: j, title: p.title });
  }
  const known = Object.keys(JURISDICTIONS);
  state.jurisdictions = [...seen.values()].sort((a, b) => {
    const ia = known.indexOf(a.code); const ib = known.indexOf(b.code);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.code.localeCompare(b.code);
  });
  const want = params.get('j') || draft?.jurisdiction || 'cn';
  state.jurisdiction = seen.has(want) ? want : 'cn';
  renderJurisdictions();

  for (const btn of form.querySelectorAll('[data-add]')) {
    btn.addEventListener('click', () => { addRow(btn.dataset.add, { focus: true }); changed(); });
  }
  $('#jurisdiction').addEventListener('change', (e) => choose(e.target.value).catch(showError));
  $('#lang-toggle').addEventListener('click', () => setLang(state.lang === 'zh' ? 'en' : 'zh'));
  $('#submit').addEventListener('click', () => submit().catch(showError));
  $('#export').addEventListener('click', exportJson);
  $('#import-file').addEventListener('change', (e) => { if (e.target.files[0]) importJson(e.target.files[0]); e.target.value = ''; });
  $('#print').addEventListener('click', () => window.print());
  $('#clear').addEventListener('click', () => { fill({}); changed(); $('#f-date').focus(); });
  window.addEventListener('beforeprint', () => { for (const d of document.querySelectorAll('details.decision')) d.open = true; });
  form.addEventListener('submit', (e) => e.preventDefault());

  await choose(state.jurisdiction);
  if (draft?.input) {
    state.items = draft.items || {};
    fill(draft.input);
    for (const [k, v] of Object.entries(draft.items || {})) state.items[k] = v;
    renderItems();
    $('#verdict').textContent = t('restored');
  } else {
    fill({ assessment_date: today() });
  }
  state.ready = true;
  // The panel follows every keystroke (bindForm's listeners run first and place the messages).
  form.addEventListener('input', refresh);
  form.addEventListener('change', refresh);
  changed();
  window.heguiDemo = { state, refresh, collectInput, fill };
  document.body.dataset.ready = 'true';
}

main().catch(showError);
