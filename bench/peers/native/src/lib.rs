//! The three native engines behind one interface: each loads its rules and answers the same five
//! questions (hazard grade, management grade, class, policy, eligible) for an input document.
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

pub fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
fn read(p: &str) -> String {
    std::fs::read_to_string(peers_dir().join(p)).unwrap_or_else(|e| panic!("{p}: {e} (run bench/peers/run.sh)"))
}
pub fn inputs() -> Vec<Value> {
    serde_json::from_str(&read("out/inputs.json")).expect("inputs")
}

pub trait Peer {
    fn name(&self) -> &'static str;
    fn answers(&mut self, doc: &Value) -> Value;
}

fn answers(hazard: &Value, mgmt: &Value, class: &Value, policy: &Value, eligible: &Value) -> Value {
    let p = |k: &str| policy.get(k).cloned().unwrap_or(Value::Null);
    json!({ "hazard_grade": hazard, "management_grade": mgmt, "class": class,
        "policy": { "sampling": p("sampling"), "onsite_interval_months": p("onsite_interval_months"), "proactive_onsite": p("proactive_onsite") },
        "eligible": eligible })
}

// ---------------------------------------------------------------- hegui-core
/// The two real packs. `Detail::Full` (the default) builds the whole outcome (every rule's trace,
/// messages zh/en, bases, field notes); `Detail::Decisions` the same decisions with `rules` and
/// `fields` empty (every rule still runs); `load_selected` asks each pack for the peers' five
/// answers only (`CompiledPack::select`: the rules those decisions need run, the others do not),
/// decisions-only: the peers' exact job, so the row the ratios use.
pub struct Hegui {
    sup: hegui_core::CompiledPack,
    he: hegui_core::CompiledPack,
    opts: hegui_core::EvalOptions,
    selected: Option<(hegui_core::Selection, hegui_core::Selection)>,
    name: &'static str,
}
pub const HEGUI_FULL: &str = "hegui-core";
pub const HEGUI_DECISIONS: &str = "hegui-core (decisions)";
pub const HEGUI_SELECTED: &str = "hegui-core (selected)";
/// The decisions the peers compute, in each pack.
pub const SUPERVISION_DECISIONS: [&str; 4] = ["risk.hazard_grade", "risk.management_grade", "risk.class", "supervision.policy"];
pub const HEALTHY_DECISIONS: [&str; 1] = ["healthy_enterprise.eligible"];
impl Hegui {
    pub fn load() -> Self {
        Self::load_with(hegui_core::Detail::Full)
    }
    pub fn load_with(detail: hegui_core::Detail) -> Self {
        let load = |f: &str| {
            let r = hegui_core::ResolvedPack::from_bundle_json(&read(f)).expect("bundle");
            hegui_core::CompiledPack::compile(r).expect("compile")
        };
        let name = if detail == hegui_core::Detail::Decisions { HEGUI_DECISIONS } else { HEGUI_FULL };
        let opts = hegui_core::EvalOptions { detail, ..Default::default() };
        Hegui { sup: load("out/cn.supervision.json"), he: load("out/cn.healthy-enterprise.json"), opts, selected: None, name }
    }
    pub fn load_selected() -> Self {
        let mut h = Self::load_with(hegui_core::Detail::Decisions);
        let sup = h.sup.select(&SUPERVISION_DECISIONS).expect("supervision decisions");
        let he = h.he.select(&HEALTHY_DECISIONS).expect("healthy-enterprise decision");
        h.selected = Some((sup, he));
        h.name = HEGUI_SELECTED;
        h
    }
    pub fn evaluate(&self, doc: &Value) -> (hegui_core::Outcome, hegui_core::Outcome) {
        match &self.selected {
            Some((sup, he)) => (self.sup.evaluate_selected(doc, &self.opts, sup), self.he.evaluate_selected(doc, &self.opts, he)),
            None => (self.sup.evaluate(doc, &self.opts), self.he.evaluate(doc, &self.opts)),
        }
    }
}
impl Peer for Hegui {
    fn name(&self) -> &'static str { self.name }
    fn answers(&mut self, doc: &Value) -> Value {
        let (s, h) = self.evaluate(doc);
        let v = |o: &hegui_core::Outcome, k: &str| match o.decisions.get(k) {
            Some(d) if matches!(d.status, hegui_core::outcome::DecisionStatus::Decided) => d.value.clone(),
            _ => Value::Null,
        };
        answers(&v(&s, "risk.hazard_grade"), &v(&s, "risk.management_grade"), &v(&s, "risk.class"), &v(&s, "supervision.policy"), &v(&h, "healthy_enterprise.eligible"))
    }
}

