-- wrk script for bench/sync_bench.py: replays a file of PUT requests against the Kokola
-- sandbox, each request exactly once, and measures how long the whole set takes.
--
--   wrk -t N -c N -d 3600s -s bench/put_records.lua URL -- FILE TOKEN N DONE_DIR
--
-- FILE holds one request per line: the path, a tab, the body (canonical JSON with its
-- revision). Thread i of N sends lines i, i + N, i + 2N, ... over its one keep-alive
-- connection, each with its own Idempotency-Key, as the daemon's senders do. When a thread
-- has its answers it writes DONE_DIR/<i> ("first_us last_us answers not_2xx", monotonic
-- microseconds) and stops; the driver stops wrk once every thread has written its file
-- (wrk itself only stops after -d).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local kClockMonotonic = 1
local timespec = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(kClockMonotonic, timespec)
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  local file, token, threads = args[1], args[2], tonumber(args[3])
  local prefix = (file:match("([^/]+)$") or file) .. "-"
  done_dir = args[4]
  requests = {}
  local n = 0
  for line in io.lines(file) do
    if n % threads == id then
      local tab = line:find("\t", 1, true)
      local key = prefix .. n
      requests[#requests + 1] = wrk.format("PUT", line:sub(1, tab - 1), {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
        ["Idempotency-Key"] = key,
        ["X-Request-Id"] = key,
      }, line:sub(tab + 1))
    end
    n = n + 1
  end
  -- Asked for after the last answer, before the thread stops: an admin request that touches
  -- no record and is not written to the sandbox's request log.
  spare = wrk.format("GET", "/_sandbox/faults")
  answered, not_2xx, first_us, finished = 0, 0, nil, false
  if #requests == 0 then
    report()
  end
end

-- The next request is the one after those answered: one connection per thread sends one
-- request at a time, and wrk calls request() once more on thread 0 before it starts (to check
-- for pipelining), which must not use up a request.
function request()
  if answered == 0 then
    first_us = now_us()
  end
  return requests[answered + 1] or spare
end

function report()
  local out = io.open(done_dir .. "/" .. id, "w")
  out:write(string.format("%d %d %d %d\n", first_us or 0, now_us(), answered, not_2xx))
  out:close()
  finished = true
end

function response(status, headers, body)
  if finished then
    wrk.thread:stop()
    return
  end
  answered = answered + 1
  if status < 200 or status > 299 then
    not_2xx = not_2xx + 1
  end
  if answered == #requests then
    report()
    wrk.thread:stop()
  end
end
