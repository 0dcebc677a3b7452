//! The HTTP API, served in-process on a free loopback port and spoken to over plain TCP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use hegui::serve::Config;
use serde_json::{json, Value};

mod common;
use common::http::*;
use common::{example, pack_dir};

fn config() -> Config {
    Config::new("127.0.0.1:0".parse().unwrap(), pack_dir())
}

/// The outcome of the example, as a browser would claim it.
fn honest(addr: SocketAddr) -> (Value, Value) {
    let input = example();
    let reply = post_json(addr, "/v1/packs/cn.supervision/evaluate", &input);
    assert_eq!(reply.status, 200);
    (input, reply.json())
}

fn verify_body(input: &Value, outcome: &Value) -> Value {
    json!({"pack": outcome["pack"], "input": input, "outcome": outcome})
}

fn codes(verdict: &Value) -> Vec<String> {
    verdict["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_api_accepts_honest_and_rejects_everything_else() {
    let server = Server::start(config());
    let addr = server.addr;

    // Listing and the bundle.
    let list = get(addr, "/v1/packs").json();
    let packs = list["packs"].as_array().unwrap();
    assert_eq!(packs.len(), 1);
    assert_eq!(packs[0]["id"], "cn.supervision");
    assert!(packs[0]["digest"].as_str().unwrap().starts_with("sha256:"));
    assert!(packs[0]["title"]["zh"].is_string());
    assert_eq!(packs[0]["jurisdiction"], "cn");
    assert!(packs[0].get("extends").is_none());
    let bundle = get(addr, "/v1/packs/cn.supervision");
    assert_eq!(bundle.status, 200);
    let resolved = hegui::packs::resolve_dir(&pack_dir()).unwrap();
    assert_eq!(
        String::from_utf8(bundle.body.clone()).unwrap(),
        resolved.to_bundle_json().unwrap()
    );
    let etag = bundle.header("etag").unwrap().to_owned();
    let cached = request(
        addr,
        "GET",
        "/v1/packs/cn.supervision",
        &[("If-None-Match", &etag)],
        b"",
    );
    assert_eq!(cached.status, 304);

    // Honest: accepted, and the recomputed outcome is returned.
    let (input, outcome) = honest(addr);
    let reply = post_json(addr, "/v1/verify", &verify_body(&input, &outcome));
    assert_eq!(reply.status, 200);
    let verdict = reply.json();
    assert_eq!(verdict["verdict"], "accepted", "{verdict}");
    assert_eq!(verdict["reasons"], json!([]));
    assert_eq!(verdict["outcome"], outcome);

    // Tampered: class 乙 claimed as 甲, and the management grade flipped.
    let mut tampered = outcome.clone();
    assert_eq!(tampered["decisions"]["risk.class"]["value"], "乙");
    tampered["decisions"]["risk.class"]["value"] = json!("甲");
    tampered["decisions"]["risk.management_grade"]["value"] = json!("A");
    let verdict = post_json(addr, "/v1/verify", &verify_body(&input, &tampered)).json();
    assert_eq!(verdict["verdict"], "rejected");
    let reasons = verdict["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 2, "{verdict}");
    let class = reasons
        .iter()
        .find(|r| r["decision"] == "risk.class")
        .unwrap();
    assert_eq!(class["code"], "decision.differs");
    assert_eq!(class["claimed"], "甲");
    assert_eq!(class["recomputed"], "乙");
    let grade = reasons
        .iter()
        .find(|r| r["decision"] == "risk.management_grade")
        .unwrap();
    assert_eq!(grade["claimed"], "A");
    assert_eq!(grade["recomputed"], "B");

    // A status flipped alone is a difference too.
    let mut pending = outcome.clone();
    pending["decisions"]["supervision.policy"]["status"] = json!("pending");
    let verdict = post_json(addr, "/v1/verify", &verify_body(&input, &pending)).json();
    assert_eq!(codes(&verdict), ["decision.differs"]);
    assert_eq!(verdict["reasons"][0]["decision"], "supervision.policy");

    // Stale digest.
    let mut body = verify_body(&input, &outcome);
    body["pack"]["digest"] = json!("sha256:0000");
    let verdict = post_json(addr, "/v1/verify", &body).json();
    assert_eq!(verdict["verdict"], "rejected");
    assert!(
        codes(&verdict).contains(&"pack.stale_digest".to_owned()),
        "{verdict}"
    );

    // Unknown pack and unknown version.
    let mut body = verify_body(&input, &outcome);
    body["pack"]["id"] = json!("cn.nonexistent");
    let verdict = post_json(addr, "/v1/verify", &body).json();
    assert_eq!(codes(&verdict), ["pack.unknown"]);
    assert_eq!(verdict["outcome"], Value::Null);
    let mut body = verify_body(&input, &outcome);
    body["pack"]["version"] = json!("9.9.9");
    assert_eq!(
        codes(&post_json(addr, "/v1/verify", &body).json()),
        ["pack.unknown_version"]
    );
    let reply = post_json(addr, "/v1/packs/cn.nonexistent/evaluate", &input);
    assert_eq!(
        (reply.status, reply.error_code()),
        (404, "pack.unknown".into())
    );
    let reply = get(addr, "/v1/packs/cn.nonexistent");
    assert_eq!(
        (reply.status, reply.error_code()),
        (404, "pack.unknown".into())
    );

    // Wrong-typed field: rejected, naming the path.
    let mut bad_input = input.clone();
    bad_input["employer"]["employees"] = json!("a hundred");
    let verdict = post_json(addr, "/v1/verify", &verify_body(&bad_input, &outcome)).json();
    assert_eq!(verdict["verdict"], "rejected");
    let invalid = verdict["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "input.invalid")
        .unwrap_or_else(|| panic!("{verdict}"));
    assert_eq!(invalid["path"], "employer.employees");
    assert_eq!(invalid["error"], "input.wrong_type");

    // A 2 MiB body.
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let reply = request(
        addr,
        "POST",
        "/v1/verify",
        &[("Content-Type", "application/json")],
        big.as_bytes(),
    );
    assert_eq!(
        (reply.status, reply.error_code()),
        (413, "request.too_large".into())
    );

    // Malformed JSON, JSON of the wrong shape, the wrong content type.
    let json_header = [("Content-Type", "application/json")];
    let reply = request(addr, "POST", "/v1/verify", &json_header, b"{\"pack\": ");
    assert_eq!(
        (reply.status, reply.error_code()),
        (400, "request.malformed".into())
    );
    let reply = request(
        addr,
        "POST",
        "/v1/packs/cn.supervision/evaluate",
        &json_header,
        b"nope",
    );
    assert_eq!(
        (reply.status, reply.error_code()),
        (400, "request.malformed".into())
    );
    let reply = post_json(addr, "/v1/verify", &json!({"input": {}, "outcome": {}}));
    assert_eq!(
        (reply.status, reply.error_code()),
        (422, "request.invalid".into())
    );
    let reply = request(
        addr,
        "POST",
        "/v1/verify",
        &[("Content-Type", "text/plain")],
        b"{}",
    );
    assert_eq!(
        (reply.status, reply.error_code()),
        (415, "request.content_type".into())
    );
    let reply = post_json(
        addr,
        "/v1/verify",
        &json!({"pack": outcome["pack"], "input": input, "outcome": 5}),
    );
    assert_eq!(codes(&reply.json()), ["outcome.malformed"]);

    // Deep nesting and unknown routes and methods.
    let deep = format!(
        "{{\"pack\":{},\"outcome\":{{}},\"input\":{}{}}}",
        outcome["pack"],
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let reply = request(addr, "POST", "/v1/verify", &json_header, deep.as_bytes());
    assert_eq!(
        (reply.status, reply.error_code()),
        (400, "request.malformed".into())
    );
    let reply = get(addr, "/v2/nothing");
    assert_eq!(
        (reply.status, reply.error_code()),
        (404, "route.unknown".into())
    );
    let reply = get(addr, "/v1/verify");
    assert_eq!(
        (reply.status, reply.error_code()),
        (405, "request.method".into())
    );

    // Still alive.
    let health = get(addr, "/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");

    // The OpenAPI document is generated and lists every path.
    let doc = get(addr, "/openapi.json").json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/healthz",
        "/v1/packs",
        "/v1/packs/{id}",
        "/v1/packs/{id}/evaluate",
        "/v1/verify",
        "/openapi.json",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from /openapi.json"
        );
    }
    assert!(doc["components"]["schemas"]["VerifyRequest"].is_object());

    server.stop();
}

#[test]
fn saturation_and_timeouts_are_json_503s() {
    let mut config = config();
    config.max_concurrency = 1;
    config.timeout = Duration::from_millis(700);
    let server = Server::start(config);
    let addr = server.addr;

    // A client that promises a body and never sends it holds the only slot until the timeout.
    let mut slow = TcpStream::connect(addr).unwrap();
    slow.write_all(
        b"POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let busy = get(addr, "/v1/packs");
    assert_eq!(
        (busy.status, busy.error_code()),
        (503, "server.busy".into())
    );
    assert_eq!(busy.header("retry-after"), Some("1"));
    // Health checks are outside the limit.
    assert_eq!(get(addr, "/healthz").status, 200);

    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    while !raw.windows(4).any(|w| w == b"\r\n\r\n") || !raw.ends_with(b"}}") {
        let n = slow.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("request.timeout"), "{text}");

    // The slot is free again.
    assert_eq!(get(addr, "/v1/packs").status, 200);
    server.stop();
}

#[test]
fn static_files_are_served_at_the_root() {
    let dir = std::env::temp_dir().join(format!("hegui-static-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>合规</h1>").unwrap();
    let mut config = config();
    config.static_dir = Some(dir.clone());
    let server = Server::start(config);
    let page = get(server.addr, "/");
    assert_eq!(page.status, 200);
    assert_eq!(String::from_utf8(page.body).unwrap(), "<h1>合规</h1>");
    let missing = get(server.addr, "/missing.js");
    assert_eq!(
        (missing.status, missing.error_code()),
        (404, "route.unknown".into())
    );
    // The API still wins over the files.
    assert_eq!(get(server.addr, "/healthz").status, 200);
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn detail_decisions_answers_the_same_without_the_trace() {
    let server = Server::start(config());
    let addr = server.addr;
    let (input, full) = honest(addr);
    let brief = post_json(
        addr,
        "/v1/packs/cn.supervision/evaluate?detail=decisions",
        &input,
    )
    .json();
    assert_eq!(brief["decisions"], full["decisions"]);
    assert_eq!(brief["complete"], full["complete"]);
    assert_eq!(brief["rules"], json!([]));
    assert_eq!(brief["fields"], json!({}));
    assert!(!full["rules"].as_array().unwrap().is_empty());

    // A client may claim the brief outcome, and ask for a brief answer.
    let reply = post_json(
        addr,
        "/v1/verify?detail=decisions",
        &verify_body(&input, &brief),
    );
    let verdict = reply.json();
    assert_eq!(verdict["verdict"], "accepted", "{verdict}");
    assert_eq!(verdict["outcome"], brief);
    // Tampering is still caught.
    let mut tampered = brief.clone();
    tampered["decisions"]["risk.class"]["value"] = json!("甲");
    let verdict = post_json(
        addr,
        "/v1/verify?detail=decisions",
        &verify_body(&input, &tampered),
    )
    .json();
    assert_eq!(verdict["verdict"], "rejected", "{verdict}");

    let bad = post_json(
        addr,
        "/v1/verify?detail=everything",
        &verify_body(&input, &brief),
    );
    assert_eq!(
        (bad.status, bad.error_code()),
        (400, "request.query".into())
    );
    server.stop();
}

#[test]
fn evaluate_can_be_limited_to_some_decisions() {
    let server = Server::start(config());
    let addr = server.addr;
    let (input, full) = honest(addr);
    let limited = post_json(
        addr,
        "/v1/packs/cn.supervision/evaluate?decisions=risk.class,%20supervision.policy",
        &input,
    );
    assert_eq!(limited.status, 200);
    let limited = limited.json();
    let decisions = limited["decisions"].as_object().unwrap();
    // the two asked for, and the two grades the class is read from
    let mut names: Vec<&str> = decisions.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "risk.class",
            "risk.hazard_grade",
            "risk.management_grade",
            "supervision.policy"
        ]
    );
    for (path, decision) in decisions {
        assert_eq!(decision, &full["decisions"][path], "{path}");
    }
    assert!(full["decisions"]["risk.industry_risk"].is_object());
    let ran = limited["rules"].as_array().unwrap().len();
    assert!(ran > 0 && ran < full["rules"].as_array().unwrap().len());

    let unknown = post_json(
        addr,
        "/v1/packs/cn.supervision/evaluate?decisions=risk.clas",
        &input,
    );
    assert_eq!(
        (unknown.status, unknown.error_code()),
        (400, "selection.unknown_decision".into())
    );
    assert_eq!(unknown.json()["error"]["path"], "decisions");
    let empty = post_json(addr, "/v1/packs/cn.supervision/evaluate?decisions=", &input);
    assert_eq!(
        (empty.status, empty.error_code()),
        (400, "selection.empty".into())
    );
    server.stop();
}

#[test]
fn a_body_announced_over_the_cap_is_refused_before_it_is_read() {
    let mut config = config();
    config.timeout = Duration::from_secs(30);
    let server = Server::start(config);
    // 10 MB announced, 1 byte sent: the answer comes at once, not after the timeout.
    let mut client = TcpStream::connect(server.addr).unwrap();
    client
        .write_all(
            b"POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{",
        )
        .unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = [0u8; 4096];
    let n = client.read(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("request.too_large"), "{text}");
    // Under the cap, the usual path.
    assert_eq!(get(server.addr, "/healthz").status, 200);
    server.stop();
}

/// Reasons are bilingual like the outcome's messages: `{zh, en}` by default, one language with
/// `?lang=`; the codes do not change with the language.
#[test]
fn verify_reasons_follow_the_lang_convention() {
    let server = Server::start(config());
    let addr = server.addr;
    let (input, outcome) = honest(addr);
    let mut tampered = outcome.clone();
    tampered["decisions"]["risk.class"]["value"] = json!("甲");
    let body = verify_body(&input, &tampered);

    let both = post_json(addr, "/v1/verify", &body).json();
    assert_eq!(codes(&both), ["decision.differs"]);
    let message = &both["reasons"][0]["message"];
    assert_eq!(
        message["zh"],
        "判定结果不一致：`risk.class` 声称为 \"甲\"（已判定），重新计算为 \"乙\"（已判定）"
    );
    assert_eq!(
        message["en"],
        "decision `risk.class`: claimed \"甲\" (decided), recomputed \"乙\" (decided)"
    );

    let zh = post_json(addr, "/v1/verify?lang=zh", &body).json();
    assert_eq!(codes(&zh), ["decision.differs"]);
    assert_eq!(zh["reasons"][0]["message"], json!({"zh": message["zh"]}));
    let en = post_json(addr, "/v1/verify?lang=en&detail=decisions", &body).json();
    assert_eq!(en["reasons"][0]["message"], json!({"en": message["en"]}));
    // The recomputed outcome follows the same `lang`, as `evaluate` does.
    let zh_outcome = post_json(addr, "/v1/packs/cn.supervision/evaluate?lang=zh", &input).json();
    assert_eq!(zh["outcome"], zh_outcome);

    // Every reason, not only decision differences: an unknown pack, a stale digest.
    let mut unknown = body.clone();
    unknown["pack"]["id"] = json!("cn.nonexistent");
    let verdict = post_json(addr, "/v1/verify?lang=zh", &unknown).json();
    assert_eq!(
        verdict["reasons"][0]["message"],
        json!({"zh": "未知的规则包 `cn.nonexistent`"})
    );
    let mut stale = verify_body(&input, &outcome);
    stale["pack"]["digest"] = json!("sha256:0000");
    let verdict = post_json(addr, "/v1/verify?lang=zh", &stale).json();
    let zh_text = verdict["reasons"][0]["message"]["zh"].as_str().unwrap();
    assert!(zh_text.starts_with("规则包摘要已过期"), "{zh_text}");
    assert!(verdict["reasons"][0]["message"].get("en").is_none());

    let bad = post_json(addr, "/v1/verify?lang=fr", &body);
    assert_eq!(
        (bad.status, bad.error_code()),
        (400, "request.query".into())
    );
    let doc = get(addr, "/openapi.json").json();
    let params = doc["paths"]["/v1/verify"]["post"]["parameters"]
        .as_array()
        .unwrap();
    assert!(params.iter().any(|p| p["name"] == "lang"), "{params:?}");
    server.stop();
}
