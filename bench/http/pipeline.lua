-- wrk script: every write carries PIPELINE requests (default 16) on one connection, as an HTTP/1.1
-- pipelining client would; the `done` report comes from report.lua next to this file.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "report.lua")

local depth = tonumber(os.getenv("PIPELINE") or "16")

init = function(args)
  local one = wrk.format(nil, wrk.path)
  batch = string.rep(one, depth)
end

request = function()
  return batch
end
