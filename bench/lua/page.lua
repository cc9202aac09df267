-- One page under load, as wrk's script: GET a rotating list of paths, or POST a rotating list
-- of bodies (each body used once: a public form's one-time token is inside it).
--   BENCH_COOKIE   Cookie header (a logged-in session, the CSRF cookie), optional
--   BENCH_PATHS    file with one path per line (GET), or the single path of the POST
--   BENCH_BODIES   file with one urlencoded body per line: makes the requests POSTs
-- done() prints one JSON line: requests, seconds, errors (non-2xx/3xx and socket), p50, p95 (ms).

local threads = {}
local counter = 1

local function lines(name)
   local out = {}
   if not name or name == "" then return out end
   for line in io.lines(name) do
      if line ~= "" then out[#out + 1] = line end
   end
   return out
end

function setup(thread)
   thread:set("id", counter)
   thread:set("nthreads", tonumber(os.getenv("BENCH_THREADS") or "2"))
   counter = counter + 1
   threads[#threads + 1] = thread
end

function init(args)
   paths = lines(os.getenv("BENCH_PATHS"))
   bodies = lines(os.getenv("BENCH_BODIES"))
   -- Each thread walks its own share of the bodies, so no two requests carry the same token.
   next_body = id
   next_path = id
   wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
   if #bodies > 0 then
      wrk.method = "POST"
      wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   end
end

function request()
   local path = paths[(next_path - 1) % #paths + 1]
   next_path = next_path + 1
   if #bodies > 0 then
      local body = bodies[(next_body - 1) % #bodies + 1]
      next_body = next_body + nthreads
      return wrk.format("POST", path, nil, body)
   end
   return wrk.format("GET", path)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      '{"requests": %d, "seconds": %.3f, "errors": %d, "status_errors": %d, "p50_ms": %.2f, "p95_ms": %.2f}\n',
      summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout, e.status,
      latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
