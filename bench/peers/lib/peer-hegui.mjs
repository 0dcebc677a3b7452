// hegui: the two real packs (bundles from `hegui pack build`), evaluated with Engine.evaluate.
// Three variants, timed side by side:
// - `selectedName` ('hegui (wasm, selected)'): `evaluate(doc, { detail: 'decisions', decisions })`
//   asking each pack for the peers' five answers only (docs/engine.md, "Selected decisions"): the
//   rules those decisions need run, the others do not. The peers' exact job, so the row the ratios
//   use;
// - `decisionsName` ('hegui (wasm, decisions)'): `evaluate(doc, { detail: 'decisions' })`, every
//   rule of both packs, the decisions, `complete`, `missing` and `errors` with `rules: []` and
//   `fields: {}`;
// - `name` ('hegui (wasm)'): the default full outcome (every rule's trace, messages zh/en, bases,
//   field notes).
export const name = 'hegui (wasm)';
export const decisionsName = 'hegui (wasm, decisions)';
export const selectedName = 'hegui (wasm, selected)';
// The decisions the peers compute, by pack.
export const SELECTED = {
  supervision: ['risk.hazard_grade', 'risk.management_grade', 'risk.class', 'supervision.policy'],
  healthy: ['healthy_enterprise.eligible'],
};
export function optionsFor(detail) {
  if (detail === 'selected') {
    return { supervision: { detail: 'decisions', decisions: SELECTED.supervision }, healthy: { detail: 'decisions', decisions: SELECTED.healthy } };
  }
  const o = detail === 'full' ? undefined : { detail };
  return { supervision: o, healthy: o };
}
export function load({ Engine }, bundles, { detail = 'full' } = {}) {
  const sup = Engine.fromBundle(bundles.supervision);
  const he = Engine.fromBundle(bundles.healthy);
  const opts = optionsFor(detail);
  return {
    evaluate(doc) {
      const s = sup.evaluate(doc, opts.supervision).decisions, h = he.evaluate(doc, opts.healthy).decisions;
      const v = (d, k) => (d[k] && d[k].status === 'decided' ? d[k].value : undefined);
      const p = v(s, 'supervision.policy') || {};
      return { hazard_grade: v(s, 'risk.hazard_grade'), management_grade: v(s, 'risk.management_grade'), class: v(s, 'risk.class'), policy: { sampling: p.sampling, onsite_interval_months: p.onsite_interval_months, proactive_onsite: p.proactive_onsite }, eligible: v(h, 'healthy_enterprise.eligible') };
    },
  };
}
