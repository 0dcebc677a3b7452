import { Engine } from 'json-rules-engine';
import { windowStart } from './gen.mjs';
export const name = 'json-rules-engine';
export const isAsync = true;
// One engine per decision table; rows are rules of decreasing priority and the engine stops at the
// first event (hit policy "first"). Lists are handled by running the item engine once per item.
function table(rules) {
  const engine = new Engine(rules, { allowUndefinedFacts: true });
  engine.addOperator('dateOnOrAfter', (a, b) => typeof a === 'string' && a >= b);
  engine.addOperator('dateOnOrBefore', (a, b) => typeof a === 'string' && a <= b);
  engine.on('success', () => engine.stop());
  return async (facts) => {
    const { events } = await engine.run(facts);
    return events.length ? events[0].params || {} : null;
  };
}
export function load(rules) {
  const r = rules.jre;
  const factor = table(r.factor_grade), hazard = table(r.hazard_grade), mgmt = table(r.management_grade);
  const cls = table(r.class), policy = table(r.policy), eligible = table(r.eligible);
  const veto = Object.entries(r.veto).map(([list, rs]) => [list, table(rs)]);
  return {
    async evaluate(doc) {
      const grades = [];
      for (const f of doc.hazards.factors) grades.push((await factor(f)).grade);
      const hazard_grade = (await hazard({ present: doc.hazards.present, factor_grades: grades })).grade;
      const management_grade = (await mgmt({ score: doc.management.selfcheck_score })).grade;
      const klass = (await cls({ hazard_grade, management_grade })).class;
      const p = await policy({ class: klass });
      const he = doc.healthy_enterprise, window_start = windowStart(doc.assessment_date);
      let vetoes = 0;
      for (const [list, run] of veto) {
        for (const item of he[list]) if (await run({ ...item, window_start, assessment_date: doc.assessment_date })) vetoes++;
      }
      const e = await eligible({ commitment_signed: he.commitment_signed, vetoes });
      return { hazard_grade, management_grade, class: klass, policy: { sampling: p.sampling, onsite_interval_months: p.onsite_interval_months, proactive_onsite: p.proactive_onsite }, eligible: e.eligible };
    },
  };
}
