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
  // The bundle downloads while the module compiles; its errors are thrown after init's.
  const source = bundleSource(bundle);
  source.catch(() => {});
  await init(options.wasm === undefined ? undefined : { module_or_path: options.wasm });
  return Engine.fromBundle(await source);
}

async function bundleSource(bundle) {
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
    // Text, decoded natively (docs/wasm.md); not UTF-8 or a BOM stays bundle.invalid.
    const bytes = await source.arrayBuffer();
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return new Uint8Array(bytes);
    }
  }
  return source;
}
