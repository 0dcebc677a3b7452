// bindForm(formElement, engine, options): live hegui messages on an existing form.
//
// The form stays the portal's: bindForm never prevents an event, replaces an element or touches
// the form's own validation (unless options.nativeValidity). It reads the controls, builds the
// input document with the types of engine.fields(), evaluates on `input` and `change`, and puts
// each field's messages in an element it creates after the control, linked with
// aria-describedby and flagged with aria-invalid. Rule text is inserted as text nodes only.
//
// Control -> input path (first that applies):
//   options.mapping[control.name] (or options.mapping(control) when it is a function),
//   the control's data-hegui-path attribute, its name.
// Paths are dotted (`employer.employees`); list items by index (`hazards.factors[0].name`), or
// by rows: inside an element with data-hegui-list="hazards.factors", each element with
// data-hegui-row is one item, and a control in it names its item field by data-hegui-field or
// by its name (a trailing `[]` dropped). Controls that match no field are left alone.
// A control under a map field (`healthy_enterprise.items`) names one key, dots allowed: all
// after the declared map path is the key (`…items.HE-PJBZ.1.1.1`, `…items[HE-PJBZ.1.1.1]`,
// `…items["HE-PJBZ.1.1.1"]`), or data-hegui-key, or a mapping to {path, key}. See docs/wasm.md.

let bindings = 0;

const SKIP_TYPES = new Set(['button', 'submit', 'reset', 'image', 'file', 'fieldset', 'output']);
const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on', '是', '有']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off', '否', '无']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `zh…` → "zh", anything else → "en". */
export function pageLang(tag) {
  return /^zh/i.test(String(tag || '')) ? 'zh' : 'en';
}

/** Splits `a.b[2].c` into ["a", "b", 2, "c"]; null when the path is not of that shape. */
export function parsePath(path) {
  const out = [];
  for (const part of String(path).split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return null;
    out.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

function joinPath(segments) {
  let s = '';
  for (const seg of segments) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s === '' ? seg : `.${seg}`;
  }
  return s;
}

/** The declared path segments fall under: list indices as `[]` (`hazards.factors[].name`). */
function genericPath(segments) {
  let s = '';
  for (const seg of segments) {
    if (typeof seg === 'number') s += '[]';
    else s += s === '' ? seg : `.${seg}`;
  }
  return s;
}

/** The key after a map field's path: `.k` (all the rest), `[k]`, `["k"]`, `['k']`; or null. */
function mapKey(rest) {
  let key = null;
  if (rest.startsWith('.')) {
    key = rest.slice(1);
  } else if (rest.startsWith('[') && rest.endsWith(']')) {
    key = rest.slice(1, -1);
    const q = key[0];
    if (q === '"' || q === "'") {
      if (key.length < 2 || key[key.length - 1] !== q) return null;
      key = key.slice(1, -1).replace(/\\(.)/gs, '$1');
    }
  }
  return key ? key : null;
}

/** Converts a control's text to the field's JSON type; `undefined` means absent. */
export function convert(text, type) {
  if (typeof text === 'boolean') return text;
  const s = String(text ?? '').trim();
  if (s === '') return undefined;
  switch (type) {
    case 'bool': {
      const w = s.toLowerCase();
      if (TRUE_WORDS.has(w)) return true;
      if (FALSE_WORDS.has(w)) return false;
      return s; // the engine reports the wrong type against the field
    }
    case 'integer':
    case 'number':
    case 'map': {
      const n = s.replace(/[\s,，]/g, '');
      return NUMBER.test(n) ? Number(n) : s;
    }
    default:
      return s;
  }
}

function setIn(doc, segments, value) {
  let cur = doc;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i];
    const nextIsIndex = typeof segments[i + 1] === 'number';
    if (cur[seg] === undefined || cur[seg] === null || typeof cur[seg] !== 'object') {
      cur[seg] = nextIsIndex ? [] : {};
    }
    cur = cur[seg];
  }
  cur[segments[segments.length - 1]] = value;
}

