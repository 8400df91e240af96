-- Naive product of two 200x200 real matrices (tables of rows), five
-- times. The entries are small multiples of 1/16 and 1/8, so every sum is
-- exact. Prints the sum of all entries of the five products.
local N = 200
local REPS = 5

local function matrix(n)
  local m = {}
  for i = 1, n do
    local row = {}
    for j = 1, n do row[j] = 0.0 end
    m[i] = row
  end
  return m
end

local function mul(a, b, c, n)
  for i = 1, n do
    local ai, ci = a[i], c[i]
    for j = 1, n do
      local s = 0.0
      for k = 1, n do
        s = s + ai[k] * b[k][j]
      end
      ci[j] = s
    end
  end
end

local a, b, c = matrix(N), matrix(N), matrix(N)
for i = 0, N - 1 do
  for j = 0, N - 1 do
    a[i + 1][j + 1] = ((i + 2*j) % 17) * 0.0625
    b[i + 1][j + 1] = ((3*i + j) % 13) * 0.125
  end
end
local total = 0.0
for _ = 1, REPS do
  mul(a, b, c, N)
  for i = 1, N do
    for j = 1, N do total = total + c[i][j] end
  end
end
print(string.format("%.4f", total))
