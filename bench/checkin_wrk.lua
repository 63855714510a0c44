-- wrk script for bench/bench_checkin.py: valid new check-ins with unique client_refs, plus ~5% retries
-- that resend an earlier request unchanged. Environment: CHILDREN_FILE ("<token> <child_id>" lines),
-- OFFSET and MAX_NEW (the slice of children to use), RETRY_SHARE, THREADS, REPORT ("1" prints JSON).

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local stride = tonumber(os.getenv("THREADS") or "1")
  local offset = tonumber(os.getenv("OFFSET") or "0")
  local max_new = tonumber(os.getenv("MAX_NEW") or "1000000")
  retry_share = tonumber(os.getenv("RETRY_SHARE") or "0.05")
  run = tostring(os.time())
  entries = {}
  local i = 0
  for line in io.lines(os.getenv("CHILDREN_FILE")) do
    if i >= offset and i < offset + max_new and (i - offset) % stride == id then
      local token, child = line:match("(%S+) (%S+)")
      entries[#entries + 1] = { token, child }
    end
    i = i + 1
  end
  idx, new, retries = 1, 0, 0
  s200, s201, s409, s4xx, s5xx, other = 0, 0, 0, 0, 0, 0
  sent = {}
  math.randomseed(os.time() + id)
end

local function retry()
  retries = retries + 1
  return sent[math.random(#sent)]
end

function request()
  if #sent > 0 and (math.random() < retry_share or idx > #entries) then
    return retry()
  end
  local e = entries[idx]
  idx = idx + 1
  local body = string.format('{"child_id":%s,"kind":"in","at":"%s","client_ref":"b%s-%d-%d"}',
    e[2], os.date("!%Y-%m-%dT%H:%M:%SZ"), run, id, idx)
  local req = wrk.format("POST", "/api/v1/attendance/events",
    { ["Authorization"] = "Bearer " .. e[1], ["Content-Type"] = "application/json" }, body)
  if #sent < 2000 then sent[#sent + 1] = req else sent[math.random(#sent)] = req end
  new = new + 1
  return req
end

function response(status, headers, body)
  if status >= 400 and sample == nil then sample = status .. " " .. string.sub(body or "", 1, 200) end
  if status == 201 then s201 = s201 + 1
  elseif status == 200 then s200 = s200 + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status >= 500 then s5xx = s5xx + 1
  elseif status >= 400 then s4xx = s4xx + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  if os.getenv("REPORT") ~= "1" then return end
  local t = { new = 0, retries = 0, s200 = 0, s201 = 0, s409 = 0, s4xx = 0, s5xx = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  for _, thread in ipairs(threads) do
    local s = thread:get("sample")
    if s then io.write("first error response: " .. s .. "\n") break end
  end
  io.write(string.format(
    'JSON {"rps": %.2f, "requests": %d, "new": %d, "retries": %d, "p50": %.3f, "p95": %.3f, "p99": %.3f, ' ..
    '"max": %.3f, "status": {"201": %d, "200": %d, "409": %d, "4xx": %d, "5xx": %d, "other": %d}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}}\n',
    summary.requests / (summary.duration / 1e6), summary.requests, t.new, t.retries,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, t.s201, t.s200, t.s409, t.s4xx, t.s5xx, t.other,
    e.connect, e.read, e.write, e.timeout, e.status))
end
