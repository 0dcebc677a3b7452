// Shared by the Node and Chromium benchmarks (plain ESM, no Node APIs).
export function medianOf(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median over `batches` of the mean time of `perBatch` calls of fn, in microseconds. */
export function timeMicros(fn, { warmup = 2000, batches = 60, perBatch = 200 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const means = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    means.push(((performance.now() - t0) * 1000) / perBatch);
  }
  return medianOf(means);
}

export function evaluateBench(Engine, bundleText, input) {
  const engine = Engine.fromBundle(bundleText);
  const text = JSON.stringify(input);
  const check = engine.evaluate(input);
  if (!check.complete) throw new Error('the benchmark input should be complete');
  return {
    evaluate: timeMicros(() => engine.evaluate(input)),
    evaluateJson: timeMicros(() => engine.evaluateJson(text)),
    evaluateZh: timeMicros(() => engine.evaluate(input, { lang: 'zh' })),
    evaluateDecisions: timeMicros(() => engine.evaluate(input, { detail: 'decisions' })),
    fromBundle: timeMicros(() => Engine.fromBundle(bundleText).free(), { warmup: 20, batches: 15, perBatch: 5 }),
  };
}
