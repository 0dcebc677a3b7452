import { ZenEngine } from '@gorules/zen-engine';
export const name = '@gorules/zen-engine';
export const isAsync = true;
export function load(rules) {
  const engine = new ZenEngine();
  const decision = engine.createDecision(Buffer.from(JSON.stringify(rules.zen)));
  return {
    async evaluate(doc) {
      const { result: o } = await decision.evaluate(doc);
      return { hazard_grade: o.hazard_grade, management_grade: o.management_grade, class: o.class, policy: { sampling: o.policy.sampling, onsite_interval_months: o.policy.onsite_interval_months, proactive_onsite: o.policy.proactive_onsite }, eligible: o.eligible };
    },
  };
}
