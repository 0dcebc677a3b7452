//! The hostile input corpus against `hegui serve` (each answer typed, the server still up), a
//! slow client and hostile requests interleaved with honest ones, clients that never finish
//! their request headers (slowloris), and signed-bundle loading with `--trusted-key`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
#[path = "../../tests/hostile/corpus.rs"]
mod corpus;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::http::*;
use hegui::serve::{self, Config};
use hegui_core::signature::{public_key, sign_bundle_json};
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn error_keys(outcome: &Value) -> Vec<String> {
    outcome["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let code = e["code"].as_str().unwrap();
            match e["path"].as_str().or(e["rule"].as_str()) {
                Some(at) if !at.is_empty() => format!("{code}@{at}"),
                _ => code.to_owned(),
            }
        })
        .collect()
}

fn healthy(addr: std::net::SocketAddr) -> bool {
    get(addr, "/healthz").status == 200
}

#[test]
fn hostile_inputs_get_typed_answers_and_the_server_stays_up() {
    let manifest = corpus::manifest();
    let server = Server::start(Config::new(
        "127.0.0.1:0".parse().unwrap(),
        repo().join(&manifest.input_pack),
    ));
    let mut failures = Vec::new();
    for case in &manifest.inputs {
        let text = corpus::input_text(case);
        let started = Instant::now();
        let reply = request(
            server.addr,
            "POST",
            "/v1/packs/cn.supervision/evaluate",
            &[("Content-Type", "application/json")],
            text.as_bytes(),
        );
        let seconds = started.elapsed().as_secs_f64();
        let got = if reply.status == 200 {
            format!("200 {:?}", error_keys(&reply.json()))
        } else {
            format!("{} {}", reply.status, reply.error_code())
        };
        let want = match &case.server.code {
            None => format!("{} {:?}", case.server.status, case.errors),
            Some(code) => format!("{} {code}", case.server.status),
        };
        if got != want {
            failures.push(format!("{}: got {got}, want {want}", case.name));
        }
        if seconds > case.max_seconds {
            failures.push(format!("{}: took {seconds:.1} s", case.name));
        }
        if !healthy(server.addr) {
            failures.push(format!("{}: /healthz failed after it", case.name));
        }
    }
    server.stop();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A client that trickles its body one byte at a time is cut off by the request timeout, and
/// hostile requests sent in between, while honest requests keep being answered correctly.
#[test]
fn slow_and_hostile_clients_do_not_disturb_honest_ones() {
    let mut config = Config::new(
        "127.0.0.1:0".parse().unwrap(),
        repo().join("rules/cn/supervision"),
    );
    config.timeout = Duration::from_millis(800);
    let server = Server::start(config);
    let addr = server.addr;
    let example = std::fs::read(repo().join("examples/supervision-full.json")).unwrap();

    // Slow clients: 8 connections sending a 100-byte body, one byte every 50 ms.
    let slow: Vec<_> = (0..8)
        .map(|_| {
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let head = "POST /v1/packs/cn.supervision/evaluate HTTP/1.1\r\nHost: t\r\n\
                            Content-Type: application/json\r\nContent-Length: 100\r\n\r\n";
                s.write_all(head.as_bytes()).unwrap();
                for _ in 0..100 {
                    if s.write_all(b" ").is_err() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                let mut raw = Vec::new();
                let _ = std::io::Read::read_to_end(&mut s, &mut raw);
                String::from_utf8_lossy(&raw).contains("request.timeout")
            })
        })
        .collect();

    // Hostile requests from another thread, meanwhile.
    let hostile = std::thread::spawn(move || {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let bodies: Vec<Vec<u8>> = vec![
            deep.into_bytes(),
            vec![b'x'; 2 << 20],
            b"{\"assessment_date\": \"2026-02-30\"}".to_vec(),
            b"\xff\xfe".to_vec(),
        ];
        let mut answered = 0;
        for _ in 0..5 {
            for body in &bodies {
                let r = request(
                    addr,
                    "POST",
                    "/v1/packs/cn.supervision/evaluate",
                    &[("Content-Type", "application/json")],
                    body,
                );
                assert!(matches!(r.status, 200 | 400 | 413), "{}", r.status);
                answered += 1;
            }
        }
        answered
    });

    // Honest requests: every one must be answered 200 with no errors.
    let started = Instant::now();
    let mut honest = 0;
    let mut honest_failed = 0;
    while started.elapsed() < Duration::from_secs(3) {
        let r = request(
            addr,
            "POST",
            "/v1/packs/cn.supervision/evaluate",
            &[("Content-Type", "application/json")],
            &example,
        );
        honest += 1;
        if r.status != 200 || !r.json()["errors"].as_array().unwrap().is_empty() {
            honest_failed += 1;
        }
    }
    let timed_out = slow
        .into_iter()
        .map(|t| t.join().unwrap_or(false))
        .filter(|&cut| cut)
        .count();
    let hostile_answered = hostile.join().unwrap();
    eprintln!(
        "honest requests: {honest} ({honest_failed} failed); hostile answered: {hostile_answered}; \
         slow clients cut off: {timed_out}/8"
    );
    assert_eq!(honest_failed, 0);
    assert!(honest > 10, "only {honest} honest requests in 3 s");
    assert_eq!(timed_out, 8);
    assert_eq!(hostile_answered, 20);
    assert!(healthy(addr));
    server.stop();
}

