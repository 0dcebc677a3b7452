//! A small in-memory pack the integration tests start from and break on purpose.
#![allow(dead_code)]

use hegui_core::{CompiledPack, EvalOptions, LoadError, Outcome, PackFiles, ResolvedPack};

pub const PACK: &str = r#"
id = "test.mini"
version = "1.0.0"
jurisdiction = "test"
title = { zh = "测试", en = "Test" }
[[sources]]
id = "S"
title = "Source"
issuer = "Issuer"
[params]
big_min = 50
"#;

pub const FIELDS: &str = r#"
[[field]]
path = "assessment_date"
type = "date"
label = { zh = "评估日期", en = "Assessment date" }

[[field]]
path = "org.workers"
type = "integer"
min = 0
label = { zh = "人数", en = "Workers" }

[[field]]
path = "org.kind"
type = "enum"
values = ["a", "b"]
label = { zh = "类别", en = "Kind" }

[[field]]
path = "org.items"
type = "list"
max_items = 5
label = { zh = "条目", en = "Items" }

[[field]]
path = "org.items[].n"
type = "integer"
label = { zh = "数", en = "N" }
"#;

pub const RULES: &str = r#"
[[table]]
id = "size"
file = "tables/size.csv"
hit = "unique"

[[rule]]
id = "workers_known"
kind = "check"
message = { zh = "人数须为正", en = "workers must be positive" }
basis = { source = "S", article = "1" }
assert = "org.workers > 0"

[[rule]]
id = "size_class"
kind = "decision"
decision = "org.size"
message = { zh = "规模", en = "size" }
basis = { source = "S", article = "2" }
table = "size"
inputs = { workers = "org.workers" }

[[rule]]
id = "big"
kind = "decision"
decision = "org.big"
message = { zh = "大", en = "big" }
basis = { source = "S", article = "3" }
verified = false
expr = "org.workers >= params.big_min"

[[rule]]
id = "items_small"
kind = "check"
message = { zh = "条目须小于10", en = "items must be below 10" }
basis = { source = "S", article = "4" }
for_each = "org.items"
as = "it"
assert = "it.n < 10"
"#;

pub const SIZE_CSV: &str =
    "in:workers,out:size,verified\n<=9,small,\n10..49,medium,\n>=50,large,false\n";

pub fn files() -> PackFiles {
    let mut f = PackFiles::new();
    f.insert("pack.toml", PACK);
    f.insert("fields.toml", FIELDS);
    f.insert("rules.toml", RULES);
    f.insert("tables/size.csv", SIZE_CSV);
    f
}

pub fn with(path: &str, text: &str) -> PackFiles {
    let mut f = files();
    f.insert(path, text);
    f
}

/// The test pack with `extra` rules appended to its rules.toml.
pub fn with_extra_rules(extra: &str) -> PackFiles {
    with("rules.toml", &format!("{RULES}{extra}"))
}

pub fn load(files: &PackFiles) -> Result<CompiledPack, LoadError> {
    let resolved = hegui_core::resolve::resolve(files, None)?;
    CompiledPack::compile(resolved)
}

pub fn resolved() -> ResolvedPack {
    hegui_core::resolve::resolve(&files(), None).unwrap()
}

pub fn eval(pack: &CompiledPack, input: serde_json::Value) -> Outcome {
    pack.evaluate(&input, &EvalOptions::default())
}
