// hegui: the package entry. Re-exports the wasm-bindgen glue (init, initSync, Engine) and the
// form binding, and adds loadEngine(), the one-call start for a page.
import init, { initSync, Engine } from './hegui_wasm.js';
import { bindForm } from './bind-form.js';

export { init as default, init, initSync, Engine, bindForm };

/**
 * Instantiates the WebAssembly module (once) and loads a pack bundle.
 * `bundle`: a URL (string or URL) to fetch, a Response, JSON text starting with "{", a parsed
 * bundle object or its bytes. `options.wasm`: where to fetch the .wasm from, or its bytes or a
 * compiled WebAssembly.Module (default: next to this file).
 */
export async function loadEngine(bundle, options = {}) {
  await init(options.wasm === undefined ? undefined : { module_or_path: options.wasm });
  let source = bundle;
  if (source instanceof URL || (typeof source === 'string' && !source.trimStart().startsWith('{'))) {
    source = await fetch(source);
  }
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) {
      const err = new Error(`cannot fetch the bundle: HTTP ${source.status} ${source.url}`);
      err.name = 'HeguiError';
      err.code = 'bundle.fetch';
      throw err;
    }
    source = new Uint8Array(await source.arrayBuffer());
  }
  return Engine.fromBundle(source);
}
