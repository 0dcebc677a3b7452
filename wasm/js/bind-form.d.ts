import type { Outcome } from './types.js';

/**
 * Where a control's value goes: an input path, or one key of a map field. In a path string, a
 * map field's key is everything after the field's declared path (`engine.fields()`, type
 * "map"), dots included: `healthy_enterprise.items.HE-PJBZ.1.1.1`, or bracketed
 * `healthy_enterprise.items[HE-PJBZ.1.1.1]` / `healthy_enterprise.items["HE-PJBZ.1.1.1"]`.
 */
export type ControlPath = string | MapEntryPath;

/** One key of a map field, given apart so nothing is parsed: `{path: 'healthy_enterprise.items', key: 'HE-PJBZ.1.1.1'}`. */
export interface MapEntryPath {
  path: string;
  key: string;
}

export interface BindFormOptions {
  /** "zh…" or anything else ("en"); default: the page's <html lang>. */
  lang?: string;
  /**
   * Control name -> input path, or a function of the control returning one (or null). Without
   * it: the control's data-hegui-path, else its name; with a data-hegui-key attribute, that key
   * of the map field so named.
   */
  mapping?: Record<string, ControlPath> | ((control: Element) => ControlPath | null | undefined);
  /** Called with every outcome. */
  onOutcome?: (outcome: Outcome) => void;
  /** Called when evaluation throws (default: console.error). */
  onError?: (error: unknown) => void;
  /** Milliseconds to wait after the last input event (default 0: evaluate at once). */
  debounce?: number;
  /** Also set the controls' custom validity (blocks native submission while invalid). */
  nativeValidity?: boolean;
  /** Class of the message elements (default "hegui-message"). */
  messageClass?: string;
  /** Places a message element yourself (default: right after the field's last control). */
  placeMessage?: (element: HTMLElement, controls: Element[], path: string) => void;
  /** Evaluate once when binding (default true). */
  evaluateNow?: boolean;
  /**
   * Decision paths to evaluate (default: every decision): only they and the rules they need run,
   * so only those rules annotate the form (`engine.evaluate`'s `decisions` option).
   */
  decisions?: string[];
}

export interface FormBinding {
  /** Evaluates now; the outcome, or null after destroy() or on an error. */
  evaluate(): Outcome | null;
  /** The input document built from the form's current values. */
  input(): Record<string, unknown>;
  /** The latest outcome. */
  readonly outcome: Outcome | null;
  /** Removes the listeners, message elements and attributes bindForm added. */
  destroy(): void;
}

export interface EngineLike {
  evaluate(input: unknown, options?: { lang?: string; decisions?: string[] }): Outcome;
  fields(): { path: string; type: string }[];
}

export function bindForm(
  form: HTMLFormElement | HTMLElement,
  engine: EngineLike,
  options?: BindFormOptions,
): FormBinding;

export function pageLang(tag: string | null | undefined): 'zh' | 'en';
export function parsePath(path: string): (string | number)[] | null;
export function convert(text: string | boolean, type: string): unknown;
