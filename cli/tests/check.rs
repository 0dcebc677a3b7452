//! `hegui check` on generated files: verdict counts, input order, and resuming after an
//! interruption giving the same output as an uninterrupted run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use hegui_core::EvalOptions;
use serde_json::{json, Value};

mod common;
use common::{example, pack_dir};

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hegui-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hegui"))
        .arg("check")
        .arg("--pack")
        .arg(pack_dir())
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap()
}

fn summary(output: &Output) -> Value {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no summary"));
    serde_json::from_str::<Value>(last).unwrap()["summary"].clone()
}

#[derive(Default, Debug, PartialEq)]
struct Expected {
    accepted: u64,
    rejected: u64,
    invalid: u64,
}

/// Writes `n` submissions, mixed honest, tampered and invalid, and returns what to expect.
fn generate(path: &Path, n: usize) -> Expected {
    let pack = hegui::packs::compile_path(&pack_dir()).unwrap();
    let base = example();
    let mut expected = Expected::default();
    let mut text = String::new();
    for i in 0..n {
        let mut input = base.clone();
        input["employer"]["employees"] = json!(i % 400);
        input["management"]["selfcheck_score"] = json!(50 + (i * 7) % 51);
        input["hazards"]["factors"][0]["exposure_compliant"] = json!(i % 3 == 0);
        input["hazards"]["factors"][1]["serious"] = json!(i % 4 != 0);
        let outcome = serde_json::to_value(pack.evaluate(&input, &EvalOptions::default())).unwrap();
        let pack_ref = outcome["pack"].clone();
        let line = match i % 20 {
            0..=9 => {
                expected.accepted += 1;
                json!({"id": format!("s{i}"), "pack": pack_ref, "input": input, "outcome": outcome})
                    .to_string()
            }
            10 | 11 => {
                expected.accepted += 1;
                input.to_string()
            }
            12 | 13 => {
                expected.rejected += 1;
                let mut claimed = outcome.clone();
                let class = &mut claimed["decisions"]["risk.class"]["value"];
                *class = json!(if *class == json!("甲") { "丙" } else { "甲" });
                json!({"id": format!("s{i}"), "input": input, "outcome": claimed}).to_string()
            }
            14 => {
                expected.rejected += 1;
                let mut claimed = outcome.clone();
                let grade = &mut claimed["decisions"]["risk.management_grade"]["value"];
                *grade = json!(if *grade == json!("A") { "C" } else { "A" });
                json!({"input": input, "outcome": claimed}).to_string()
            }
            15 => {
                expected.rejected += 1;
                let mut stale = pack_ref.clone();
                stale["digest"] = json!("sha256:00");
                json!({"pack": stale, "input": input, "outcome": outcome}).to_string()
            }
            16 | 17 => {
                expected.invalid += 1;
                input["employer"]["employees"] = json!("many");
                json!({"id": i, "input": input, "outcome": outcome}).to_string()
            }
            18 => {
                expected.invalid += 1;
                format!("{{\"input\": {{\"employer\": {i}")
            }
            _ => {
                expected.invalid += 1;
                input["assessment_date"] = json!("2026-02-30");
                input.to_string()
            }
        };
        text.push_str(&line);
        text.push('\n');
        if i % 500 == 499 {
            text.push('\n'); // blank lines are not records
        }
    }
    std::fs::write(path, text).unwrap();
    expected
}

fn verdicts(output: &str) -> Expected {
    let mut counts = Expected::default();
    let mut last_line = 0;
    for line in output.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let n = v["line"].as_u64().unwrap();
        assert!(n > last_line, "output out of input order at line {n}");
        last_line = n;
        match v["verdict"].as_str().unwrap() {
            "accepted" => counts.accepted += 1,
            "rejected" => counts.rejected += 1,
            "invalid" => counts.invalid += 1,
            other => panic!("verdict {other}"),
        }
    }
    counts
}

