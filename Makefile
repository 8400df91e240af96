# Acheron: one non-recursive GNU Makefile. Objects in build/, commands in bin/.
#   make            build libraries and commands
#   make check      build and run every test (prove)
#   make demo       install missing Debian packages, build, train on Fashion-MNIST
#   make fuzz FUZZ_SECONDS=N  libFuzzer harnesses (clang), N s each
#   make bench      benchmarks (ratios against references measured in the same run)
#   make bench-nn   training epochs of the MLP and the CNN against PyTorch (bench/nn.sh)
#   make bench-ml   ml/: matmul, add, softmax (bench/ml.c), the quantized kernels (bench/quant.c), conv (bench/conv.c)
#   make build/npm/.ggml  ggml's libggml-base.so from npm, the outside reference tests/ml/quant.c compares with
#   make bench-limbo  bin/limbo against Inferno's limbo.dis (compile and run time)
#   make deps       install missing Debian packages (apt-get)
#   make install PREFIX=/usr/local
#   make clean

CC ?= cc
# OpenBLAS picks its kernels by core type; pin it so runs are comparable.
export OPENBLAS_CORETYPE ?= Haswell
PREFIX ?= /usr/local
OPT ?= -O2
WERROR ?=
CFLAGS_BASE = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE $(OPT) -g -Wall -Wextra \
	-Wshadow -Wpointer-arith -Wmissing-prototypes -Wno-unused-parameter $(WERROR) -I. -Ibuild
# Hardened like a distribution's packages, so a bug that lets a module's
# code write where it should not finds less to aim at: position-independent
# code (ASLR moves the program too), stack canaries, checked libc buffer
# calls (_FORTIFY_SOURCE needs the optimiser, so not at -O0), and full RELRO
# (every symbol bound at start, then the GOT made read-only).
# tests/hardening.sh checks the commands.
HARDEN_CFLAGS = -fPIE -fstack-protector-strong $(if $(filter -O0,$(OPT)),,-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2)
HARDEN_LDFLAGS = -pie -Wl,-z,relro,-z,now
CFLAGS_ALL = $(CFLAGS_BASE) $(HARDEN_CFLAGS) $(CFLAGS) -MMD -MP
LDFLAGS_ALL = $(HARDEN_LDFLAGS) $(LDFLAGS)
LDLIBS_ALL = -lsodium -lz -lmd -lcsv -lseccomp -lm -lpthread -ldl $(LDLIBS)
# The cluster's programs also speak ZeroMQ and protobuf, keep state in
# SQLite and print JSON.
LDLIBS_NET = -lzmq -lprotobuf-c -lsqlite3 -ljansson
# VM_SWITCH=1 builds the interpreter's switch dispatch instead of computed goto.
ifeq ($(VM_SWITCH),1)
CFLAGS_ALL += -DVM_USE_SWITCH=1
endif

DEB_PKGS = build-essential pkg-config zlib1g-dev libopenblas-dev libcmocka-dev libmd-dev libsodium-dev \
	libzmq3-dev protobuf-c-compiler libprotobuf-c-dev libsqlite3-dev libjansson-dev libseccomp-dev \
	dataset-fashion-mnist lua5.4 libonnx-testdata gnuplot-nox libcsv-dev

