// The answers every engine is compared on.
export function setPath(obj, path, value) {
  const i = path.indexOf('.');
  obj[path.slice(0, i)][path.slice(i + 1)] = value;
}
export function answersFrom(ctx) {
  return {
    hazard_grade: ctx.risk.hazard_grade, management_grade: ctx.risk.management_grade, class: ctx.risk.class,
    policy: { sampling: ctx.policy.sampling, onsite_interval_months: ctx.policy.onsite_interval_months, proactive_onsite: ctx.policy.proactive_onsite },
    eligible: ctx.he.eligible,
  };
}
export function sameAnswers(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}
