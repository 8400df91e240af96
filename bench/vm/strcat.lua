-- Grow a string one character at a time, 1,000,000 times. Lua strings are
-- immutable and s = s .. c is quadratic, so this appends to a buffer table
-- and joins it (the usual Lua idiom); the Limbo side grows the string in
-- place. Prints the length and the sum of the characters.
local N = 1000000
local char, byte = string.char, string.byte

local buf = {}
for i = 0, N - 1 do
  buf[#buf + 1] = char(97 + i % 26)
end
local s = table.concat(buf)
local sum = 0
for i = 1, #s do
  sum = sum + byte(s, i)
end
print(#s .. " " .. sum)
