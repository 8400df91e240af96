# The builtin modules' declarations in one file, for `limbo -t Name`,
# which writes the VM's table of module Name (build/gen/vm/namemod.h): a
# declaration may name another module's types (Nn's use Tensor->T), as
# in Inferno's module/runt.m. Programs include the files themselves.
include "sys.m";
include "math.m";
include "crypt.m";
include "tensor.m";
include "nn.m";
