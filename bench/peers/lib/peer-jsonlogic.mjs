import jsonLogic from 'json-logic-js';
import { setPath, answersFrom } from './answers.mjs';
export const name = 'json-logic-js';
export function load(rules) {
  const steps = rules.jsonlogic;
  return {
    evaluate(doc) {
      const ctx = { assessment_date: doc.assessment_date, hazards: doc.hazards, management: doc.management, healthy_enterprise: doc.healthy_enterprise, risk: {}, policy: {}, he: {} };
      for (const [path, logic] of steps) setPath(ctx, path, jsonLogic.apply(logic, ctx));
      return answersFrom(ctx);
    },
  };
}
