// hegui: the two real packs (bundles from `hegui pack build`), evaluated with Engine.evaluate.
export const name = 'hegui (wasm)';
export function load({ Engine }, bundles) {
  const sup = Engine.fromBundle(bundles.supervision);
  const he = Engine.fromBundle(bundles.healthy);
  return {
    evaluate(doc) {
      const s = sup.evaluate(doc).decisions, h = he.evaluate(doc).decisions;
      const v = (d, k) => (d[k] && d[k].status === 'decided' ? d[k].value : undefined);
      const p = v(s, 'supervision.policy') || {};
      return { hazard_grade: v(s, 'risk.hazard_grade'), management_grade: v(s, 'risk.management_grade'), class: v(s, 'risk.class'), policy: { sampling: p.sampling, onsite_interval_months: p.onsite_interval_months, proactive_onsite: p.proactive_onsite }, eligible: v(h, 'healthy_enterprise.eligible') };
    },
  };
}
