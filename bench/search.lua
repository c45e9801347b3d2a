-- wrk script: staff search with a rotating set of realistic queries
-- (employee ID fragments, Chinese surnames, mobile and extension fragments).
local queries = { "B0012", "王", "李娜", "139000", "2051", "张伟3", "B00999", "组7", "陈", "28888" }
local i = 0
request = function()
  i = i + 1
  local q = queries[(i % #queries) + 1]
  local encoded = q:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)
  return wrk.format("GET", "/api/v1/staff?per_page=20&q=" .. encoded)
end
