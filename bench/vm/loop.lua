-- A tight loop: sum of i for i in 0..99,999,999 (Lua integers are 64-bit).
local n = tonumber(arg and arg[1]) or 100000000
local s = 0
for i = 0, n - 1 do
  s = s + i
end
print(s)
