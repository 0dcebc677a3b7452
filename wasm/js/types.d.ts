// Types of the documents hegui exchanges (SPEC §4): hand-written, kept with the Rust structs of
// hegui-core (outcome.rs, source.rs).

/** A message in the language(s) asked for: both by default, or only `zh` / `en`. */
export interface Text {
  zh?: string;
  en?: string;
}

export type Lang = 'zh' | 'en' | 'both';

export interface EvaluateOptions {
  /** Languages of the messages in the outcome (default: both). */
  lang?: Lang;
  /**
   * `"full"` (default): the whole outcome. `"decisions"`: decisions, `complete`, `missing` and
   * `errors` only, with `rules` and `fields` empty; the same answers, faster to build and read.
   */
  detail?: 'full' | 'decisions';
  /**
   * Decision paths (e.g. `["risk.class"]`) to limit the evaluation to: those decisions and the
   * rules they need run, the others do not, and the outcome speaks only of the rules that ran
   * (with any decision they depend on). Answers are the whole evaluation's. An unknown path throws
   * `selection.unknown_decision`, an empty array `selection.empty`.
   */
  decisions?: string[];
}

export type RuleStatus = 'pass' | 'fail' | 'pending' | 'not_applicable' | 'error';

export interface Decision {
  value: unknown;
  status: 'decided' | 'pending' | 'error';
  because: string[];
  unverified: boolean;
  /** The scheme a class is reported in (e.g. "cn-pilot-2023"). */
  scheme?: string;
}

export interface RuleResult {
  id: string;
  kind: 'prerequisite' | 'check' | 'score' | 'derive' | 'decision';
  status: RuleStatus;
  severity?: 'error' | 'warning';
  message?: Text;
  value?: unknown;
  fields: string[];
  missing: string[];
  basis: { source: string; article: string };
  unverified: boolean;
}

export interface FieldNote {
  /** The rule that speaks about the field; null for an input error. */
  rule: string | null;
  status: RuleStatus;
  severity?: 'error' | 'warning';
  message: Text;
}

export interface OutcomeError {
  code: string;
  path?: string;
  rule?: string;
  message: Text;
}

export interface Outcome {
  schema: 'hegui.outcome/1';
  pack: { id: string; version: string; digest: string };
  complete: boolean;
  decisions: Record<string, Decision>;
  rules: RuleResult[];
  /** Concrete input paths (`hazards.factors[1].exposed_workers`) to their notes. */
  fields: Record<string, FieldNote[]>;
  missing: string[];
  errors: OutcomeError[];
}

export type FieldType =
  | 'bool'
  | 'integer'
  | 'number'
  | 'string'
  | 'date'
  | 'enum'
  | 'list'
  | 'map';

/** One declared input field (fields.toml). List item fields are `list[].name`. */
export interface FieldMeta {
  path: string;
  type: FieldType;
  min?: number;
  max?: number;
  values?: string[];
  max_length?: number;
  max_items?: number;
  unit?: string;
  optional?: boolean;
  label: { zh: string; en: string };
  help?: { zh: string; en: string };
}

export interface Source {
  id: string;
  title: string;
  issuer: string;
  doc_no: string;
  url?: string;
}

export interface RuleInfo {
  id: string;
  kind: RuleResult['kind'];
  title?: { zh: string; en: string };
  message: { zh: string; en: string };
  basis: { source: string; article: string };
  /** The rule's own `verified` flag (not what it reads: see `DecisionInfo.verified`). */
  verified: boolean;
  severity?: 'error' | 'warning';
  decision?: string;
  sets?: string;
  scheme?: string;
  table?: string;
  for_each?: string;
  max?: number;
  /** Fields the rule reads (list item fields as `list[].name`). */
  fields: string[];
}

export interface PackInfo {
  id: string;
  version: string;
  digest: string;
  jurisdiction: string;
  title: { zh: string; en: string };
  description?: { zh: string; en: string };
  extends?: string;
  sources: Source[];
  params: Record<string, boolean | number | string>;
  rules: RuleInfo[];
  decisions: DecisionInfo[];
}

/**
 * One decision of `engine.pack()`. What is known before evaluating (docs/engine.md, "Verified"):
 * `verified` is false when the decision rule, or any rule it depends on (transitively), says
 * `verified = false`, or a table one of them looks up has a row that says so. The decision may
 * then come out unverified (`Outcome.decisions[name].unverified`, per input); with
 * `verified: true` it never does.
 */
export interface DecisionInfo {
  name: string;
  /** The decision rule. */
  rule: string;
  scheme?: string;
  /** False when `unverified_rules` or `unverified_tables` is not empty. */
  verified: boolean;
  /** The decision rule's own `verified` flag (what `verified` alone used to report). */
  rule_verified: boolean;
  /** The decision rule and every rule it depends on, in declaration order (= `Decision.because`). */
  because: string[];
  /** Rules of `because` that say `verified = false`. */
  unverified_rules: string[];
  /** Tables looked up by rules of `because` that have a row with `verified = false`. */
  unverified_tables: string[];
}

/** A pack bundle as `hegui pack build` writes it. */
export interface Bundle {
  format: 'hegui.bundle/1';
  digest: string;
  pack: unknown;
}

/** What the engine throws: an Error with a stable code. */
export interface HeguiError extends Error {
  name: 'HeguiError';
  /** e.g. bundle.invalid, bundle.digest_mismatch, pack.rule, options.lang, input.unserializable */
  code: string;
  path?: string;
  rule?: string;
}
