#!/usr/bin/env python3
"""Where the bytes of a .wasm go: sections, code size per crate and per rhai module, biggest
functions. Needs the function names, so run it on the unstripped cargo output:
  python3 wasm/tools/size-report.py target/wasm32-unknown-unknown/wasm-release/hegui_wasm.wasm
(twiggy gives a finer view if installed: `cargo install twiggy`)."""
import collections
import re
import sys


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def demangle(n):
    m = re.match(r"_ZN(.*)E$", n)
    if m:
        s, parts, k = m.group(1), [], 0
        while k < len(s):
            mm = re.match(r"(\d+)", s[k:])
            if not mm:
                break
            ln = int(mm.group(1))
            k += len(mm.group(1))
            parts.append(s[k:k + ln])
            k += ln
        n = "::".join(parts)
    for a, b in (("$LT$", "<"), ("$GT$", ">"), ("..", "::"), ("$u20$", " "), ("$C$", ","), ("$RF$", "&")):
        n = n.replace(a, b)
    return re.sub(r"::h[0-9a-f]{16}$", "", n)


def main(path):
    data = open(path, "rb").read()
    i, sections, nimports, bodies, names = 8, [], 0, [], {}
    while i < len(data):
        sid = data[i]
        i += 1
        size, i = leb(data, i)
        end = i + size
        if sid == 0:
            nl, j = leb(data, i)
            nm = data[j:j + nl].decode()
            j += nl
            sections.append(("custom " + nm, size))
            if nm == "name":
                while j < end:
                    sub = data[j]
                    j += 1
                    ss, j = leb(data, j)
                    se = j + ss
                    if sub == 1:
                        cnt, j = leb(data, j)
                        for _ in range(cnt):
                            idx, j = leb(data, j)
                            ln, j = leb(data, j)
                            names[idx] = data[j:j + ln].decode("utf8", "replace")
                            j += ln
                    j = se
        else:
            kinds = {1: "type", 2: "import", 3: "function", 4: "table", 5: "memory", 6: "global",
                     7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount"}
            sections.append((kinds.get(sid, str(sid)), size))
            if sid == 2:
                cnt, j = leb(data, i)
                for _ in range(cnt):
                    ln, j = leb(data, j)
                    j += ln
                    ln, j = leb(data, j)
                    j += ln
                    k = data[j]
                    j += 1
                    if k == 0:
                        nimports += 1
                        _, j = leb(data, j)
                    elif k == 1:
                        j += 1
                        f, j = leb(data, j)
                        _, j = leb(data, j)
                        if f & 1:
                            _, j = leb(data, j)
                    elif k == 2:
                        f, j = leb(data, j)
                        _, j = leb(data, j)
                        if f & 1:
                            _, j = leb(data, j)
                    elif k == 3:
                        j += 2
            if sid == 10:
                cnt, j = leb(data, i)
                for n in range(cnt):
                    ln, j = leb(data, j)
                    bodies.append((nimports + n, ln))
                    j += ln
        i = end
    print("sections (bytes):")
    for name, size in sections:
        print(f"  {size:>9}  {name}")
    fns = [(ln, demangle(names.get(idx, f"func{idx}"))) for idx, ln in bodies]
    crates, rhai = collections.Counter(), collections.Counter()
    for ln, n in fns:
        mentioned = re.findall(r"\b(rhai|hegui_core|hegui_wasm|serde_json|serde_wasm_bindgen|serde_core|"
                               r"js_sys|wasm_bindgen|smallvec|hashbrown|thin_vec|smartstring|chrono|"
                               r"sha2|dlmalloc|toml|csv|alloc|core|std)::", n)
        crates[mentioned[0] if mentioned else "other"] += ln
        m = re.search(r"rhai::(\w+)(::(\w+))?", n)
        if m:
            rhai[m.group(1) + "::" + (m.group(3) or "")] += ln
    print(f"\ncode by first crate named ({sum(ln for ln, _ in fns)} bytes of function bodies):")
    for c, ln in crates.most_common(20):
        print(f"  {ln:>9}  {c}")
    print("\nrhai code by module:")
    for c, ln in rhai.most_common(20):
        print(f"  {ln:>9}  {c}")
    print("\nbiggest functions:")
    for ln, n in sorted(fns, reverse=True)[:25]:
        print(f"  {ln:>9}  {n[:120]}")


if __name__ == "__main__":
    main(sys.argv[1])