BASE_SRC := $(wildcard base/*.c)
DIS_SRC  := $(wildcard dis/*.c)
ML_SRC   := $(wildcard ml/*.c ml/cpu/*.c ml/io/*.c)
# nn/: layers, losses and optimizers on ml (Torch7 THNN's split).
NN_SRC   := $(wildcard nn/*.c)
VM_SRC   := $(wildcard vm/*.c)
# protoc-c's output is generated into build/proto/ and compiled with the rest.
PROTO_SRC := $(wildcard proto/*.c)
# onnx/: ONNX models on ml; its protoc-c output goes to build/onnx/.
ONNX_SRC  := $(wildcard onnx/*.c)
SCHED_SRC := $(wildcard scheduler/*.c)
NODE_SRC  := $(wildcard node/*.c)
LIMBO_SRC := $(wildcard limbo/*.c)

BASE_OBJ := $(patsubst %.c,build/%.o,$(BASE_SRC))
DIS_OBJ  := $(patsubst %.c,build/%.o,$(DIS_SRC))
ML_OBJ   := $(patsubst %.c,build/%.o,$(ML_SRC))
NN_OBJ   := $(patsubst %.c,build/%.o,$(NN_SRC))
VM_OBJ   := $(patsubst %.c,build/%.o,$(VM_SRC))
PROTO_OBJ := build/proto/acheron.pb-c.o $(patsubst %.c,build/%.o,$(PROTO_SRC))
ONNX_OBJ  := build/onnx/onnx.pb-c.o $(patsubst %.c,build/%.o,$(ONNX_SRC))
SCHED_OBJ := $(patsubst %.c,build/%.o,$(SCHED_SRC))
NODE_OBJ  := $(patsubst %.c,build/%.o,$(NODE_SRC))
LIMBO_OBJ := $(patsubst %.c,build/%.o,$(LIMBO_SRC))
LIB_OBJ  := $(BASE_OBJ) $(DIS_OBJ) $(ML_OBJ) $(NN_OBJ) $(VM_OBJ) $(PROTO_OBJ) $(ONNX_OBJ) $(SCHED_OBJ) $(NODE_OBJ) $(LIMBO_OBJ)

# Each component is an archive; a program links the ones it needs, in
# dependency order (vm -> ml, dis -> base).
LIB_BASE := build/libbase.a
LIB_DIS  := build/libdis.a $(LIB_BASE)
LIB_ML   := build/libml.a $(LIB_BASE)
LIB_NN   := build/libnn.a build/libml.a $(LIB_BASE)
LIB_VM   := build/libvm.a build/libnn.a build/libml.a build/libdis.a $(LIB_BASE)
LIB_PROTO := build/libproto.a $(LIB_BASE)
LIB_ONNX  := build/libonnx.a build/libml.a $(LIB_BASE)
LIB_SCHED := build/libscheduler.a build/libproto.a $(LIB_DIS)
LIB_NODE  := build/libnode.a build/libproto.a $(LIB_DIS)
LIB_LIMBO := build/liblimbo.a $(LIB_DIS)

CMDS := $(patsubst tools/%.c,bin/%,$(wildcard tools/*.c))
TEST_SRC := $(wildcard tests/*/*.c)
TESTS := $(patsubst %.c,build/%.t,$(TEST_SRC))
# Tests written in sh: tests/NAME.sh runs as build/tests/NAME.t.
SH_TESTS := $(patsubst tests/%.sh,build/tests/%.t,$(filter-out tests/leaks.sh,$(wildcard tests/*.sh)))
# Limbo programs include only the project's own module/ (draw.m there is
# as much of Inferno's as a command's init needs).
LIMBOFLAGS := -I module
EXAMPLES := $(patsubst %.b,%.dis,$(wildcard examples/*/*.b))
VM_BENCH := $(patsubst %.s,%.dis,$(wildcard bench/vm/*.s))
CLUSTER_JOBS := $(patsubst %.b,%.dis,$(wildcard cluster_tests/jobs/*.b))
CLUSTER_TESTS := $(patsubst %.c,build/%.t,$(wildcard cluster_tests/*.c))
BENCH_SRC := $(wildcard bench/*.c)
BENCHES := $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC))

all: $(CMDS) $(EXAMPLES)

# The kernels want the vectoriser's full cost model (-O2 skips loops that
# need an aliasing check), and sqrt as an instruction: nothing here reads
# errno after a math call, and errno-setting sqrt does not vectorise.
$(ML_OBJ) $(NN_OBJ): OPT = -O3 -fno-math-errno

# Changing the Makefile rebuilds everything.
build/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

build/libbase.a: $(BASE_OBJ)
build/libdis.a: $(DIS_OBJ)
build/libml.a: $(ML_OBJ)
build/libnn.a: $(NN_OBJ)
build/libvm.a: $(VM_OBJ)
build/libproto.a: $(PROTO_OBJ)
build/libonnx.a: $(ONNX_OBJ)
build/libscheduler.a: $(SCHED_OBJ)
build/libnode.a: $(NODE_OBJ)
build/liblimbo.a: $(LIMBO_OBJ)

build/proto/acheron.pb-c.c build/proto/acheron.pb-c.h &: proto/acheron.proto
	@mkdir -p build/proto
	protoc-c --c_out=build/proto -Iproto $<

# Every object that may include proto/proto.h waits for the generated header.
$(PROTO_OBJ) $(SCHED_OBJ) $(NODE_OBJ) build/tools/dis-keygen.o build/tools/dis-sched.o build/tools/dis-node.o \
	$(patsubst %.c,build/%.o,$(wildcard tests/proto/*.c tests/scheduler/*.c tests/node/*.c cluster_tests/*.c bench/cluster.c)): \
	build/proto/acheron.pb-c.h

# Each builtin module's table (vm/builtin.h), made from its declaration in
# module/ by our own limbo -t, as Inferno's mkfiles make libinterp/sysmod.h:
# no signature or frame layout is written by hand. Module Name is declared
# in module/name.m and its table goes to build/gen/vm/namemod.h.
# module/runt.m includes every builtin's declaration, as a declaration may
# name another module's types (Nn's use Tensor->T).
VM_BUILTIN_MODS := Sys Math Crypt Tensor Nn
lowercase = $(shell echo $(1) | tr A-Z a-z)
VM_GEN := $(foreach m,$(VM_BUILTIN_MODS),build/gen/vm/$(call lowercase,$(m))mod.h)
define VM_GEN_RULE
build/gen/vm/$(call lowercase,$(1))mod.h: module/runt.m $(foreach m,$(VM_BUILTIN_MODS),module/$(call lowercase,$(m)).m) bin/limbo
	@mkdir -p $$(dir $$@)
	bin/limbo -t $(1) -I module -o $$@ module/runt.m
endef
$(foreach m,$(VM_BUILTIN_MODS),$(eval $(call VM_GEN_RULE,$(m))))
# Every vm object, and each test that includes vm/'s headers, may include them.
$(VM_OBJ) $(patsubst %.c,build/%.o,$(wildcard tests/vm/*.c)): $(VM_GEN)

build/onnx/onnx.pb-c.c build/onnx/onnx.pb-c.h &: onnx/onnx.proto
	@mkdir -p build/onnx
	protoc-c --c_out=build/onnx -Ionnx $<

# onnx/onnx_impl.h includes the generated header as "onnx/onnx.pb-c.h".
$(ONNX_OBJ) $(patsubst %.c,build/%.o,$(wildcard tests/onnx/*.c)): build/onnx/onnx.pb-c.h

build/onnx/onnx.pb-c.o: build/onnx/onnx.pb-c.c
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c $< -o $@
build/proto/acheron.pb-c.o: build/proto/acheron.pb-c.c
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c $< -o $@
build/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# Which archives each program needs.
bin/dis-as bin/dis-dis bin/dis-sign bin/dis-verify: $(LIB_DIS)
bin/dis-keygen: $(LIB_PROTO) $(LIB_DIS)
bin/dis-sched: $(LIB_SCHED)
bin/dis-node: $(LIB_NODE)
bin/dis-run: $(LIB_VM)
bin/limbo: $(LIB_LIMBO)
$(patsubst %.c,build/%.t,$(wildcard tests/base/*.c)): $(LIB_BASE)
$(patsubst %.c,build/%.t,$(wildcard tests/dis/*.c)): $(LIB_DIS)
$(patsubst %.c,build/%.t,$(wildcard tests/ml/*.c)): $(LIB_ML)
$(patsubst %.c,build/%.t,$(wildcard tests/nn/*.c)): $(LIB_NN)
$(patsubst %.c,build/%.t,$(wildcard tests/vm/*.c)): $(LIB_VM)
$(patsubst %.c,build/%.t,$(wildcard tests/proto/*.c)): $(LIB_PROTO)
$(patsubst %.c,build/%.t,$(wildcard tests/onnx/*.c)): $(LIB_ONNX)
$(patsubst %.c,build/%.t,$(wildcard tests/node/*.c)): $(LIB_NODE)
$(patsubst %.c,build/%.t,$(wildcard tests/scheduler/*.c)): $(LIB_SCHED)
$(patsubst %.c,build/%.t,$(wildcard tests/limbo/*.c)): $(LIB_LIMBO)
build/bench/matmul: $(LIB_ML)
build/bench/quant: $(LIB_ML)
build/bench/ml: $(LIB_ML)
build/bench/conv: $(LIB_ML)
build/bench/cluster: $(LIB_SCHED)

bin/%: build/tools/%.o
	@mkdir -p bin
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(filter %.a,$^) $(LDLIBS_NET) $(LDLIBS_ALL)

examples/%.dis: examples/%.b bin/limbo
	bin/limbo $(LIMBOFLAGS) -o $@ $<

bench/vm/%.dis: bench/vm/%.s bin/dis-as
	bin/dis-as $< -o $@

cluster_tests/jobs/%.dis: cluster_tests/jobs/%.b bin/limbo
	bin/limbo $(LIMBOFLAGS) -o $@ $<

$(CLUSTER_TESTS): $(LIB_SCHED)
# The README's cluster recipe, run as written (cluster_tests/readme.sh), and
# any other cluster test in sh.
CLUSTER_SH_TESTS := $(patsubst %.sh,build/%.t,$(wildcard cluster_tests/*.sh))
CLUSTER_TESTS += $(CLUSTER_SH_TESTS)
build/cluster_tests/%.t: build/cluster_tests/%.o
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(filter %.a,$^) -lcmocka $(LDLIBS_NET) $(LDLIBS_ALL)

$(SH_TESTS) $(CLUSTER_SH_TESTS): build/%.t: %.sh
	@mkdir -p $(dir $@)
	cp $< $@
	chmod +x $@

build/tests/%.t: build/tests/%.o
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(filter %.a,$^) -lcmocka $(LDLIBS_NET) $(LDLIBS_ALL)

# The benchmark calls cblas_sgemm directly as its reference.
build/bench/%: build/bench/%.o
	$(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL) -o $@ $< $(filter %.a,$^) -lopenblas $(LDLIBS_NET) $(LDLIBS_ALL)

# What the sh tests read, besides themselves.
build/tests/symbols.t: $(LIB_VM) $(LIB_NN) $(LIB_ONNX) $(LIB_SCHED) $(LIB_NODE) $(LIB_LIMBO)
build/tests/man.t: $(wildcard man/*.1)
build/tests/hardening.t: $(CMDS)
build/tests/bench.t: bench/run.sh $(BENCHES)
TESTS += $(SH_TESTS)

tests: all $(TESTS)

check: all $(TESTS) cluster-tests
	prove -j2 -r build/tests
	$(MAKE) --no-print-directory cluster-check

# A real scheduler and real nodes on 127.0.0.1: one test file at a time, as
# their timing checks (liveness) want the machine to themselves.
cluster-tests: all $(CLUSTER_TESTS) $(CLUSTER_JOBS)
cluster-check: cluster-tests
	prove build/cluster_tests

# The suite with every dis-run proving its Dis heap empty at exit, then the
# unit tests and real programs under valgrind for host-memory leaks.
check-leaks: all $(TESTS)
	ACHERON_HEAPCHECK=1 prove -j2 -r build/tests
	tests/leaks.sh

bench: all $(BENCHES) $(VM_BENCH) bench/nninfer.dis
	bench/run.sh

# The quantized kernels: memory bandwidth, matrix-vector and batch-64 products.
bench-ml: build/bench/ml build/bench/quant build/bench/conv
	build/bench/ml
	build/bench/quant
	build/bench/conv

# ggml's own library, the outside reference for tests/ml/quant.c: the one
# platform package of node-llama-cpp 3.21.1 (about 40 MB, not the 700 MB of
# the whole), into build/npm; the test looks there unless ACHERON_GGML_LIB
# names another copy.
GGML_NPM_PKG = @node-llama-cpp/linux-x64@3.21.1
GGML_LIB = build/npm/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so
build/npm/.ggml:
	@mkdir -p build/npm
	npm install --prefix build/npm --no-save --no-audit --no-fund $(GGML_NPM_PKG)
	test -r $(GGML_LIB)
	touch $@

# Training epochs of the MLP and the CNN (examples/fashion/train.dis) at 1
# and 2 threads against PyTorch (python3-torch) in the same run.
bench-nn: all bench/nninfer.dis
	bench/nn.sh

bench/nninfer.dis: bench/nninfer.b bin/limbo
	bin/limbo $(LIMBOFLAGS) -o $@ $<

# The VM workloads against Lua 5.4 (Debian lua5.4) in the same run.
bench-vm: all $(VM_BENCH)
	bench/vm.sh

# bin/limbo against Inferno's limbo.dis: compile time over the Limbo corpus,
# and run time of bench/vm/*.b compiled by each.
bench-limbo: all
	bench/limbo.sh

# No-op jobs through a scheduler and two nodes, against Dask when installed.
bench-cluster: all build/bench/cluster
	bench/cluster.sh

# libFuzzer harnesses (fuzz/*.c) over the parsers that take hostile input,
# built with clang into build/fuzz/: the libraries they reach compiled again
# with coverage and sanitizers. `make fuzz FUZZ_SECONDS=N` runs each for N s
# (fuzz/run.sh); make check runs a short smoke run (tests/fuzz.sh).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
# Not alignment: hostile code may put a word at any address, and the VM
# reads and writes Dis memory where it says (x86-64 and arm64 allow it;
# the interpreter's own operand types say so, vm/xec.c).
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize=alignment -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer -Wall -Wextra \
	-Wno-unused-parameter -Wno-missing-field-initializers $(WERROR) -I. -Ibuild $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP
FUZZ_NAMES := $(patsubst fuzz/%.c,%,$(wildcard fuzz/*.c))
FUZZ_BIN := $(patsubst %,build/fuzz/bin/%,$(FUZZ_NAMES))
FUZZ_LIB_OBJ := $(patsubst %.c,build/fuzz/%.o,$(BASE_SRC) $(DIS_SRC) $(LIMBO_SRC) $(PROTO_SRC) $(VM_SRC) $(NN_SRC) $(ML_SRC)) \
	build/fuzz/proto/acheron.pb-c.o
# libFuzzer is there when FUZZ_CC's runtime has it (Debian: clang, libclang-rt-14-dev).
HAVE_FUZZ := $(if $(wildcard $(shell $(FUZZ_CC) -print-resource-dir 2>/dev/null)/lib/*/libclang_rt.fuzzer*.a),1)

build/fuzz/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
build/fuzz/proto/acheron.pb-c.o: build/proto/acheron.pb-c.c Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(patsubst %.c,build/fuzz/%.o,$(VM_SRC)): $(VM_GEN)
$(filter build/fuzz/proto/%,$(FUZZ_LIB_OBJ)) build/fuzz/fuzz/proto_msg.o build/fuzz/gen/proto_seeds.o: \
	build/proto/acheron.pb-c.h
# The Limbo harness's source lies in module/, so its includes resolve there.
build/fuzz/fuzz/limbo_check.o: FUZZ_CFLAGS += -DFUZZ_MODULE_DIR='"$(CURDIR)/module"'
build/fuzz/libacheron.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^
build/fuzz/bin/%: build/fuzz/fuzz/%.o build/fuzz/libacheron.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LDLIBS_NET) $(LDLIBS_ALL)
build/fuzz/gen/proto_seeds.o: fuzz/gen/proto_seeds.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@
build/fuzz/proto_seeds: build/fuzz/gen/proto_seeds.o $(LIB_PROTO)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(filter %.a,$^) $(LDLIBS_NET) $(LDLIBS_ALL)

