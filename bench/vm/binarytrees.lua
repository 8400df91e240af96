-- The benchmarks game binary-trees, depth 16: allocate and walk many
-- short-lived trees while one long-lived tree stays reachable.
local DEPTH = 16

local function bottomup(depth)
  if depth > 0 then
    depth = depth - 1
    local left, right = bottomup(depth), bottomup(depth)
    return { left, right }
  end
  return { }
end

local function check(tree)
  if tree[1] then
    return 1 + check(tree[1]) + check(tree[2])
  end
  return 1
end

local mindepth = 4
local maxdepth = mindepth + 2
if maxdepth < DEPTH then maxdepth = DEPTH end

do
  local stretch = maxdepth + 1
  io.write(string.format("stretch tree of depth %d\t check: %d\n",
    stretch, check(bottomup(stretch))))
end

local longlived = bottomup(maxdepth)
for depth = mindepth, maxdepth, 2 do
  local iterations = 1 << (maxdepth - depth + mindepth)
  local chk = 0
  for _ = 1, iterations do
    chk = chk + check(bottomup(depth))
  end
  io.write(string.format("%d\t trees of depth %d\t check: %d\n",
    iterations, depth, chk))
end
io.write(string.format("long lived tree of depth %d\t check: %d\n",
  maxdepth, check(longlived)))
