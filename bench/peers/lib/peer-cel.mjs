import { parse } from '@marcbachmann/cel-js';
export const name = '@marcbachmann/cel-js';
export function load(rules) {
  const c = rules.cel;
  const hazard = parse(c.hazard_grade), mgmt = parse(c.management_grade), cls = parse(c.class), eligible = parse(c.eligible);
  const policy = Object.entries(c.policy).map(([k, e]) => [k, parse(e)]);
  return {
    evaluate(doc) {
      const hazard_grade = hazard(doc), management_grade = mgmt(doc);
      const klass = cls({ hazard_grade, management_grade });
      const p = {};
      for (const [k, f] of policy) p[k] = f({ class: klass });
      return { hazard_grade, management_grade, class: klass, policy: { sampling: p.sampling, onsite_interval_months: p.onsite_interval_months, proactive_onsite: p.proactive_onsite }, eligible: eligible(doc) };
    },
  };
}
