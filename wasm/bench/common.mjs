// Shared by the Node and Chromium benchmarks (plain ESM, no Node APIs).
export function medianOf(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Median over `batches` of the mean time of `perBatch` calls of fn, in microseconds: `wall`
 * (performance.now), and `cpu` when a CPU clock in ms is given (Node: process.cpuUsage), which
 * other processes on a busy machine inflate much less than wall time.
 */
export function timeMicros(fn, { warmup = 2000, batches = 60, perBatch = 200, cpuClock } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const walls = [];
  const cpus = [];
  for (let b = 0; b < batches; b++) {
    const c0 = cpuClock?.();
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    walls.push(((performance.now() - t0) * 1000) / perBatch);
    if (cpuClock) cpus.push(((cpuClock() - c0) * 1000) / perBatch);
  }
  return { wall: medianOf(walls), cpu: cpuClock ? medianOf(cpus) : undefined };
}

// `expectComplete: false` times an input that is meant to be partial (a form half filled in); it
// must still evaluate without errors.
export function evaluateBench(Engine, bundleText, input, cpuClock, { expectComplete = true } = {}) {
  const engine = Engine.fromBundle(bundleText);
  const text = JSON.stringify(input);
  const check = engine.evaluate(input);
  if (check.errors.length > 0) throw new Error(`the benchmark input has errors: ${JSON.stringify(check.errors)}`);
  if (expectComplete && !check.complete) throw new Error('the benchmark input should be complete');
  return {
    evaluate: timeMicros(() => engine.evaluate(input), { cpuClock }),
    evaluateJson: timeMicros(() => engine.evaluateJson(text), { cpuClock }),
    evaluateZh: timeMicros(() => engine.evaluate(input, { lang: 'zh' }), { cpuClock }),
    evaluateDecisions: timeMicros(() => engine.evaluate(input, { detail: 'decisions' }), { cpuClock }),
    fromBundle: timeMicros(() => Engine.fromBundle(bundleText).free(), { warmup: 20, batches: 15, perBatch: 5, cpuClock }),
  };
}

/** The result lines both benchmarks print. */
export function report(r) {
  const us = (t) => `median ${t.wall.toFixed(1)} µs${t.cpu === undefined ? '' : ` (CPU ${t.cpu.toFixed(1)} µs)`}`;
  const ms = (t) => `median ${(t.wall / 1000).toFixed(2)} ms${t.cpu === undefined ? '' : ` (CPU ${(t.cpu / 1000).toFixed(2)} ms)`}`;
  return [
    `evaluate (object in, object out): ${us(r.evaluate)}`,
    `evaluateJson (text in, text out): ${us(r.evaluateJson)}`,
    `evaluate, lang zh:                ${us(r.evaluateZh)}`,
    `evaluate, detail decisions:       ${us(r.evaluateDecisions)}`,
    `Engine.fromBundle (parse, digest, compile): ${ms(r.fromBundle)}`,
  ].join('\n');
}
