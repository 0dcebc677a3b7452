// Per-evaluation timing, the same in Node and in Chromium. For each input, `reps` back-to-back
// evaluations are timed together (a browser clock is too coarse for one evaluation) and divided;
// engines are measured round-robin over `rounds` rounds and each input keeps its fastest round.
// Reported: median and p99 over the inputs, and the mean (throughput).
const now = () => performance.now();

async function batch(engine, isAsync, doc, reps) {
  const t0 = now();
  if (isAsync) for (let i = 0; i < reps; i++) await engine.evaluate(doc);
  else for (let i = 0; i < reps; i++) engine.evaluate(doc);
  return ((now() - t0) * 1000) / reps; // µs
}

export function stats(us) {
  const s = [...us].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median_us: q(0.5), p99_us: q(0.99), mean_us: s.reduce((a, b) => a + b, 0) / s.length, n: s.length };
}

// engines: [{name, engine, isAsync}]
export async function measure(engines, docs, { rounds = 3, targetUs = 600, log = () => {} } = {}) {
  const best = new Map();
  const reps = new Map();
  for (const e of engines) {
    // warm-up over the whole set, and an estimate of the per-evaluation time
    const t0 = now();
    for (const d of docs) await batch(e.engine, e.isAsync, d, 1);
    const est = ((now() - t0) * 1000) / docs.length;
    reps.set(e.name, Math.max(2, Math.min(200, Math.ceil(targetUs / est))));
    best.set(e.name, new Array(docs.length).fill(Infinity));
    log(`${e.name}: warm-up ${est.toFixed(1)} µs/eval, ${reps.get(e.name)} reps per input`);
  }
  for (let r = 0; r < rounds; r++) {
    for (const e of engines) {
      const b = best.get(e.name), k = reps.get(e.name);
      for (let i = 0; i < docs.length; i++) b[i] = Math.min(b[i], await batch(e.engine, e.isAsync, docs[i], k));
    }
    log(`round ${r + 1}/${rounds} done`);
  }
  return Object.fromEntries(engines.map((e) => [e.name, { ...stats(best.get(e.name)), reps: reps.get(e.name), rounds }]));
}