// ---------------------------------------------------------------- zen-engine (same JDM graph as Node)
pub struct Zen {
    decision: zen_engine::Decision,
    rt: tokio::runtime::Runtime,
}
impl Zen {
    pub fn load() -> Self {
        let content: zen_engine::model::DecisionContent = serde_json::from_str(&read("rules/zen.json")).expect("jdm");
        let engine = zen_engine::DecisionEngine::default();
        let mut decision = engine.create_decision(content.into()).expect("zen decision");
        decision.compile();
        Zen { decision, rt: tokio::runtime::Builder::new_current_thread().build().expect("rt") }
    }
    pub fn evaluate(&self, doc: &Value) -> Value {
        let r = self.rt.block_on(self.decision.evaluate(doc.clone().into())).expect("zen evaluate");
        serde_json::to_value(&r.result).expect("zen result")
    }
}
impl Peer for Zen {
    fn name(&self) -> &'static str { "zen-engine" }
    fn answers(&mut self, doc: &Value) -> Value {
        let o = self.evaluate(doc);
        let g = |k: &str| o.get(k).cloned().unwrap_or(Value::Null);
        answers(&g("hazard_grade"), &g("management_grade"), &g("class"), &g("policy"), &g("eligible"))
    }
}

// ---------------------------------------------------------------- datalogic-rs (same JsonLogic steps as json-logic-js)
pub struct DataLogic {
    engine: &'static datalogic_rs::Engine,
    steps: Vec<(String, String, datalogic_rs::Logic)>,
}
impl DataLogic {
    pub fn load() -> Self {
        let engine: &'static datalogic_rs::Engine = Box::leak(Box::new(datalogic_rs::Engine::new()));
        let steps: Vec<(String, Value)> = serde_json::from_str(&read("rules/jsonlogic.json")).expect("jsonlogic");
        let steps = steps
            .into_iter()
            .map(|(path, logic)| {
                let (a, b) = path.split_once('.').expect("path");
                (a.to_owned(), b.to_owned(), engine.compile(logic.to_string().as_str()).expect("compile"))
            })
            .collect();
        DataLogic { engine, steps }
    }
    /// Runs the steps in order; each result is stored at its path for the later steps.
    pub fn evaluate(&self, doc: &Value) -> Value {
        let mut ctx = Map::new();
        for k in ["assessment_date", "hazards", "management", "healthy_enterprise"] {
            ctx.insert(k.into(), doc.get(k).cloned().unwrap_or(Value::Null));
        }
        for k in ["risk", "policy", "he"] {
            ctx.insert(k.into(), Value::Object(Map::new()));
        }
        let mut ctx = Value::Object(ctx);
        let mut session = self.engine.session();
        for (a, b, logic) in &self.steps {
            let v: Value = session.eval_into(logic, &ctx).expect("datalogic evaluate");
            session.reset();
            ctx[a.as_str()][b.as_str()] = v;
        }
        ctx
    }
}
impl Peer for DataLogic {
    fn name(&self) -> &'static str { "datalogic-rs" }
    fn answers(&mut self, doc: &Value) -> Value {
        let c = self.evaluate(doc);
        answers(&c["risk"]["hazard_grade"], &c["risk"]["management_grade"], &c["risk"]["class"], &c["policy"], &c["he"]["eligible"])
    }
}
