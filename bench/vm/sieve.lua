-- Sieve of Eratosthenes over an array of small integers (Lua's nearest
-- to a byte array): primes below 10,000,000, three times. Prints the
-- total count over the three runs.
local N = 10000000

local function sieve(n)
  local composite = {}
  for i = 1, n - 1 do composite[i] = 0 end
  local i = 2
  while i * i < n do
    if composite[i] == 0 then
      for j = i * i, n - 1, i do composite[j] = 1 end
    end
    i = i + 1
  end
  local count = 0
  for k = 2, n - 1 do
    if composite[k] == 0 then count = count + 1 end
  end
  return count
end

local total = 0
for _ = 1, 3 do total = total + sieve(N) end
print(total)