/// How a connection held by a slow client ended, seen from the client.
#[derive(Debug, PartialEq)]
enum Ended {
    /// The server closed it (EOF or reset), or answered with an error status.
    Closed,
    /// Still open when the client gave up waiting: the server would have held it for ever.
    StillOpen,
}

/// Waits (up to `patience`) for the server to end the connection: EOF, a reset, or a 4xx/5xx.
fn wait_for_close(stream: &mut TcpStream, patience: Duration) -> Ended {
    stream.set_read_timeout(Some(patience)).unwrap();
    let mut buf = [0u8; 1024];
    match stream.read(&mut buf) {
        Ok(0) => Ended::Closed,
        Ok(n) => {
            let text = String::from_utf8_lossy(&buf[..n]);
            assert!(
                text.starts_with("HTTP/1.1 4") || text.starts_with("HTTP/1.1 5"),
                "unexpected answer to an unfinished request: {text}"
            );
            Ended::Closed
        }
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            Ended::StillOpen
        }
        Err(_) => Ended::Closed, // reset or aborted by the server
    }
}

/// Three slowloris clients: one that connects and sends nothing, one that sends half a header
/// and stops, one that trickles its headers a byte every 100 ms without ever finishing. Each is
/// cut off by the header-read timeout (500 ms here; 10 s of patience, for a loaded machine),
/// while the request timeout, set far longer, plays no part; other clients are served
/// meanwhile and afterwards.
#[test]
fn clients_that_never_finish_their_headers_are_cut_off() {
    let mut config = Config::new(
        "127.0.0.1:0".parse().unwrap(),
        repo().join("rules/cn/supervision"),
    );
    config.header_timeout = Duration::from_millis(500);
    config.timeout = Duration::from_secs(60);
    let server = Server::start(config);
    let addr = server.addr;
    let patience = Duration::from_secs(10);

    let idle = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        wait_for_close(&mut s, patience)
    });
    let partial = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Ty")
            .unwrap();
        wait_for_close(&mut s, patience)
    });
    let trickle = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        let header = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Pad: ";
        let started = Instant::now();
        for &byte in header.iter().chain(std::iter::repeat(&b'a')) {
            if s.write_all(&[byte]).is_err() {
                return Ended::Closed;
            }
            if started.elapsed() > patience {
                return Ended::StillOpen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ended::StillOpen
    });

    // Served while the slow clients hold their connections.
    assert!(healthy(addr));
    assert_eq!(idle.join().unwrap(), Ended::Closed, "idle connection");
    assert_eq!(partial.join().unwrap(), Ended::Closed, "half a header");
    assert_eq!(trickle.join().unwrap(), Ended::Closed, "trickled header");
    // And afterwards.
    assert!(healthy(addr));
    server.stop();
}