fuzz-build: $(FUZZ_BIN)
fuzz: all fuzz-build build/fuzz/proto_seeds
	fuzz/seeds.sh
	fuzz/run.sh $(FUZZ_SECONDS)

# make check smoke-runs the harnesses where clang can build them.
ifeq ($(HAVE_FUZZ),1)
build/tests/fuzz.t: $(FUZZ_BIN)
endif

deps:
	@missing=$$(for p in $(DEB_PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "all Debian packages present"; fi

# The main job: train the MLP (10 epochs), save it, draw its training
# curves with gnuplot, and evaluate the saved model again.
demo: deps
	$(MAKE) all
	@mkdir -p build/demo
	bin/dis-run examples/fashion/train.dis --csv build/demo/metrics.csv -o build/demo/mlp.gguf
	gnuplot -e "csv='build/demo/metrics.csv'; png='build/demo/curves.png'" examples/fashion/curves.gp
	@echo "training curves: $(CURDIR)/build/demo/curves.png"
	bin/dis-run examples/fashion/classify.dis build/demo/mlp.gguf

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/acheron/module
	install -m 755 $(CMDS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 module/*.m $(DESTDIR)$(PREFIX)/share/acheron/module

clean:
	rm -rf build bin $(EXAMPLES) $(VM_BENCH) $(CLUSTER_JOBS)

.PHONY: torch-fixtures nn-fixtures all check check-leaks fuzz fuzz-build tests cluster-tests cluster-check bench bench-ml bench-nn bench-vm bench-limbo bench-cluster deps demo install clean
.SECONDARY:

-include $(LIB_OBJ:.o=.d) $(wildcard build/fuzz/*/*.d build/fuzz/*/*/*.d) $(TESTS:.t=.d) $(CLUSTER_TESTS:.t=.d) $(patsubst tools/%.c,build/tools/%.d,$(wildcard tools/*.c))

# tests/data/torch/: PyTorch's outputs tests/ml/torch.c compares with,
# written by Debian's python3-torch (1.13) for /usr/bin/python3.  The
# tests never run Python; the .npy files are committed.
torch-fixtures:
	/usr/bin/python3 tests/fixtures/torch_gen.py
# tests/data/nn/: the layers' outputs and gradients tests/nn/{conv,pool,norm}.c
# compare with, from the same python3-torch.
nn-fixtures:
	/usr/bin/python3 tests/fixtures/nn_gen.py
