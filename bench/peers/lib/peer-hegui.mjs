// hegui: the two real packs (bundles from `hegui pack build`), evaluated with Engine.evaluate.
// Two variants, timed side by side:
// - `name` ('hegui (wasm)'): the default full outcome (every rule's trace, messages zh/en, bases,
//   field notes), more work than the peers' five answers;
// - `decisionsName` ('hegui (wasm, decisions)'): `evaluate(doc, { detail: 'decisions' })`, the same
//   decisions, `complete`, `missing` and `errors` with `rules: []` and `fields: {}` (every rule still
//   runs). The peers compute only the answers, so this is the like-for-like row the ratios use.
export const name = 'hegui (wasm)';
export const decisionsName = 'hegui (wasm, decisions)';
export function load({ Engine }, bundles, { detail = 'full' } = {}) {
  const sup = Engine.fromBundle(bundles.supervision);
  const he = Engine.fromBundle(bundles.healthy);
  const opts = detail === 'full' ? undefined : { detail };
  return {
    evaluate(doc) {
      const s = sup.evaluate(doc, opts).decisions, h = he.evaluate(doc, opts).decisions;
      const v = (d, k) => (d[k] && d[k].status === 'decided' ? d[k].value : undefined);
      const p = v(s, 'supervision.policy') || {};
      return { hazard_grade: v(s, 'risk.hazard_grade'), management_grade: v(s, 'risk.management_grade'), class: v(s, 'risk.class'), policy: { sampling: p.sampling, onsite_interval_months: p.onsite_interval_months, proactive_onsite: p.proactive_onsite }, eligible: v(h, 'healthy_enterprise.eligible') };
    },
  };
}
