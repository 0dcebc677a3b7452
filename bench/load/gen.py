#!/usr/bin/env python3
"""Generates load-test data for `hegui serve` and `hegui check`.

    gen.py body  --bin target/release/hegui --out verify.json
        one honest POST /v1/verify body (input + the outcome `hegui eval` computes for it;
        `--detail portal`: only the pack, `complete` and the decisions of it, as the web demo
        sends them)
    gen.py jsonl --bin target/release/hegui --out submissions.jsonl --n 1000000
        n submissions for `hegui check`: 80% honest (with a claimed outcome), 10% bare inputs,
        5% tampered (risk.class changed), 5% invalid (wrong-typed field)

Outcomes come from the real engine (`hegui eval`), on 32 input variants.
"""
import argparse
import copy
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PACK = os.path.join(ROOT, "rules", "cn", "supervision")
EXAMPLE = os.path.join(ROOT, "examples", "supervision-full.json")


def evaluate(binary, doc):
    out = subprocess.run(
        [binary, "eval", "--pack", PACK, "--input", "-"],
        input=json.dumps(doc).encode(),
        capture_output=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"hegui eval failed: {out.stderr.decode()}")
    return json.loads(out.stdout)


def variants(n=32):
    base = json.load(open(EXAMPLE, encoding="utf-8"))
    for i in range(n):
        doc = copy.deepcopy(base)
        doc["employer"]["employees"] = 20 + 37 * i
        doc["management"]["selfcheck_score"] = 55 + (i * 7) % 45
        doc["hazards"]["factors"][0]["exposure_compliant"] = i % 3 == 0
        doc["hazards"]["factors"][1]["serious"] = i % 4 != 0
        yield doc


def compact(outcome):
    """What a portal stores: the pack, `complete` and the decisions."""
    return {k: outcome[k] for k in ("pack", "complete", "decisions")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["body", "jsonl"])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "hegui"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument(
        "--detail",
        choices=["full", "decisions", "portal"],
        default="full",
        help="body: claim the full outcome, the decisions-only one (rules and fields empty), "
        "or what a portal sends (pack, complete and decisions: web-demo/app.js)",
    )
    args = ap.parse_args()

    if args.kind == "body":
        doc = json.load(open(EXAMPLE, encoding="utf-8"))
        outcome = evaluate(args.bin, doc)
        if args.detail == "decisions":
            outcome["rules"], outcome["fields"] = [], {}
        elif args.detail == "portal":
            outcome = compact(outcome)
        body = {"pack": outcome["pack"], "input": doc, "outcome": outcome}
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(body, f, ensure_ascii=False, separators=(",", ":"))
        return

    docs = list(variants())
    lines = []  # per variant: honest, bare, tampered, invalid (with a {id} slot)
    for doc in docs:
        outcome = compact(evaluate(args.bin, doc))
        dump = lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":"))
        tampered = copy.deepcopy(outcome)
        cls = tampered["decisions"]["risk.class"]
        cls["value"] = "丙" if cls["value"] == "甲" else "甲"
        bad = copy.deepcopy(doc)
        bad["employer"]["employees"] = "many"
        lines.append(
            (
                '{"id":"%d",' + dump({"input": doc, "outcome": outcome})[1:],
                dump(doc),
                '{"id":"%d",' + dump({"input": doc, "outcome": tampered})[1:],
                '{"id":"%d",' + dump({"input": bad, "outcome": outcome})[1:],
            )
        )
    counts = {"accepted": 0, "rejected": 0, "invalid": 0}
    with open(args.out, "w", encoding="utf-8") as f:
        buf = []
        for i in range(args.n):
            honest, bare, tampered, invalid = lines[i % len(lines)]
            r = i % 20
            if r < 16:
                buf.append(honest % i)
                counts["accepted"] += 1
            elif r < 18:
                buf.append(bare)
                counts["accepted"] += 1
            elif r == 18:
                buf.append(tampered % i)
                counts["rejected"] += 1
            else:
                buf.append(invalid % i)
                counts["invalid"] += 1
            if len(buf) >= 10000:
                f.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            f.write("\n".join(buf) + "\n")
    print(json.dumps({"expected": counts}), file=sys.stderr)


if __name__ == "__main__":
    main()
