#!/usr/bin/env python3
"""Writes the committed seed corpora of fuzz/corpus/ from the shipped packs, their test cases,
the examples and the hostile corpus. Run from the repository root after
`cargo test -p hegui-core --test hostile_corpus --test hostile_signature` (for the bundles):
python3 fuzz/seed.py"""
import glob, json, os, subprocess, tomllib

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(root)
def out(target, name, data):
    d = f"fuzz/corpus/{target}"
    os.makedirs(d, exist_ok=True)
    with open(f"{d}/seed-{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

packs = sorted(os.path.dirname(p) for p in glob.glob("rules/*/*/pack.toml"))
for i, d in enumerate(packs):
    parts = [open(f"{d}/{n}").read() if os.path.exists(f"{d}/{n}") else "" for n in ("pack.toml", "fields.toml", "rules.toml")]
    if "extends" in parts[0]:
        continue
    for t in sorted(glob.glob(f"{d}/tables/*.csv")):
        parts.append(os.path.relpath(t, d) + "\n" + open(t).read())
    out("pack_sources", d.replace("/", "-"), "\0".join(parts))
# The hostile base pack as sources.
hb = "tests/hostile/packs/_base"
out("pack_sources", "hostile-base", "\0".join([open(f"{hb}/{n}").read() for n in ("pack.toml", "fields.toml", "rules.toml")] + ["tables/size.csv\n" + open(f"{hb}/tables/size.csv").read()]))

for name in ("endless-loop", "cycle", "overlapping-unique", "digest-edited"):
    out("bundle_json", f"hostile-{name}", open(f"tests/out/hostile/packs/{name}.json").read())
sig = json.load(open("tests/out/hostile/signatures.json"))
for c in sig["cases"][:3]:
    out("bundle_json", f"signed-{c['name']}", c["bundle"])

# Every rule expression of the shipped packs, for the direct forms' reader.
exprs = set()
for t in sorted(glob.glob("rules/*/*/rules.toml")):
    for rule in tomllib.load(open(t, "rb")).get("rule", []):
        exprs.update(rule[k] for k in ("when", "assert", "points", "expr") if k in rule)
        exprs.update(rule.get("inputs", {}).values())
for i, e in enumerate(sorted(exprs)):
    out("expression_text", f"{i:03}", e)

inputs = []
for i, d in enumerate(packs):
    for t in sorted(glob.glob(f"{d}/tests/*.toml")):
        for j, case in enumerate(tomllib.load(open(t, "rb")).get("case", [])[:6]):
            inputs.append((i, f"{d.replace('/', '-')}-{os.path.basename(t)[:-5]}-{j}", json.dumps(case.get("input", {}), ensure_ascii=False)))
for i, name, text in inputs:
    out("evaluate_input", name, bytes([i]) + text.encode())

hegui = "target/debug/hegui"
for ex in sorted(glob.glob("examples/supervision*.json"))[:3]:
    inp = json.load(open(ex))
    outcome = json.loads(subprocess.run([hegui, "eval", "--pack", "rules/cn/supervision", "--input", ex], capture_output=True, text=True).stdout)
    req = {"pack": outcome["pack"], "input": inp, "outcome": {"pack": outcome["pack"], "complete": outcome["complete"], "decisions": outcome["decisions"]}}
    out("verify_request", os.path.basename(ex)[:-5], json.dumps(req, ensure_ascii=False))
    out("evaluate_input", "example-" + os.path.basename(ex)[:-5], bytes([packs.index("rules/cn/supervision")]) + open(ex, "rb").read())