/// Starts `hegui serve` on a free port; returns the child and the address it logged.
#[cfg(unix)]
fn spawn_server(extra: &[&str]) -> (std::process::Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["serve", "--addr", "127.0.0.1:0", "--no-static", "--packs"])
        .arg(repo().join("rules/cn/supervision"))
        .args(extra)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("hegui serve ended before listening"))
            .unwrap();
        if let Some(at) = line.find("http://") {
            let rest = &line[at + "http://".len()..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            break rest[..end].parse().unwrap();
        }
    };
    // Keep draining the log, so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// SIGTERM still stops the server cleanly (exit 0) while a slowloris client holds a
/// connection with half its headers: the header timeout (`--header-timeout-ms`) bounds how
/// long the graceful shutdown waits for it.
#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_while_a_client_is_stuck_in_its_headers() {
    let (mut child, addr) = spawn_server(&["--header-timeout-ms", "500"]);
    assert!(healthy(addr));
    let mut stuck = TcpStream::connect(addr).unwrap();
    stuck.write_all(b"GET /healthz HTTP/1.1\r\nHo").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > Duration::from_secs(20) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("hegui serve did not stop within 20 s of SIGTERM");
    };
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        wait_for_close(&mut stuck, Duration::from_secs(5)),
        Ended::Closed
    );
}

const SECRET: [u8; 32] = [21; 32];

fn signed_dir(bundles: &[(&str, String)]) -> tempdir::Dir {
    let dir = tempdir::Dir::new();
    for (name, text) in bundles {
        std::fs::write(dir.0.join(name), text).unwrap();
    }
    dir
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "hegui-hostile-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn bundle() -> String {
    let resolved = hegui::packs::resolve_dir(&repo().join("rules/cn/supervision")).unwrap();
    resolved.to_bundle_json().unwrap()
}

fn load_code(dir: &tempdir::Dir, keys: Vec<[u8; 32]>) -> String {
    let mut config = Config::new("127.0.0.1:0".parse().unwrap(), dir.0.clone());
    config.trusted_keys = keys;
    match serve::load_state(&config) {
        Ok(_) => "ok".into(),
        Err(hegui::error::CliError::Load(_, e)) => e.code().into(),
        Err(e) => format!("other: {e}"),
    }
}

#[test]
fn trusted_keys_make_the_server_refuse_unsigned_and_wrongly_signed_bundles() {
    let key = public_key(&SECRET);
    let unsigned = bundle();
    let signed = sign_bundle_json(&unsigned, &SECRET).unwrap();
    let other = sign_bundle_json(&unsigned, &[22; 32]).unwrap();
    let at = signed.find("\"sig\":\"").unwrap() + 7;
    let mut bad = signed.clone().into_bytes();
    bad[at] = if bad[at] == b'0' { b'1' } else { b'0' };
    let bad = String::from_utf8(bad).unwrap();

    let cases = [
        ("unsigned", unsigned.clone(), "bundle.unsigned"),
        ("bad signature", bad, "bundle.bad_signature"),
        ("other key", other, "bundle.untrusted_key"),
        (
            "edited pack",
            signed.replacen("\"甲\"", "\"乙\"", 1),
            "bundle.digest_mismatch",
        ),
    ];
    for (name, text, want) in cases {
        let dir = signed_dir(&[("a.json", signed.clone()), ("b.json", text)]);
        assert_eq!(load_code(&dir, vec![key]), want, "{name}");
    }
    // Without trusted keys, the same folder of bundles is not what the server loads.
    let dir = signed_dir(&[("a.json", signed.clone())]);
    assert!(load_code(&dir, vec![]).starts_with("other:"));
    // Pack folders are not loaded when keys are trusted.
    let folder = Config::new(
        "127.0.0.1:0".parse().unwrap(),
        repo().join("rules/cn/supervision"),
    );
    let mut folder = folder;
    folder.trusted_keys = vec![key];
    assert!(serve::load_state(&folder).is_err());

    // A signed bundle loads, and is served with its signature.
    let mut config = Config::new("127.0.0.1:0".parse().unwrap(), dir.0.clone());
    config.trusted_keys = vec![key];
    let server = Server::start(config);
    let listed = get(server.addr, "/v1/packs").json();
    assert_eq!(listed["packs"][0]["id"], "cn.supervision");
    let served = get(server.addr, "/v1/packs/cn.supervision");
    assert_eq!(served.status, 200);
    assert_eq!(String::from_utf8(served.body).unwrap(), signed);
    server.stop();
}
