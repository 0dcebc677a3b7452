#!/usr/bin/env python3
"""Fault clients for bench/load/fault.sh (standard library only).

    fault_clients.py faults --port 18797 --body verify.json --duration 30 [--slow 16]
                            [--hostile-threads 2] [--cases NAME,...] [--out faults.json]
        For --duration seconds: hostile requests in a loop (each on its own connection) and
        --slow clients that trickle an honest body one byte every 50-100 ms. Prints the answers
        by case and how the slow clients ended; writes them as JSON to --out. Exit 1 when a
        hostile request got a 5xx other than 503, an answer other than the expected one, or no
        answer at all (except the oversized bodies, which the server may cut off: counted apart).
        --cases keeps only the hostile cases named (see hostile_cases); --slow 0: no slow clients.
    fault_clients.py rss --pid PID --out rss.tsv [--interval 0.5]
        Samples VmRSS, VmHWM (kB) and Threads of PID from /proc/PID/status until PID ends or
        SIGTERM: one line "epoch_seconds rss_kb hwm_kb threads" per sample.
    fault_clients.py rss-report --rss rss.tsv --phases phases.tsv
        Peak and last sampled RSS (and most threads) in each phase (phases.tsv: "name start_epoch end_epoch").
"""
import argparse
import collections
import json
import random
import select
import signal
import socket
import sys
import threading
import time

HOST = "127.0.0.1"
ANSWER_DEADLINE_S = 30.0  # a client gives up on an answer after this long


