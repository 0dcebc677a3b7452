//! Bilingual text: every message a pack or the engine shows exists in Chinese and English.

use serde::{Deserialize, Serialize};

/// A message in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// Which languages an outcome carries: both by default, or only the one a caller asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Both,
    Zh,
    En,
}

impl Lang {
    /// Parses `zh` or `en`; anything else is `None` so callers can report it as a usage error.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            "both" | "" => Some(Lang::Both),
            _ => None,
        }
    }

    /// The text as a JSON object holding the requested language(s).
    pub fn render(self, text: &Text) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        if self != Lang::En {
            map.insert("zh".into(), text.zh.clone().into());
        }
        if self != Lang::Zh {
            map.insert("en".into(), text.en.clone().into());
        }
        serde_json::Value::Object(map)
    }
}
