-- wrk script of bench/memory.py and bench/scaleout.py: cycles through the requests in
-- BENCH_MIX (one "<token> <path>" per line, "-" for no token) and stops after BENCH_LIMIT
-- responses (0: run for the whole duration): it then prints "LIMIT" and idles, and the
-- caller ends wrk with SIGINT (wrk's main thread sleeps out -d otherwise). One JSON line
-- with the figures at the end.
local mix = {}
for line in (os.getenv("BENCH_MIX") or ""):gmatch("[^\n]+") do
  local token, path = line:match("^(%S+)%s+(%S+)$")
  local headers = { ["Accept"] = "application/json" }
  if token ~= "-" then
    headers["Authorization"] = "Bearer " .. token
  end
  mix[#mix + 1] = wrk.format("GET", path, headers)
end
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")
local index = 0
local answered = 0

request = function()
  index = index % #mix + 1
  return mix[index]
end

response = function(status, headers, body)
  answered = answered + 1
  if limit > 0 and answered == limit then
    io.write("LIMIT\n")
    io.flush()
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\n{"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
