#!/usr/bin/env python3
"""Regenerates the reference-data tables of cn.supervision from the shared CSVs.

Usage (from the repository root):
    python3 rules/tools/gen_tables.py [DATA_DIR]

DATA_DIR defaults to ../shared/domain/data relative to the repository root. The script reads
  high_toxicity_2003.csv, gbz2_1_g1_carcinogens.csv, hazard_factor_catalogue_2015.csv,
  industry_risk_2021.csv
and writes, under rules/cn/supervision/tables/:
  serious_factor_keys.csv   keys (normalised names, aliases, CAS numbers) that make a factor
                            serious, one per row, mapped to the list that names them (RISK1 附件1
                            性质①–③); hit policy `first`, rows in list priority order, and a last
                            catch-all row (no list names the key)
  industry_risk.csv         the 2021 industry risk catalogue keyed by GB/T 4754 digits

Python 3.11 standard library only. The output is deterministic (sorted, LF line ends), so a CI
diff shows any change of the source data. Every output row keeps its source in `note`.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "rules" / "cn" / "supervision" / "tables"


def norm(s: str) -> str:
    """The normalisation the pack's rule applies to a factor name or CAS before matching.

    Must stay identical to the rhai expression of rule `factor_nature` in
    rules/cn/supervision/rules.toml: trim, full-width parentheses to half-width, drop spaces
    (ASCII and ideographic).
    """
    s = s.strip()
    for a, b in (("（", "("), ("）", ")"), (" ", ""), ("\u3000", "")):
        s = s.replace(a, b)
    return s


def split_cas(cell: str) -> list[str]:
    return [c.strip() for c in re.split(r"[/;]", cell or "") if c.strip()]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    print(f"{path.relative_to(REPO)}: {len(rows)} rows")


def serious_keys(data: Path) -> list[list[str]]:
    rows: dict[tuple[str, str], list[str]] = {}

    def add(lst: str, key: str, note: str) -> None:
        key = norm(key)
        if not key:
            return
        k = (lst, key)
        if k in rows:
            rows[k][3] += " | " + note
        else:
            rows[k] = [lst, key, "true", note]

    # ① 高毒物品目录 (卫法监发〔2003〕142号): names, aliases, every CAS of a multi-CAS cell.
    for r in read(data / "high_toxicity_2003.csv"):
        src = f"高毒物品目录（卫法监发〔2003〕142号）no. {r['no']} {r['name_zh']}"
        extra = f"; data note: {r['note']}" if r["note"] else ""
        add("high_toxicity", r["name_zh"], f"{src} (name){extra}; source: {r['source']}")
        for alias in filter(None, (a.strip() for a in re.split(r"[;；、]", r["aliases"]))):
            add("high_toxicity", alias, f"{src} (alias){extra}; source: {r['source']}")
        for cas in split_cas(r["cas"]):
            add("high_toxicity", cas, f"{src} (CAS){extra}; source: {r['source']}")

    # ③ G1 in GBZ 2.1-2019: PARTIAL list (REFERENCE_TABLES_NOTES §3). Asbestos and silica rows go
    # to their own lists (criterion ②); nickel is left out: G1 covers nickel compounds only, the
    # row's name and CAS (7440-02-0, the metal) also cover metal and alloys, which are G2B.
    for r in read(data / "gbz2_1_g1_carcinogens.csv"):
        src = f"GBZ 2.1-2019 {r['table']} #{r['seq']} {r['name_zh']} [{r['remark_as_printed']}]"
        note = f"{src}; PARTIAL G1 list; source: {r['source']}"
        name = r["name_zh"]
        if name.startswith("镍"):
            continue
        if name.startswith("石棉"):
            lst = "asbestos"
        elif name.startswith("矽尘"):
            lst = "silica"
        else:
            lst = "g1_carcinogen"
        add(lst, name, note + " (name)")
        for cas in split_cas(r["cas"]):
            add(lst, cas, note + " (CAS)")

    # ② asbestos fibre dust and dust with free SiO2 >= 10%: the dust catalogue's entries.
    for r in read(data / "hazard_factor_catalogue_2015.csv"):
        name = r["name_zh"]
        if r["category"] != "粉尘":
            continue
        if name.startswith("矽尘"):
            lst = "silica"
        elif name.startswith("石棉"):
            lst = "asbestos"
        else:
            continue
        note = f"职业病危害因素分类目录（国卫疾控发〔2015〕92号）粉尘 no. {r['no']} {name}; source: {r['source']}"
        add(lst, name, note + " (name)")
        for cas in split_cas(r["cas"]):
            add(lst, cas, note + " (CAS)")

    # Spelling variants of criterion ② as RISK1 words it; not from a list, kept minimal.
    risk1 = "RISK1 附件1 性质②“石棉纤维粉尘、游离二氧化硅含量≥10%的粉尘” (spelling variant, not a list entry)"
    for v in ("石棉", "石棉纤维粉尘", "石棉粉尘"):
        add("asbestos", v, risk1)
    for v in ("矽尘(游离SiO2≥10%)", "矽尘(游离二氧化硅含量≥10%)"):
        add("silica", v, risk1)

    order = {"high_toxicity": 0, "asbestos": 1, "silica": 2, "g1_carcinogen": 3}
    # The label each list gives a factor's `listed` (and `by`) in cn.supervision's outcome.
    label = {"high_toxicity": "high_toxicity_2003", "asbestos": "asbestos",
             "silica": "silica_ge_10", "g1_carcinogen": "gbz2_1_g1"}
    ordered = sorted(rows.values(), key=lambda r: (order[r[0]], r[1]))
    out = [[key, label[lst], verified, note] for lst, key, verified, note in ordered]
    out.append(["-", "null", "true", "no list names this key: the nature is not derived"])
    return out


def industry_rows(data: Path) -> list[list[str]]:
    src_rows = read(data / "industry_risk_2021.csv")
    sub_items: dict[str, list[str]] = {}
    for r in src_rows:
        if r["note"].startswith("sub-item"):
            sub_items.setdefault(r["code"], []).append(f"{r['name_zh']}={r['risk']}")
    out: list[list[str]] = []
    url = "国卫办职健发〔2021〕5号 建设项目职业病危害风险分类管理目录"
    for r in src_rows:
        code, level, risk, note = r["code"], r["level"], r["risk"], r["note"]
        if level not in ("中类", "小类") or note.startswith("sub-item"):
            continue
        digits = code[1:]
        if level == "中类" and code in sub_items:
            out.append(["-", "中类" + digits, "null", "sub_item", "true",
                        f"{code} {r['name_zh']}: risk given on sub-items ({'; '.join(sub_items[code])}); "
                        f"pick the sub-item from the activity, not the code; {url}"])
        elif level == "中类" and risk == "":
            # F526: only its 小类 5265/5266 are listed; the other 小类 of F526 are not.
            out.append(["-", "中类" + digits, "null", "unlisted", "true",
                        f"{code} {r['name_zh']}: no mark on the 中类; only listed 小类 are marked; {url}"])
        elif "*" in r["name_zh"]:
            out.append(["-", "中类" + digits, "null", "solvent_dependent", "true",
                        f"{code} {r['name_zh']} ({risk} as printed): {note}; {url}"])
        elif level == "小类":
            out.append(["小类" + digits, "-", risk, "catalogue", "true",
                        f"{code} {r['name_zh']} (小类); {note}; {url}"])
        else:
            extra = f"; {note}" if note else ""
            out.append(["-", "中类" + digits, risk, "catalogue", "true", f"{code} {r['name_zh']}{extra}; {url}"])
    # Keys carry a 中类/小类 prefix so that a cell such as 011 reads as a string, not the number 11.
    # 小类 rows first (first hit), then 中类 by code, then the catch-all.
    out.sort(key=lambda r: (r[0] == "-", r[0], r[1]))
    out.append(["-", "-", "null", "unlisted", "true",
                "not in the catalogue (or not a 3/4-digit GB/T 4754 code): classify from evaluation "
                f"results (REGULATIONS §3.7); {url}"])
    return out


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO.parent / "shared" / "domain" / "data"
    if not data.is_dir():
        sys.exit(f"data directory not found: {data}")
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "serious_factor_keys.csv", ["in:key", "out:list", "verified", "note"], serious_keys(data))
    write(OUT / "industry_risk.csv",
          ["in:xiaolei", "in:zhonglei", "out:risk", "out:by", "verified", "note"], industry_rows(data))


if __name__ == "__main__":
    main()
