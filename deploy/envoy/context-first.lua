-- context-first: moves the trace-context headers of an upstream HTTP/1.1 request to the head of
-- its header block, so that an eBPF program finds them within a few hundred bytes of the request
-- line (the "proposed format" of Lee et al.) instead of at the end, where Envoy's tracer puts them.
--
-- It must run in the router's upstream_http_filters, before upstream_codec: the tracer injects
-- the context in the router, after every downstream filter has run, so only an upstream filter
-- sees the headers as they go on the wire. Envoy's HTTP/1.1 codec writes Host (from :authority)
-- first whatever the header map's order, so the context lands right after Host.
--
-- Envoy's header API can only append (headers:add; headers:replace removes and appends), so the
-- context cannot be moved forward. Instead every other regular header is removed and appended
-- again in its original order, which leaves the context headers first. Repeated headers keep
-- their values and order: all the removals happen before the first append.

-- Every header name of the formats meshtrace's spec knows (docs/dsl.md), lowercase as Envoy keeps them.
local CONTEXT = {
  ["traceparent"] = true,
  ["tracestate"] = true,
  ["x-b3-traceid"] = true,
  ["x-b3-spanid"] = true,
  ["x-b3-parentspanid"] = true,
  ["x-b3-sampled"] = true,
  ["x-b3-flags"] = true,
  ["b3"] = true,
  ["uber-trace-id"] = true,
}

local COLON = string.byte(":")
local byte = string.byte

-- The non-context headers of the current request as name, value, name, value… Reused across
-- requests: each worker has its own Lua state, and the script never yields, so no two requests
-- share it at once; entries past `count` are stale and never read.
local others = {}

function envoy_on_request(handle)
  local headers = handle:headers()
  local count = 0
  local misplaced = false
  -- One pass, run to its end: Envoy forbids changing a header map whose iteration was left early.
  for name, value in pairs(headers) do
    if CONTEXT[name] then
      misplaced = misplaced or count > 0
    elseif byte(name, 1) ~= COLON then -- pseudo-headers (:method, :authority, …) stay where Envoy keeps them
      others[count + 1] = name
      others[count + 2] = value
      count = count + 2
    end
  end
  -- Nothing to do when there is no context or it already precedes every other header (a retry
  -- of a request this filter already reordered, or an application that sent it first).
  if not misplaced then
    return
  end
  -- remove() drops every value of a name; removing a repeated name twice is a harmless no-op.
  for i = 1, count, 2 do
    headers:remove(others[i])
  end
  for i = 1, count, 2 do
    headers:add(others[i], others[i + 1])
  end
end
