-- wrk script: alternate between the paths given after "--", and count
-- every response whose status is neither 200 nor 304.
--   wrk -t2 -c256 -d12s --latency -H 'Accept-Encoding: gzip' \
--       -s bench/alternate.lua http://127.0.0.1:PORT -- / /charts/ID.json

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for i, p in ipairs(args) do paths[i] = p end
  if #paths == 0 then paths = { "/" } end
  n = 0
  bad = {}
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

function response(status, headers, body)
  if status ~= 200 and status ~= 304 then
    bad[status] = (bad[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local b = t:get("bad")
    for status, count in pairs(b) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("bench: unexpected status %d: %d\n", status, count))
  end
end