#[test]
fn counts_order_and_resume() {
    let dir = temp_dir("jsonl");
    let input = dir.join("submissions.jsonl");
    let expected = generate(&input, 2000);
    let input_s = input.to_str().unwrap();

    // Uninterrupted.
    let full_path = dir.join("full.jsonl");
    let full = check(&["--input", input_s, "--output", full_path.to_str().unwrap()]);
    assert_eq!(
        full.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&full.stderr)
    );
    let full_text = std::fs::read_to_string(&full_path).unwrap();
    assert_eq!(full_text.lines().count(), 2000);
    assert_eq!(verdicts(&full_text), expected);
    let s = summary(&full);
    assert_eq!(
        (
            s["accepted"].as_u64(),
            s["rejected"].as_u64(),
            s["invalid"].as_u64()
        ),
        (
            Some(expected.accepted),
            Some(expected.rejected),
            Some(expected.invalid)
        )
    );

    // The reasons name what is wrong.
    let tampered: Value = serde_json::from_str(full_text.lines().nth(12).unwrap()).unwrap();
    assert_eq!(tampered["verdict"], "rejected");
    assert_eq!(tampered["reasons"][0]["code"], "decision.differs");
    assert_eq!(tampered["reasons"][0]["decision"], "risk.class");
    let wrong_type: Value = serde_json::from_str(full_text.lines().nth(16).unwrap()).unwrap();
    assert_eq!(wrong_type["reasons"][0]["path"], "employer.employees");
    let stale: Value = serde_json::from_str(full_text.lines().nth(15).unwrap()).unwrap();
    assert_eq!(stale["reasons"][0]["code"], "pack.stale_digest");

    // Interrupted after 700 records, killed in the middle of writing the 701st line.
    let part_path = dir.join("part.jsonl");
    let part_s = part_path.to_str().unwrap();
    let part = check(&["--input", input_s, "--output", part_s, "--limit", "700"]);
    assert!(part.status.code().is_some());
    let mut partial = std::fs::read_to_string(&part_path).unwrap();
    assert_eq!(partial.lines().count(), 700);
    let next_line = full_text.lines().nth(700).unwrap();
    partial.push_str(&next_line[..next_line.len() / 2]);
    std::fs::write(&part_path, partial).unwrap();

    let resumed = check(&["--input", input_s, "--output", part_s, "--resume"]);
    assert_eq!(resumed.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&part_path).unwrap(), full_text);
    let s = summary(&resumed);
    assert_eq!(s["resumed"].as_u64(), Some(700));
    assert_eq!(s["checked"].as_u64(), Some(1300));
    assert_eq!(s["records"].as_u64(), Some(2000));
    assert_eq!(s["accepted"].as_u64(), Some(expected.accepted));

    // Resuming a finished run changes nothing.
    let again = check(&["--input", input_s, "--output", part_s, "--resume"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(summary(&again)["checked"].as_u64(), Some(0));
    assert_eq!(std::fs::read_to_string(&part_path).unwrap(), full_text);

    // Resuming against another input is refused.
    let other = dir.join("other.jsonl");
    std::fs::write(
        &other,
        "\n\n\n".repeat(300) + std::fs::read_to_string(&input).unwrap().as_str(),
    )
    .unwrap();
    let mismatch = check(&[
        "--input",
        other.to_str().unwrap(),
        "--output",
        part_s,
        "--resume",
    ]);
    assert_eq!(mismatch.status.code(), Some(2));

    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_with_field_columns_or_json_input() {
    let dir = temp_dir("csv");
    let fields = dir.join("fields.csv");
    std::fs::write(
        &fields,
        "id,assessment_date,employer.employees,hazards.present,management.selfcheck_score\n\
         a,2026-01-01,12,false,95\n\
         b,2026-01-01,many,no,80\n\
         c,2026-01-01,,,\n",
    )
    .unwrap();
    let out = check(&["--input", fields.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["verdict"], "accepted");
    assert_eq!(lines[0]["decisions"]["risk.management_grade"], "A");
    assert_eq!(lines[1]["verdict"], "invalid");
    assert_eq!(lines[1]["reasons"][0]["path"], "employer.employees");
    assert_eq!(lines[2]["verdict"], "accepted");
    assert_eq!(lines[2]["complete"], false);

    let pack = hegui::packs::compile_path(&pack_dir()).unwrap();
    let input = example();
    let outcome = serde_json::to_value(pack.evaluate(&input, &EvalOptions::default())).unwrap();
    let mut tampered = outcome.clone();
    tampered["decisions"]["risk.hazard_grade"]["value"] = json!("I");
    let mut writer = csv::Writer::from_path(dir.join("json.csv")).unwrap();
    writer.write_record(["id", "input", "outcome"]).unwrap();
    writer
        .write_record(["honest", &input.to_string(), &outcome.to_string()])
        .unwrap();
    writer
        .write_record(["tampered", &input.to_string(), &tampered.to_string()])
        .unwrap();
    writer.write_record(["broken", "{", ""]).unwrap();
    writer.flush().unwrap();
    drop(writer);
    let out = check(&["--input", dir.join("json.csv").to_str().unwrap()]);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["verdict"], "accepted");
    assert_eq!(lines[1]["verdict"], "rejected");
    assert_eq!(lines[1]["reasons"][0]["decision"], "risk.hazard_grade");
    assert_eq!(lines[2]["verdict"], "invalid");
    assert_eq!(lines[2]["reasons"][0]["code"], "record.malformed");

    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["check", "--pack", "/nonexistent", "--input", "x.jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(env!("CARGO_BIN_EXE_hegui"))
        .args(["check", "--pack"])
        .arg(pack_dir())
        .args(["--input", "x.jsonl", "--resume"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn output_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A JSONL line over `--max-record-bytes` (default 1 MiB, the server's body cap) is an
/// `invalid` record with `record.too_large` naming its line, whether or not a newline ends it;
/// the next records are checked as usual, and a resumed run writes the same output.
#[test]
fn a_jsonl_line_over_the_cap_is_an_invalid_record() {
    let dir = temp_dir("jsonl-too-large");
    let small = example().to_string();
    let huge = format!("{{\"input\": {{\"pad\": \"{}\"}}}}", "x".repeat(3 << 20));
    let input = dir.join("in.jsonl");
    std::fs::write(&input, format!("{small}\n{huge}\n{small}\n{huge}")).unwrap();
    let input_s = input.to_str().unwrap();
    let out_path = dir.join("out.jsonl");
    let out_s = out_path.to_str().unwrap();

    let out = check(&["--input", input_s, "--output", out_s]);
    assert_eq!(out.status.code(), Some(1));
    let full_text = std::fs::read_to_string(&out_path).unwrap();
    let lines = output_lines(&full_text);
    let verdicts: Vec<_> = lines.iter().map(|l| l["verdict"].clone()).collect();
    assert_eq!(verdicts, ["accepted", "invalid", "accepted", "invalid"]);
    for (i, line) in [(1, 2), (3, 4)] {
        let reason = &lines[i]["reasons"][0];
        assert_eq!(lines[i]["line"], line);
        assert_eq!(reason["code"], "record.too_large");
        let en = reason["message"]["en"].as_str().unwrap();
        assert!(en.contains(&format!("line {line}")), "{en}");
        assert!(en.contains("1048576 bytes"), "{en}");
        let zh = reason["message"]["zh"].as_str().unwrap();
        assert!(zh.contains(&format!("第 {line} 行")), "{zh}");
    }

    // Interrupted after the first too-large record, then resumed: the same bytes.
    let part = check(&["--input", input_s, "--output", out_s, "--limit", "2"]);
    assert_eq!(part.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&out_path).unwrap().lines().count(),
        2
    );
    let resumed = check(&["--input", input_s, "--output", out_s, "--resume"]);
    assert_eq!(resumed.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), full_text);

    // The cap is a flag: under a smaller one, the ordinary records are too large as well.
    let out = check(&["--input", input_s, "--max-record-bytes", "100"]);
    let lines = output_lines(&String::from_utf8(out.stdout).unwrap());
    assert!(lines
        .iter()
        .all(|l| l["reasons"][0]["code"] == "record.too_large"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A CSV row over the cap (here a quoted cell of 3 MiB spanning many lines) is an `invalid`
/// record with `record.too_large` naming the line it starts on; the rows after it keep their
/// own line numbers and are checked as usual. `--lang zh` keeps the Chinese message only.
#[test]
fn a_csv_row_over_the_cap_is_an_invalid_record() {
    let dir = temp_dir("csv-too-large");
    let huge = "many\n".repeat(600_000); // 3 MB, 600 000 lines inside one quoted cell
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        format!(
            "id,assessment_date,employer.employees,hazards.present,management.selfcheck_score\n\
             a,2026-01-01,12,false,95\n\
             b,2026-01-01,\"{huge}\",false,95\n\
             c,2026-01-01,12,false,95\n"
        ),
    )
    .unwrap();
    let out = check(&["--input", input.to_str().unwrap(), "--lang", "zh"]);
    assert_eq!(out.status.code(), Some(1));
    let lines = output_lines(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["verdict"], "accepted");
    assert_eq!(lines[1]["verdict"], "invalid");
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["reasons"][0]["code"], "record.too_large");
    assert_eq!(
        lines[1]["reasons"][0]["message"],
        json!({"zh": "第 3 行的记录超过 1048576 字节（--max-record-bytes），未读取"})
    );
    assert_eq!(lines[2]["id"], "c");
    assert_eq!(lines[2]["verdict"], "accepted");
    assert_eq!(lines[2]["line"], 3 + 600_000 + 1);

    // Under the cap, the same row is read and its cell judged: not a number.
    let out = check(&[
        "--input",
        input.to_str().unwrap(),
        "--max-record-bytes",
        "4000000",
    ]);
    let lines = output_lines(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(lines[1]["reasons"][0]["code"], "input.invalid");
    assert_eq!(lines[1]["reasons"][0]["path"], "employer.employees");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Reasons of `hegui check` are bilingual by default, like the server's.
#[test]
fn check_reasons_are_bilingual_and_follow_lang() {
    let dir = temp_dir("lang");
    let input = dir.join("in.jsonl");
    std::fs::write(&input, "[1]\n").unwrap();
    let input_s = input.to_str().unwrap();
    let both = output_lines(&String::from_utf8(check(&["--input", input_s]).stdout).unwrap());
    let message = &both[0]["reasons"][0]["message"];
    assert_eq!(both[0]["reasons"][0]["code"], "record.malformed");
    assert_eq!(message["zh"], "每条记录必须是一个 JSON 对象");
    assert_eq!(message["en"], "a record must be a JSON object");
    let en = check(&["--input", input_s, "--lang", "en"]);
    let en = output_lines(&String::from_utf8(en.stdout).unwrap());
    assert_eq!(
        en[0]["reasons"][0]["message"],
        json!({"en": "a record must be a JSON object"})
    );
    assert_eq!(
        check(&["--input", input_s, "--lang", "fr"]).status.code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
