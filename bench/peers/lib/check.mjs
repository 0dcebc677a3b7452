// Shared: load the inputs/rules, run each engine over every input, compare with hegui.
import { sameAnswers } from './answers.mjs';
export async function answersOf(engine, isAsync, docs) {
  const out = [];
  for (const d of docs) out.push(isAsync ? await engine.evaluate(d) : engine.evaluate(d));
  return out;
}
export function disagreements(ref, got, max = 5) {
  const bad = [];
  let count = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!sameAnswers(ref[i], got[i])) {
      count++;
      if (bad.length < max) bad.push({ input: i, hegui: ref[i], peer: got[i] });
    }
  }
  return { count, first: bad };
}
