// hegui: typed entry of the npm package (the wasm-bindgen glue's own declarations are in
// hegui_wasm.d.ts; these add the document types).
import type {
  Bundle,
  EvaluateOptions,
  FieldMeta,
  Outcome,
  PackInfo,
} from './types.js';
import type { InitInput, InitOutput, SyncInitInput } from './hegui_wasm.js';

export * from './types.js';
export { bindForm, pageLang, parsePath, convert } from './bind-form.js';
export type { BindFormOptions, FormBinding } from './bind-form.js';

/** A compiled rule pack. Throws HeguiError on problems; input problems are in the outcome. */
export class Engine {
  private constructor();
  free(): void;
  /** JSON text, the parsed bundle object, or its UTF-8 bytes. Checks the digest. */
  /** `trustedKeys`: ed25519 public keys (hex or 32 bytes); the bundle must be signed by one. */
  static fromBundle(bundle: string | Bundle | Uint8Array, options?: { trustedKeys?: (string | Uint8Array)[] }): Engine;
  /** Evaluates an input document (any JSON-expressible value; non-objects are reported). */
  evaluate(input: unknown, options?: EvaluateOptions): Outcome;
  /** Evaluates JSON text; returns the canonical outcome JSON, byte-identical to the native one. */
  evaluateJson(text: string, options?: EvaluateOptions): string;
  fields(): FieldMeta[];
  pack(): PackInfo;
  readonly id: string;
  readonly version: string;
  readonly digest: string;
}

/** Instantiates the module (default: fetches hegui_wasm_bg.wasm next to this file). */
export default function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;
export { init };
/** Instantiates synchronously from bytes or a compiled module (Node: fs.readFileSync). */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

/** init() + fetch the bundle (URL, Response, text, object or bytes) + Engine.fromBundle. */
export function loadEngine(
  bundle: string | URL | Response | Bundle | Uint8Array,
  options?: { wasm?: InitInput | Promise<InitInput> },
): Promise<Engine>;
