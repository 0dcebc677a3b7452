//! hegui-wasm: the hegui engine for browsers and Node (SPEC §5, JavaScript).
//!
//! A thin layer over `hegui-core`: it loads a pack bundle (digest checked), evaluates input
//! documents and describes the pack for form builders. Every problem reaches JavaScript as a
//! thrown `HeguiError` (an `Error` with `code`, and `path` / `rule` when known); input problems
//! are reported inside the outcome, as natively. Nothing here panics on any input; a panic hook
//! still reports to `console.error` should one ever happen.
//!
//! Object inputs go through `JSON.stringify` and the same text path as `evaluateJson`, so the
//! object API and the text API share one parser, one size limit and one nesting limit.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod describe;
mod options;

use hegui_core::eval::DEFAULT_MAX_INPUT_BYTES;
use hegui_core::signature::{key_from_hex, verify_signed_bundle};
use std::cell::RefCell;

use hegui_core::{CompiledPack, EvalOptions, Lang, Limits, Outcome, ResolvedPack};
use js_sys::{Error as JsError, Object, Reflect, Uint8Array, JSON};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A problem reported to JavaScript: becomes a thrown `HeguiError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: String,
    pub path: Option<String>,
    pub rule: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Problem {
            code: code.into(),
            path: None,
            rule: None,
            message: message.into(),
        }
    }

    fn into_js(self) -> JsValue {
        let err = JsError::new(&self.message);
        err.set_name("HeguiError");
        let obj: &Object = err.as_ref();
        set(obj, "code", &JsValue::from_str(&self.code));
        if let Some(path) = &self.path {
            set(obj, "path", &JsValue::from_str(path));
        }
        if let Some(rule) = &self.rule {
            set(obj, "rule", &JsValue::from_str(rule));
        }
        err.into()
    }
}

fn set(obj: &Object, key: &str, value: &JsValue) {
    // Setting a plain data property on a fresh Error cannot fail; nothing to report if it did.
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// Parses an options object's `lang`: `"zh"`, `"en"`, `"both"`, or absent (both).
pub fn parse_lang(lang: Option<&str>) -> Result<Lang, Problem> {
    match lang {
        None => Ok(Lang::Both),
        Some(s) => Lang::parse(s).ok_or_else(|| {
            Problem::new(
                "options.lang",
                format!("lang must be \"zh\", \"en\" or \"both\", not {s:?}"),
            )
        }),
    }
}

/// Loads and compiles a bundle given as JSON text, as the native loader does: format, digest,
/// the signature by one of `trusted_keys` when they are given (so a signed bundle is
/// authenticated before anything in it is compiled), then the rules. The digest checked is
/// handed to `CompiledPack::compile_digested`: the pack is serialised and hashed once.
pub fn load_bundle_text(
    text: &str,
    trusted_keys: Option<&[[u8; 32]]>,
) -> Result<CompiledPack, Problem> {
    let checked = match trusted_keys {
        Some(keys) => verify_signed_bundle(text, keys),
        None => ResolvedPack::digested_from_bundle_json(text),
    };
    let pack = checked.map_err(load_problem)?;
    CompiledPack::compile_digested(pack, &Limits::default()).map_err(load_problem)
}

/// `options.trustedKeys` of `fromBundle`: absent (no signature check) or an array of keys.
fn trusted_keys(options: &JsValue) -> Result<Option<Vec<[u8; 32]>>, Problem> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    let bad = |m: &str| Problem::new("options.trusted_keys", m);
    let keys = Reflect::get(options, &JsValue::from_str("trustedKeys"))
        .map_err(|_| bad("options is an object like {trustedKeys: [...]}"))?;
    if keys.is_undefined() || keys.is_null() {
        return Ok(None);
    }
    if !js_sys::Array::is_array(&keys) {
        return Err(bad("trustedKeys is an array of public keys"));
    }
    js_sys::Array::from(&keys)
        .iter()
        .map(|k| {
            let key = if let Some(hex) = k.as_string() {
                key_from_hex(&hex)
            } else if k.is_instance_of::<Uint8Array>() {
                Uint8Array::new(&k).to_vec().try_into().ok()
            } else {
                None
            };
            key.ok_or_else(|| bad("a trusted key is 64 hex digits or a 32-byte Uint8Array"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn load_problem(e: hegui_core::LoadError) -> Problem {
    Problem {
        code: e.code().into(),
        path: None,
        rule: e.rule().map(str::to_owned),
        message: e.to_string(),
    }
}

/// Plain data as plain JS objects (maps as objects), through `JSON.parse` of serde_json's text:
/// the same objects serde-wasm-bindgen's `json_compatible()` serializer gives, measured faster
/// (one string crosses the boundary instead of one call per value) and smaller.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| Problem::new("internal.serialize", e.to_string()).into_js())?;
    json_to_js(&text)
}

fn json_to_js(text: &str) -> Result<JsValue, JsValue> {
    JSON::parse(text).map_err(|e| Problem::new("internal.serialize", js_message(&e)).into_js())
}

/// Reports a Rust panic (there should be none) on the console before the module traps.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!("hegui-wasm: internal panic: {info}"));
    }));
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

#[wasm_bindgen(start)]
fn start() {
    install_panic_hook();
}

/// A compiled rule pack, ready to evaluate input documents.
#[wasm_bindgen]
pub struct Engine {
    pack: CompiledPack,
    /// The last `options.decisions` list resolved, with its selection.
    selection: RefCell<options::LastSelection>,
}

#[wasm_bindgen]
impl Engine {
    /// Loads a pack bundle: its JSON text, the parsed object, or its UTF-8 bytes (`Uint8Array`).
    /// `options.trustedKeys` (ed25519 public keys, hex strings or 32-byte `Uint8Array`s): the
    /// bundle must then be signed by one of them (docs/RELIABILITY.md, "Signed packs").
    /// Throws a `HeguiError` (`bundle.invalid`, `bundle.digest_mismatch`, `bundle.unsigned`,
    /// `bundle.bad_signature`, `bundle.untrusted_key`, `options.trusted_keys`, `pack.*`).
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(bundle: JsValue, options: JsValue) -> Result<Engine, JsValue> {
        let text = bundle_text(&bundle).map_err(Problem::into_js)?;
        let keys = trusted_keys(&options).map_err(Problem::into_js)?;
        let pack = load_bundle_text(&text, keys.as_deref()).map_err(Problem::into_js)?;
        Ok(Engine {
            pack,
            selection: RefCell::default(),
        })
    }

    /// Evaluates an input document (a plain object) and returns the outcome as plain objects.
    /// `options.lang`: `"zh"`, `"en"` or `"both"` (default); `options.detail`: `"full"` (default)
    /// or `"decisions"`; `options.decisions`: decision paths to limit the evaluation to (the rules
    /// they need run, the others do not).
    pub fn evaluate(&self, input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let opts = eval_options(&options).map_err(Problem::into_js)?;
        let text = input_text(&input).map_err(Problem::into_js)?;
        json_to_js(&self.run(&text, &opts, &options)?.to_json())
    }

    /// Evaluates an input document given as JSON text; returns the canonical outcome JSON, the
    /// same bytes as the native engine's.
    #[wasm_bindgen(js_name = evaluateJson)]
    pub fn evaluate_json(&self, text: JsValue, options: JsValue) -> Result<String, JsValue> {
        let opts = eval_options(&options).map_err(Problem::into_js)?;
        let Some(text) = text.as_string() else {
            return Err(
                Problem::new("input.not_text", "evaluateJson takes a JSON string").into_js(),
            );
        };
        Ok(self.run(&text, &opts, &options)?.to_json())
    }

    /// Field metadata: `[{path, type, label: {zh, en}, help?, unit?, min?, max?, values?, ...}]`.
    pub fn fields(&self) -> Result<JsValue, JsValue> {
        to_js(&self.pack.resolved().fields)
    }

    /// The pack's identity, rules and decisions, for a UI that lists them without evaluating.
    pub fn pack(&self) -> Result<JsValue, JsValue> {
        to_js(&describe::describe(&self.pack))
    }

    /// `id` of the pack.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.pack.id().to_owned()
    }

    /// `version` of the pack.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        self.pack.version().to_owned()
    }

    /// `digest` of the pack (`sha256:…`).
    #[wasm_bindgen(getter)]
    pub fn digest(&self) -> String {
        self.pack.digest().to_owned()
    }
}

impl Engine {
    /// Evaluates `text`, limited to `options.decisions` when given.
    fn run(&self, text: &str, opts: &EvalOptions, options: &JsValue) -> Result<Outcome, JsValue> {
        let mut last = self.selection.borrow_mut();
        let selection = last
            .read(options, |wanted| {
                self.pack.select(wanted).map_err(|e| {
                    let mut problem = Problem::new(e.code(), e.to_string());
                    problem.path = Some("options.decisions".into());
                    problem
                })
            })
            .map_err(Problem::into_js)?;
        Ok(match selection {
            Some(selection) => self.pack.evaluate_str_selected(text, opts, selection),
            None => self.pack.evaluate_str(text, opts),
        })
    }
}

/// The bundle's JSON text from a string, bytes or a parsed object.
fn bundle_text(bundle: &JsValue) -> Result<String, Problem> {
    if let Some(s) = bundle.as_string() {
        return Ok(s);
    }
    if bundle.is_instance_of::<Uint8Array>() {
        let bytes = Uint8Array::new(bundle).to_vec();
        return String::from_utf8(bytes).map_err(|e| {
            Problem::new("bundle.invalid", format!("bundle bytes are not UTF-8: {e}"))
        });
    }
    if bundle.is_object() {
        return stringify(bundle)
            .map_err(|m| Problem::new("bundle.invalid", format!("bundle object: {m}")));
    }
    Err(Problem::new(
        "bundle.invalid",
        "a bundle is JSON text, a parsed bundle object or a Uint8Array of its bytes",
    ))
}

/// The input document as JSON text. A value JSON cannot express (`undefined`, a function) is
/// sent as `null`, which the engine reports as `input.wrong_type`, like any non-object.
fn input_text(input: &JsValue) -> Result<String, Problem> {
    if input.is_undefined() {
        return Ok("null".into());
    }
    stringify(input).map_err(|m| Problem::new("input.unserializable", m))
}

fn stringify(value: &JsValue) -> Result<String, String> {
    // `JSON.stringify` throws on cycles, BigInt and nesting deeper than the JS stack; it returns
    // undefined for functions and symbols.
    match JSON::stringify(value) {
        Ok(s) => Ok(s.as_string().unwrap_or_else(|| "null".into())),
        Err(e) => Err(js_message(&e)),
    }
}

fn js_message(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<JsError>() {
        return String::from(err.message());
    }
    e.as_string()
        .unwrap_or_else(|| "not expressible as JSON".into())
}

fn eval_options(options: &JsValue) -> Result<EvalOptions, Problem> {
    let (lang, detail) = options::lang_and_detail(options)?;
    Ok(EvalOptions {
        lang,
        max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
        detail,
    })
}

/// Times the phases of `Engine.fromBundle` (ms): JSON parse into the typed bundle, the pack back
/// to a JSON value, its canonical text, SHA-256 of it, rule compilation (given the digest).
/// Benchmarks only.
#[cfg(feature = "profile")]
#[wasm_bindgen(js_name = profileLoad)]
pub fn profile_load(bundle: JsValue) -> Result<Vec<f64>, JsValue> {
    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        fn now() -> f64;
    }
    let t0 = now();
    let text = bundle_text(&bundle).map_err(Problem::into_js)?;
    let t1 = now();
    let b: hegui_core::resolve::Bundle =
        serde_json::from_str(&text).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let t2 = now();
    let value = b
        .pack
        .to_value()
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let t3 = now();
    let canon = hegui_core::canonical::to_canonical_string(&value);
    let t4 = now();
    let digest = hegui_core::canonical::digest(&value);
    let t5 = now();
    if digest != b.digest {
        return Err(JsValue::from_str("digest mismatch"));
    }
    // The same check again (now warm, untimed): a `DigestedPack` comes only from a check.
    let digested = b
        .into_digested()
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let t5b = now();
    let pack = CompiledPack::compile_digested(digested, &Limits::default())
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    let t6 = now();
    drop(pack);
    let _ = canon.len();
    Ok(vec![
        t1 - t0,
        t2 - t1,
        t3 - t2,
        t4 - t3,
        (t5 - t4) - (t4 - t3),
        t6 - t5b,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_parsing() {
        assert_eq!(parse_lang(None), Ok(Lang::Both));
        assert_eq!(parse_lang(Some("zh")), Ok(Lang::Zh));
        assert_eq!(parse_lang(Some("fr")).unwrap_err().code, "options.lang");
    }

    /// The cn.supervision pack as a bundle (canonical JSON, as `hegui pack build` writes it).
    fn supervision_bundle() -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/cn/supervision");
        let mut files = hegui_core::PackFiles::new();
        for sub in ["", "tables"] {
            for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    let name = path.file_name().unwrap().to_str().unwrap();
                    let rel = if sub.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{sub}/{name}")
                    };
                    files.insert(rel, std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let resolved = hegui_core::resolve::resolve(&files, None).unwrap();
        resolved.to_bundle_json().unwrap()
    }

    #[test]
    fn loading_hashes_once_with_the_reference_outcome_and_errors() {
        let bundle = supervision_bundle();
        let reference = ResolvedPack::from_bundle_json(&bundle).unwrap();
        let digest = reference.digest().unwrap();
        let pack = load_bundle_text(&bundle, None).unwrap();
        assert_eq!(pack.digest(), digest);
        assert_eq!(pack.resolved(), &reference);

        // The pack changed, digest kept: a digest mismatch naming both digests.
        let tampered = bundle.replacen("\"version\":\"", "\"version\":\"9", 1);
        assert_ne!(tampered, bundle);
        let err = load_bundle_text(&tampered, None).unwrap_err();
        assert_eq!(err.code, "bundle.digest_mismatch");
        assert_eq!(
            err.message,
            ResolvedPack::from_bundle_json(&tampered)
                .unwrap_err()
                .to_string()
        );

        // A rule that does not compile AND a digest mismatch: the mismatch is reported first,
        // as natively; with the right digest, the rule's error.
        let mut value: serde_json::Value = serde_json::from_str(&bundle).unwrap();
        let rules = value["pack"]["rules"].as_array_mut().unwrap();
        let rule = rules
            .iter_mut()
            .find(|r| r.get("assert").is_some())
            .unwrap();
        rule["assert"] = serde_json::Value::String("(((".into());
        let broken = hegui_core::canonical::to_canonical_string(&value);
        assert_eq!(
            load_bundle_text(&broken, None).unwrap_err().code,
            "bundle.digest_mismatch"
        );
        let pack: ResolvedPack = serde_json::from_value(value["pack"].clone()).unwrap();
        value["digest"] = serde_json::Value::String(pack.digest().unwrap());
        let err = load_bundle_text(&hegui_core::canonical::to_canonical_string(&value), None)
            .unwrap_err();
        assert_eq!(err.code, "pack.rule");
        assert!(err.rule.is_some());

        // Wrong format: bundle.invalid, as natively.
        let other_format = bundle.replacen("hegui.bundle/1", "hegui.bundle/0", 1);
        assert_eq!(
            load_bundle_text(&other_format, None).unwrap_err().code,
            "bundle.invalid"
        );
    }

    #[test]
    fn bad_bundles_are_problems() {
        assert_eq!(
            load_bundle_text("", None).unwrap_err().code,
            "bundle.invalid"
        );
        assert_eq!(
            load_bundle_text("[1]", None).unwrap_err().code,
            "bundle.invalid"
        );
    }
}
