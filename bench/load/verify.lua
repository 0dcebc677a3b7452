-- wrk script: POST the body in $BODY (default verify.json) to /v1/verify, and count every
-- answer that is not `200 {"verdict":"accepted",...}` (printed at the end as "not accepted").
local path = os.getenv("BODY") or "verify.json"
local f = assert(io.open(path, "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"verdict":"accepted"', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
  end
  io.write(string.format("requests: %d, errors (connect/read/write/timeout): %d/%d/%d/%d, not accepted: %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, total))
  io.write(string.format("req/s: %.0f, p50: %.3f ms, p90: %.3f ms, p99: %.3f ms, max: %.3f ms\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  -- The shape of the tail: where the p99 comes from.
  io.write("latency percentiles (ms):")
  for _, p in ipairs({50, 75, 90, 95, 97, 98, 99, 99.5, 99.9}) do
    io.write(string.format(" p%s %.2f", p, latency:percentile(p) / 1000))
  end
  io.write("\n")
end