def dump(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def request_bytes(path, body, content_type="application/json"):
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    return head, body


def parse_response(buf):
    """(status, body) once `buf` holds a whole response, else None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = buf[:end].decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = buf[end + 4 :]
    if length is None or len(body) < length:
        return None
    return status, body[:length]


def status_of_partial(buf):
    if buf.startswith(b"HTTP/1.") and b"\r\n" in buf:
        try:
            return int(buf.split(b"\r\n", 1)[0].split()[1])
        except (IndexError, ValueError):
            return None
    return None


def exchange(port, head, body, trickle=None):
    """Sends `head` + `body` on a new connection, reading the answer while sending (the server
    may answer before the body is all sent). `trickle` = (min_s, max_s): send the body one byte
    at a time, with a random pause in that range between bytes.

    Returns {"end", "status", "answer", "sent", "total", "seconds"}; `end` is `answered`,
    `closed` (EOF without a whole answer), `reset`, `refused` or `client_timeout`."""
    started = time.monotonic()
    data = head + body
    total = len(data)
    result = {"end": None, "status": None, "answer": None, "sent": 0, "total": total}
    try:
        sock = socket.create_connection((HOST, port), timeout=5)
    except OSError as e:
        result.update(end="refused", error=str(e), seconds=time.monotonic() - started)
        return result
    sock.setblocking(False)
    pos = 0
    next_byte = started
    buf = b""
    writing = True
    try:
        while True:
            now = time.monotonic()
            if now - started > ANSWER_DEADLINE_S:
                result["end"] = "client_timeout"
                break
            may_write = writing and pos < total
            if may_write and trickle and pos >= len(head) and now < next_byte:
                may_write = False
                wait = next_byte - now
            else:
                wait = 0.5
            readable, writable, _ = select.select(
                [sock], [sock] if may_write else [], [], min(wait, 0.5)
            )
            if readable:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    result["end"] = "reset"
                    break
                except BlockingIOError:
                    chunk = None
                if chunk == b"":
                    result["end"] = "closed"
                    break
                if chunk:
                    buf += chunk
                    done = parse_response(buf)
                    if done:
                        result["status"] = done[0]
                        result["answer"] = done[1]
                        result["end"] = "answered"
                        break
            if writable:
                if trickle and pos >= len(head):
                    piece = data[pos : pos + 1]
                else:
                    piece = data[pos : min(total, len(head)) if trickle else pos + 262144]
                try:
                    pos += sock.send(piece)
                except (BrokenPipeError, ConnectionResetError):
                    writing = False  # keep reading: the answer may be there
                except BlockingIOError:
                    pass
                if trickle and pos >= len(head):
                    next_byte = time.monotonic() + random.uniform(*trickle)
    finally:
        sock.close()
    if result["status"] is None:
        result["status"] = status_of_partial(buf)
    result["sent"] = pos
    result["seconds"] = time.monotonic() - started
    return result


def describe(path, result):
    """A short text for an answer: `413 request.too_large`, `200 rejected [pack.unknown]`."""
    if result["end"] != "answered":
        partial = f", status line {result['status']}" if result["status"] else ""
        whole = "whole body sent" if result["sent"] >= result["total"] else "body cut short"
        return f"no answer: {result['end']} ({whole}{partial})"
    status = result["status"]
    try:
        doc = json.loads(result["answer"])
    except ValueError:
        return f"{status} (not JSON)"
    if status != 200:
        return f"{status} {doc.get('error', {}).get('code')}"
    if path == "/v1/verify":
        codes = sorted({r.get("code") for r in doc.get("reasons", [])})
        return f"200 {doc.get('verdict')} [{','.join(codes)}]"
    codes = sorted({e.get("code") for e in doc.get("errors", [])})
    return f"200 outcome errors [{','.join(codes)}]"


def matches(got, expected):
    """`got` is one of `expected`; `200 rejected [X]` there means: rejected, with reason X among
    others (an invalid input also makes the claimed outcome differ)."""
    for want in expected:
        if got == want:
            return True
        if want.endswith("]") and got.endswith("]"):
            head, _, reason = want[:-1].partition(" [")
            got_head, _, got_reasons = got[:-1].partition(" [")
            if head == got_head and reason in got_reasons.split(","):
                return True
    return False


def hostile_cases(honest_text):
    """(name, path, body, content type, expected answers, oversized)."""
    honest = json.loads(honest_text)
    pack, doc, outcome = honest["pack"], honest["input"], honest["outcome"]

    def verify_body(pack=pack, doc=doc, outcome=outcome, input_text=None):
        text = input_text if input_text is not None else dump(doc)
        return ('{"pack":%s,"input":%s,"outcome":%s}' % (dump(pack), text, dump(outcome))).encode()

    def with_input(**changes):
        d = json.loads(dump(doc))
        for dotted, value in changes.items():
            *parents, leaf = dotted.split("__")
            node = d
            for p in parents:
                node = node[p]
            node[leaf] = value
        return d

    big = dict(doc, padding="x" * (2 * 1024 * 1024))
    huge = with_input(employer__name="x" * 10_000_000)
    doc_text = dump(doc)
    assert '"employees":120' in doc_text
    deep = "[" * 10_000 + "]" * 10_000
    invalid = ["200 rejected [input.invalid]"]
    return [
        ("body_2mib", "/v1/verify", verify_body(doc=big), None, ["413 request.too_large"], True),
        ("malformed_json", "/v1/verify", verify_body()[:-40], None, ["400 request.malformed"], False),
        ("nested_10000", "/v1/verify", verify_body(input_text=deep), None,
         ["400 request.malformed"], False),
        ("wrong_type_field", "/v1/verify", verify_body(doc=with_input(employer__employees="many")),
         None, invalid, False),
        ("wrong_type_pack", "/v1/verify",
         ('{"pack":"cn.supervision","input":%s,"outcome":%s}' % (doc_text, dump(outcome))).encode(),
         None, ["422 request.invalid"], False),
        ("string_10mb", "/v1/verify", verify_body(doc=huge), None, ["413 request.too_large"], True),
        ("unknown_pack", "/v1/verify", verify_body(pack=dict(pack, id="cn.nope")), None,
         ["200 rejected [pack.unknown]"], False),
        ("unknown_pack_evaluate", "/v1/packs/cn.nope/evaluate", doc_text.encode(), None,
         ["404 pack.unknown"], False),
        ("stale_digest", "/v1/verify", verify_body(pack=dict(pack, digest="sha256:" + "0" * 64)),
         None, ["200 rejected [pack.stale_digest]"], False),
        ("nan_infinity_strings", "/v1/verify",
         verify_body(doc=with_input(employer__employees="NaN", management__selfcheck_score="Infinity")),
         None, invalid, False),
        ("nan_literal", "/v1/verify",
         verify_body(input_text=doc_text.replace('"employees":120', '"employees":NaN')), None,
         ["400 request.malformed"], False),
        ("duplicate_keys_input", "/v1/verify",
         verify_body(input_text=doc_text.replace('"employees":120', '"employees":120,"employees":"bad"')),
         None, invalid, False),
        ("duplicate_keys_request", "/v1/verify",
         ('{"pack":%s,"pack":%s,"input":%s,"outcome":%s}'
          % (dump(pack), dump(pack), doc_text, dump(outcome))).encode(),
         None, ["422 request.invalid"], False),
        ("invalid_date", "/v1/verify", verify_body(doc=with_input(assessment_date="2026-02-30")),
         None, invalid, False),
        ("content_type_text", "/v1/verify", verify_body(), "text/plain",
         ["415 request.content_type"], False),
    ]


def faults(args):
    honest_text = open(args.body, encoding="utf-8").read()
    cases = hostile_cases(honest_text)
    if args.cases:
        keep = args.cases.split(",")
        unknown = set(keep) - {c[0] for c in cases}
        if unknown:
            sys.exit(f"unknown cases: {', '.join(sorted(unknown))}")
        cases = [c for c in cases if c[0] in keep]
    deadline = time.monotonic() + args.duration
    lock = threading.Lock()
    answers = {name: collections.Counter() for name, *_ in cases}
    slowest = collections.defaultdict(float)
    slow_ends = collections.Counter()
    slow_seconds = []
    problems = []

    def hostile_loop(offset):
        i = offset
        while time.monotonic() < deadline:
            name, path, body, ctype, expected, oversized = cases[i % len(cases)]
            i += 1
            head, body = request_bytes(path, body, ctype or "application/json")
            result = exchange(args.port, head, body)
            got = describe(path, result)
            ok = matches(got, expected) or got in ("503 server.busy", "503 request.timeout")
            if oversized and result["end"] in ("closed", "reset"):
                ok = True  # the server may close early on an oversized body
            if result["end"] == "refused":
                time.sleep(0.1)  # the server is down: do not spin
            with lock:
                answers[name][got] += 1
                slowest[name] = max(slowest[name], result["seconds"])
                if not ok:
                    problems.append(f"{name}: got `{got}`, expected one of {expected}")

    def slow_loop():
        head, body = request_bytes("/v1/verify", honest_text.encode())
        while time.monotonic() < deadline:
            result = exchange(args.port, head, body, trickle=(0.05, 0.1))
            got = describe("/v1/verify", result)
            if result["end"] == "refused":
                time.sleep(0.1)
            with lock:
                slow_ends[got] += 1
                slow_seconds.append(result["seconds"])
                if result["end"] != "answered" or result["status"] != 503:
                    problems.append(f"slow client: got `{got}` after {result['seconds']:.1f} s")

    threads = [threading.Thread(target=slow_loop) for _ in range(args.slow)]
    threads += [
        threading.Thread(target=hostile_loop, args=(k * len(cases) // max(1, args.hostile_threads),))
        for k in range(args.hostile_threads)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    sent = sum(sum(c.values()) for c in answers.values())
    by_status = collections.Counter()
    for c in answers.values():
        for got, n in c.items():
            by_status[got.split(" ")[0] if got[0].isdigit() else "no answer"] += n
    print(f"== fault clients: {elapsed:.1f} s")
    print(f"hostile requests sent: {sent}; by status: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(by_status.items())))
    for name, *_ in cases:
        detail = "; ".join(f"{got} x{n}" for got, n in answers[name].most_common())
        print(f"  {name:24} {detail} (slowest {slowest[name]:.2f} s)")
    slow_n = sum(slow_ends.values())
    print(f"slow clients: {args.slow} at a time, {slow_n} connections; ended: "
          + "; ".join(f"{got} x{n}" for got, n in slow_ends.most_common()))
    if slow_seconds:
        print(f"  cut off after {min(slow_seconds):.2f}-{max(slow_seconds):.2f} s")
    print(f"problems: {len(problems)}")
    for p in sorted(set(problems)):
        print(f"  {p} (x{problems.count(p)})")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"seconds": elapsed, "hostile_sent": sent, "by_status": by_status,
                       "hostile": answers, "slow_ends": slow_ends, "slow_connections": slow_n,
                       "slow_seconds": [min(slow_seconds, default=0), max(slow_seconds, default=0)],
                       "problems": problems}, f, indent=1)
    return 1 if problems else 0


def read_status(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:", "Threads:")):
                name, value = line.split(":")
                values[name] = int(value.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0), values.get("Threads", 0)


def rss(args):
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open(args.out, "w") as out:
        while not stop.is_set():
            try:
                now_rss, hwm, threads = read_status(args.pid)
            except OSError:
                break  # the process ended
            out.write(f"{time.time():.3f} {now_rss} {hwm} {threads}\n")
            out.flush()
            stop.wait(args.interval)
    return 0


def rss_report(args):
    samples = []
    with open(args.rss) as f:
        for line in f:
            t, r, h, n = line.split()
            samples.append((float(t), int(r), int(h), int(n)))
    if not samples:
        print("no RSS samples")
        return 1
    with open(args.phases) as f:
        for line in f:
            name, start, end = line.split()
            inside = [s for s in samples if float(start) <= s[0] <= float(end)]
            if inside:
                peak = max(s[1] for s in inside)
                print(f"RSS {name}: peak {peak / 1024:.1f} MiB, at end {inside[-1][1] / 1024:.1f} MiB; "
                      f"threads: most {max(s[3] for s in inside)}, at end {inside[-1][3]} "
                      f"({len(inside)} samples)")
    print(f"RSS whole run: peak sampled {max(s[1] for s in samples) / 1024:.1f} MiB, "
          f"VmHWM {samples[-1][2] / 1024:.1f} MiB ({len(samples)} samples every 0.5 s)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("faults")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--body", required=True, help="the honest POST /v1/verify body (gen.py body)")
    f.add_argument("--duration", type=float, default=30)
    f.add_argument("--slow", type=int, default=16)
    f.add_argument("--hostile-threads", type=int, default=2)
    f.add_argument("--cases", help="comma-separated case names (default: all)")
    f.add_argument("--out")
    r = sub.add_parser("rss")
    r.add_argument("--pid", type=int, required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--interval", type=float, default=0.5)
    p = sub.add_parser("rss-report")
    p.add_argument("--rss", required=True)
    p.add_argument("--phases", required=True)
    args = ap.parse_args()
    return {"faults": faults, "rss": rss, "rss-report": rss_report}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
