//! Reading `engine.evaluate`'s options object on every call, cheaply.
//!
//! A form evaluates on every keystroke with the same options. Reading them the plain way makes a
//! JS string from Rust for each property name (decoded from the module's memory each time) and
//! copies each value string back into the module; for a decisions-only evaluation that was a few
//! percent of the call. Here the property names and the accepted values are JS strings made once
//! per thread, values are compared with `===` in JS, and the list of decisions is compared item
//! by item with the JS strings of the last list read: only a new list is copied and resolved.
//! What is accepted, and every error, is unchanged.

use hegui_core::{Detail, Lang, Selection};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::{parse_lang, Problem};

/// JS strings made once: the option names, and each accepted spelling with its meaning.
struct Words {
    lang: JsValue,
    detail: JsValue,
    decisions: JsValue,
    langs: [(JsValue, Lang); 4],
    details: [(JsValue, Detail); 2],
}

impl Words {
    fn new() -> Words {
        let s = JsValue::from_str;
        Words {
            lang: s("lang"),
            detail: s("detail"),
            decisions: s("decisions"),
            // As `Lang::parse` reads them.
            langs: [
                (s("zh"), Lang::Zh),
                (s("en"), Lang::En),
                (s("both"), Lang::Both),
                (s(""), Lang::Both),
            ],
            details: [
                (s("full"), Detail::Full),
                (s("decisions"), Detail::Decisions),
            ],
        }
    }
}

thread_local! {
    static WORDS: Words = Words::new();
}

/// `options.lang` and `options.detail` (absent or null: both languages, full detail).
pub fn lang_and_detail(options: &JsValue) -> Result<(Lang, Detail), Problem> {
    if options.is_undefined() || options.is_null() {
        return Ok((Lang::Both, Detail::Full));
    }
    if !options.is_object() {
        return Err(Problem::new(
            "options.invalid",
            "options is an object like {lang: \"zh\"}",
        ));
    }
    WORDS.with(|w| {
        let lang = property(options, &w.lang);
        let lang = match known(&lang, &w.langs) {
            Some(lang) => lang,
            None if lang.is_undefined() || lang.is_null() => Lang::Both,
            None => {
                let Some(s) = lang.as_string() else {
                    return Err(Problem::new("options.lang", "lang is a string"));
                };
                parse_lang(Some(&s))?
            }
        };
        let detail = property(options, &w.detail);
        let detail = match known(&detail, &w.details) {
            Some(detail) => detail,
            None if detail.is_undefined() || detail.is_null() => Detail::Full,
            None => {
                return Err(Problem::new(
                    "options.detail",
                    "detail is \"full\" (the default) or \"decisions\"",
                ))
            }
        };
        Ok((lang, detail))
    })
}

/// The last `options.decisions` list resolved, and the selection it resolved to: a form asks for
/// the same ones on every keystroke. A list is kept only together with its selection, so a list
/// that fails (an item not a string, an unknown decision) leaves the last good one as it was.
#[derive(Default)]
pub struct LastSelection {
    /// The list's items as JS strings, in order, repeats included.
    kept: Option<(Vec<JsValue>, Selection)>,
}

impl LastSelection {
    /// The selection `options.decisions` asks for (`None`: absent or null, every decision). A list
    /// other than the last one kept is read and handed to `select` (its paths, repeats dropped,
    /// order kept).
    pub fn read(
        &mut self,
        options: &JsValue,
        select: impl FnOnce(&[String]) -> Result<Selection, Problem>,
    ) -> Result<Option<&Selection>, Problem> {
        if !options.is_object() {
            return Ok(None);
        }
        let list = WORDS.with(|w| property(options, &w.decisions));
        if list.is_undefined() || list.is_null() {
            return Ok(None);
        }
        let not_a_list = || {
            Problem::new(
                "options.decisions",
                "decisions is an array of decision paths, like [\"risk.class\"]",
            )
        };
        if !Array::is_array(&list) {
            return Err(not_a_list());
        }
        let list: &Array = list.unchecked_ref();
        let len = list.length();
        let same = self.kept.as_ref().is_some_and(|(items, _)| {
            usize::try_from(len).is_ok_and(|n| n == items.len())
                && (0..len).zip(items).all(|(i, last)| list.get(i) == *last)
        });
        if !same {
            let mut items = Vec::new();
            let mut wanted: Vec<String> = Vec::new();
            for i in 0..len {
                let item = list.get(i);
                let path = item.as_string().ok_or_else(not_a_list)?;
                if !wanted.contains(&path) {
                    wanted.push(path);
                }
                items.push(item);
            }
            self.kept = Some((items, select(&wanted)?));
        }
        Ok(self.kept.as_ref().map(|(_, selection)| selection))
    }
}

/// `object[name]`; a getter that throws reads as absent.
fn property(object: &JsValue, name: &JsValue) -> JsValue {
    Reflect::get(object, name).unwrap_or(JsValue::UNDEFINED)
}

/// The meaning of `value` when it is one of `choices`' JS strings (`===`, no copy).
fn known<T: Copy>(value: &JsValue, choices: &[(JsValue, T)]) -> Option<T> {
    choices
        .iter()
        .find(|(spelling, _)| spelling == value)
        .map(|(_, meaning)| *meaning)
}