export function bindForm(form, engine, options = {}) {
  if (!form || typeof form.querySelectorAll !== 'function') {
    throw new TypeError('bindForm: the first argument is not a form element');
  }
  if (!engine || typeof engine.evaluate !== 'function' || typeof engine.fields !== 'function') {
    throw new TypeError('bindForm: the second argument is not a hegui Engine');
  }
  const doc = form.ownerDocument;
  const lang = pageLang(options.lang || doc.documentElement.getAttribute('lang'));
  const decls = new Map();
  for (const f of engine.fields()) decls.set(f.path, f);
  const mapFields = new Set([...decls.values()].filter((f) => f.type === 'map').map((f) => f.path));
  /** Path text -> segments, cached (the same controls are read on every event). */
  const resolved = new Map();
  const messageClass = options.messageClass || 'hegui-message';
  const prefix = `hegui-${++bindings}-`;
  let counter = 0;
  let timer = null;
  let destroyed = false;
  let lastOutcome = null;
  /** path -> {controls, el, saved: Map(control -> {invalid, describedby})} */
  const shown = new Map();

  /** A path string, or {path, key} for one key of a map field; null when unmapped. */
  function pathOf(control) {
    const m = options.mapping;
    if (typeof m === 'function') {
      const p = m(control);
      if (p) return p;
    } else if (m && control.name && Object.prototype.hasOwnProperty.call(m, control.name)) {
      return m[control.name];
    }
    const path = control.getAttribute('data-hegui-path') || control.name || null;
    const key = control.getAttribute('data-hegui-key');
    return path && key ? { path, key } : path;
  }

  /** Segments of a path, a map key as one segment; the first prefix that is a map field ends it. */
  function segmentsOf(p) {
    if (p && typeof p === 'object') {
      const head = parsePath(p.path);
      const key = p.key === undefined || p.key === null ? '' : String(p.key);
      return head && key !== '' ? [...head, key] : null;
    }
    const text = String(p);
    if (resolved.has(text)) return resolved.get(text);
    let out;
    if (mapFields.size) {
      for (let i = 1; i < text.length && out === undefined; i++) {
        if (text[i] !== '.' && text[i] !== '[') continue;
        const head = parsePath(text.slice(0, i));
        if (!head || !mapFields.has(genericPath(head))) continue;
        const key = mapKey(text.slice(i));
        out = key === null ? null : [...head, key];
      }
    }
    if (out === undefined) out = parsePath(text);
    resolved.set(text, out);
    return out;
  }

  /** The declaration a concrete path falls under: {type} or null. */
  function declOf(segments) {
    const d = decls.get(genericPath(segments));
    if (d) return d.type === 'list' ? null : { type: d.type };
    // One key of a map field: the segments before it name the map.
    const last = segments[segments.length - 1];
    const under = segments.length > 1 && genericPath(segments.slice(0, -1));
    return typeof last === 'string' && mapFields.has(under) ? { type: 'map' } : null;
  }

  /** Reads every mapped control: the input document and the controls of each concrete path. */
  function collect() {
    const input = {};
    const entries = []; // {control, segments, value, listKey?, index?}
    const containers = [...form.querySelectorAll('[data-hegui-list]')];
    const inContainer = new Set();
    for (const container of containers) {
      const listPath = container.getAttribute('data-hegui-list');
      const list = decls.get(listPath);
      const listSegs = parsePath(listPath);
      if (!list || list.type !== 'list' || !listSegs) continue;
      const rows = [...container.querySelectorAll('[data-hegui-row]')].filter(
        (r) => r.closest('[data-hegui-list]') === container,
      );
      entries.push({ container, segments: listSegs, list: true, rows: rows.length });
      rows.forEach((row, i) => {
        for (const control of row.querySelectorAll('input, select, textarea')) {
          if (control.closest('[data-hegui-row]') !== row) continue;
          inContainer.add(control);
          const name = (control.getAttribute('data-hegui-field') || control.name || '').replace(
            /\[\]$/,
            '',
          );
          if (!name || name.includes('.') || name.includes('[')) continue;
          entries.push({ control, segments: [...listSegs, i, name] });
        }
      });
    }
    for (const control of form.elements) {
      if (inContainer.has(control)) continue;
      if (control.closest('[data-hegui-list]') && form.contains(control.closest('[data-hegui-list]'))) {
        continue;
      }
      const p = pathOf(control);
      const segments = p && segmentsOf(p);
      if (segments) entries.push({ control, segments });
    }
    // Name-indexed list rows are renumbered 0, 1, 2… in index order, so a removed row leaves
    // no hole; messages find their control through the same renumbering.
    const indices = new Map();
    for (const e of entries) {
      if (e.list) continue;
      const k = e.segments.findIndex((s) => typeof s === 'number');
      if (k < 0 || e.control.closest('[data-hegui-row]')) continue;
      const key = joinPath(e.segments.slice(0, k));
      if (!indices.has(key)) indices.set(key, new Set());
      indices.get(key).add(e.segments[k]);
      e.listKey = key;
      e.at = k;
    }
    const ranks = new Map();
    for (const [key, set] of indices) {
      ranks.set(key, new Map([...set].sort((a, b) => a - b).map((v, i) => [v, i])));
    }
    const groups = new Map(); // concrete path -> {controls: [], container?}
    for (const e of entries) {
      if (e.list) {
        const key = joinPath(e.segments);
        if (!groups.has(key)) groups.set(key, { controls: [], container: e.container });
        // Every row is an item, even one whose controls are all empty.
        setIn(input, e.segments, Array.from({ length: e.rows }, () => ({})));
        continue;
      }
      const segments = e.listKey
        ? e.segments.map((s, i) => (i === e.at ? ranks.get(e.listKey).get(s) : s))
        : e.segments;
      const d = declOf(segments);
      const c = e.control;
      if (!d || c.disabled || SKIP_TYPES.has(c.type) || c.type === 'select-multiple') continue;
      const key = joinPath(segments);
      if (!groups.has(key)) groups.set(key, { controls: [] });
      groups.get(key).controls.push(c);
      let value;
      if (c.type === 'checkbox') {
        value = d.type === 'bool' ? c.checked : c.checked ? convert(c.value, d.type) : undefined;
      } else if (c.type === 'radio') {
        if (!c.checked) continue;
        value = convert(c.value, d.type);
      } else {
        value = convert(c.value, d.type);
      }
      if (value !== undefined) setIn(input, segments, value);
    }
    // A row whose controls are all empty is still an item.
    for (const [key, set] of indices) {
      const list = getIn(input, parsePath(key));
      if (Array.isArray(list)) {
        for (let i = 0; i < set.size; i++) if (list[i] === undefined) list[i] = {};
      } else if (list === undefined) {
        setIn(input, parsePath(key), Array.from({ length: set.size }, () => ({})));
      }
    }
    return { input, groups };
  }

  function getIn(obj, segments) {
    let cur = obj;
    for (const s of segments) {
      if (cur === undefined || cur === null) return undefined;
      cur = cur[s];
    }
    return cur;
  }

  function textOf(message) {
    if (!message || typeof message !== 'object') return '';
    return message[lang] ?? message.zh ?? message.en ?? '';
  }

  function clear(path) {
    const s = shown.get(path);
    if (!s) return;
    shown.delete(path);
    s.el.remove();
    for (const [control, saved] of s.saved) {
      const tokens = (control.getAttribute('aria-describedby') || '')
        .split(/\s+/)
        .filter((t) => t && t !== s.el.id);
      if (tokens.length) control.setAttribute('aria-describedby', tokens.join(' '));
      else control.removeAttribute('aria-describedby');
      if (saved.invalid === null) control.removeAttribute('aria-invalid');
      else control.setAttribute('aria-invalid', saved.invalid);
      if (options.nativeValidity && typeof control.setCustomValidity === 'function') {
        control.setCustomValidity('');
      }
    }
  }

  function show(path, group, notes) {
    const texts = notes.map((n) => textOf(n.message));
    const invalid = notes.some(
      (n) => n.status === 'error' || (n.status === 'fail' && n.severity !== 'warning'),
    );
    const prev = shown.get(path);
    const sameControls =
      prev &&
      prev.controls.length === group.controls.length &&
      prev.controls.every((c, i) => c === group.controls[i]) &&
      prev.container === group.container &&
      prev.el.isConnected;
    if (prev && sameControls && prev.key === JSON.stringify([texts, invalid])) return;
    if (prev) clear(path);
    const el = doc.createElement('span');
    el.id = `${prefix}${++counter}`;
    el.className = messageClass;
    el.setAttribute('data-hegui-message', path);
    el.setAttribute('aria-live', 'polite');
    notes.forEach((n, i) => {
      const line = doc.createElement('span');
      line.className = `hegui-note hegui-${n.status}${n.severity === 'warning' ? ' hegui-warning' : ''}`;
      if (n.rule) line.setAttribute('data-hegui-rule', n.rule);
      line.appendChild(doc.createTextNode(texts[i]));
      el.appendChild(line);
    });
    const anchor = group.controls[group.controls.length - 1];
    if (typeof options.placeMessage === 'function') {
      options.placeMessage(el, group.controls.length ? group.controls : [group.container], path);
    } else if (anchor) {
      anchor.insertAdjacentElement('afterend', el);
    } else if (group.container) {
      group.container.appendChild(el);
    }
    const saved = new Map();
    for (const c of group.controls) {
      saved.set(c, { invalid: c.getAttribute('aria-invalid') });
      const tokens = (c.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
      tokens.push(el.id);
      c.setAttribute('aria-describedby', tokens.join(' '));
      if (invalid) c.setAttribute('aria-invalid', 'true');
      if (options.nativeValidity && invalid && typeof c.setCustomValidity === 'function') {
        c.setCustomValidity(texts.join(' '));
      }
    }
    shown.set(path, {
      el,
      controls: group.controls,
      container: group.container,
      saved,
      key: JSON.stringify([texts, invalid]),
    });
  }

  function render(outcome, groups) {
    const fields = (outcome && outcome.fields) || {};
    const wanted = new Set();
    for (const [path, group] of groups) {
      const notes = (fields[path] || []).filter((n) => n.status === 'fail' || n.status === 'error');
      if (notes.length === 0) continue;
      wanted.add(path);
      show(path, group, notes);
    }
    for (const path of [...shown.keys()]) if (!wanted.has(path)) clear(path);
  }

  // options.decisions: only those decisions and the rules they need are evaluated, so only
  // those rules annotate the form (docs/engine.md, "Selected decisions").
  const evaluateOptions = options.decisions ? { lang, decisions: options.decisions } : { lang };

  function evaluate() {
    if (destroyed) return null;
    clearTimeout(timer);
    timer = null;
    let outcome = null;
    try {
      const { input, groups } = collect();
      outcome = engine.evaluate(input, evaluateOptions);
      lastOutcome = outcome;
      render(outcome, groups);
    } catch (err) {
      if (typeof options.onError === 'function') options.onError(err);
      else console.error('hegui bindForm:', err);
      return null;
    }
    if (typeof options.onOutcome === 'function') {
      try {
        options.onOutcome(outcome);
      } catch (err) {
        console.error('hegui bindForm: onOutcome threw', err);
      }
    }
    return outcome;
  }

  function schedule() {
    const wait = Number(options.debounce) || 0;
    if (wait <= 0) {
      evaluate();
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(evaluate, wait);
  }

  // After a reset the controls hold their new values only once the event is over.
  const onReset = () => setTimeout(evaluate, 0);
  form.addEventListener('input', schedule);
  form.addEventListener('change', schedule);
  form.addEventListener('reset', onReset);
  if (options.evaluateNow !== false) evaluate();

  return {
    /** Evaluates now and returns the outcome (null after destroy() or on an error). */
    evaluate,
    /** The input document built from the form's current values. */
    input: () => collect().input,
    /** The latest outcome. */
    get outcome() {
      return lastOutcome;
    },
    /** Removes the listeners, the message elements and the attributes bindForm set. */
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearTimeout(timer);
      form.removeEventListener('input', schedule);
      form.removeEventListener('change', schedule);
      form.removeEventListener('reset', onReset);
      for (const path of [...shown.keys()]) clear(path);
    },
  };
}
