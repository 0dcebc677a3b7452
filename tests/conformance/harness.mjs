// The conformance check shared by Node (run-node.mjs) and Chromium (run-browser.mjs): every case
// of the corpus written by `cargo run -p hegui-wasm --example conformance` is evaluated by the
// WASM engine and must give the native engine's outcome JSON byte for byte. The object API
// (`evaluate`) must agree with the text API on the same (JS-normalised) document.
//
// runCorpus({Engine, readText, log}): readText(relativePath) -> Promise<string>.

function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `at byte ${i}: wasm …${JSON.stringify(a.slice(Math.max(0, i - 40), i + 60))}… native …${JSON.stringify(b.slice(Math.max(0, i - 40), i + 60))}…`;
}

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

export async function runCorpus({ Engine, readText, log = console.log }) {
  const index = JSON.parse(await readText('index.json'));
  let passed = 0;
  let failed = 0;
  const failures = [];
  const fail = (what) => {
    failed++;
    if (failures.length < 20) failures.push(what);
  };
  for (const entry of index) {
    const bundleText = await readText(entry.bundle);
    if (entry.load_error) {
      try {
        Engine.fromBundle(bundleText);
        fail(`${entry.id}: loaded, but the native engine refuses it (${entry.load_error.code})`);
      } catch (e) {
        if (e && e.code === entry.load_error.code && (e.rule ?? null) === entry.load_error.rule) {
          passed++;
        } else {
          fail(`${entry.id}: threw ${e && e.code} (${e && e.message}), expected ${entry.load_error.code}`);
        }
      }
      continue;
    }
    let engine;
    try {
      engine = Engine.fromBundle(bundleText);
      // The same bundle as an object and as bytes loads to the same digest.
      const viaObject = Engine.fromBundle(JSON.parse(bundleText));
      const viaBytes = Engine.fromBundle(new TextEncoder().encode(bundleText));
      if (viaObject.digest !== engine.digest || viaBytes.digest !== engine.digest) {
        fail(`${entry.id}: bundle as text, object and bytes give different digests`);
      }
      viaObject.free();
      viaBytes.free();
    } catch (e) {
      fail(`${entry.id}: cannot load the bundle: ${e && e.code} ${e && e.message}`);
      continue;
    }
    const lines = (await readText(entry.cases)).split('\n').filter((l) => l.length > 0);
    let packPassed = 0;
    for (const line of lines) {
      const c = JSON.parse(line);
      const opts = c.decisions ? { lang: c.lang, decisions: c.decisions } : { lang: c.lang };
      let ok = true;
      try {
        const got = engine.evaluateJson(c.input, opts);
        if (got !== c.expected) {
          ok = false;
          fail(`${entry.id} / ${c.name} (${c.lang}): ${firstDifference(got, c.expected)}`);
        }
        let doc;
        try {
          doc = JSON.parse(c.input);
        } catch {
          doc = undefined; // not JSON: only the text API applies
        }
        if (ok && doc !== undefined) {
          let viaObject;
          try {
            viaObject = engine.evaluate(doc, opts);
          } catch (e) {
            // Documented: a document JSON.stringify cannot write (here: nested deeper than the
            // JS stack allows) is refused with a thrown HeguiError, not an outcome.
            if (e && e.name === 'HeguiError' && e.code === 'input.unserializable') {
              passed++;
              packPassed++;
              continue;
            }
            throw e;
          }
          const viaText = JSON.parse(engine.evaluateJson(JSON.stringify(doc), opts));
          if (!deepEqual(viaObject, viaText)) {
            ok = false;
            fail(`${entry.id} / ${c.name}: evaluate(object) differs from evaluateJson(text)`);
          }
        }
      } catch (e) {
        ok = false;
        fail(`${entry.id} / ${c.name}: threw ${e && e.name} ${e && e.code} ${e && e.message}`);
      }
      if (ok) {
        passed++;
        packPassed++;
      }
    }
    log(`  ${entry.id}: ${packPassed}/${lines.length} identical`);
    engine.free();
  }
  for (const f of failures) log(`FAIL ${f}`);
  return { passed, failed, failures };
}
