# qbox - rootless QEMU sandboxes with VirtualBox-style networking
#
#   make            build build/qbox
#   make demo       install what is missing, build, boot a tiny VM rootless
#   make check      the whole test suite (unit, integration, ASan/UBSan, VM,
#                   and each fuzz target for FUZZ_SECONDS)
#   make fuzz       the fuzz targets for FUZZ_LONG_SECONDS each
#   make bench      measure qbox against slirp4netns, pasta, qemu and veth
#   make install    install qbox, its man page and policies under $(PREFIX)

PREFIX  ?= /usr/local
# the dependency files included below name targets of their own: without
# this, a second plain `make` would build the first of those, not qbox
.DEFAULT_GOAL := all
CC      ?= cc
PKGS    := slirp libmnl libnftnl libnetfilter_queue libseccomp libcap jansson libpcap
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

# pkg-config is checked lazily so that `make demo` can install it first
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# libvdeplug (VDE plugs: dataplane/vde_relay.c) ships no pkg-config file
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) -lvdeplug

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
POLICYDIR := $(PREFIX)/share/qbox/policies
# Includes are written one way, from the top of the tree: "netns/nl.h"
QCFLAGS  = -std=gnu11 -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 $(WARN) -iquote . \
	   -DQBOX_VERSION='"$(VERSION)"' \
	   -DQBOX_POLICY_DIR='"$(POLICYDIR)"' $(PKG_CFLAGS)

# The shipped seccomp policies, also compiled into the binary
POLICIES := $(sort $(wildcard policies/*.policy))
POLICY_SRCS := seccomp/policy.c seccomp/consts.c seccomp/compile.c \
	       seccomp/store.c seccomp/filter.c build/policies.c

# The folders, from the command line down: a file includes headers of its
# own folder and of those below it, never above (tests/layering.sh checks)
LAYERS := runner network supervisor control netns plan dataplane seccomp \
	  common
SRCS := $(foreach d,$(LAYERS),$(sort $(wildcard $(d)/*.c))) build/policies.c

print-layers:
	@echo $(LAYERS)

# Pure parts, linked into the unit tests without the system-facing code
UNIT_SRCS := common/err.c common/util.c common/json.c common/fdio.c \
	     runner/cli.c \
	     plan/spec.c plan/vdeloc.c control/ctl_proto.c plan/plan.c plan/names.c \
	     plan/qemu_argv.c \
	     common/rundir.c dataplane/frame_filter.c dataplane/slirp_fix.c \
	     dataplane/egress.c \
	     network/leases.c \
	     netns/antispoof.c seccomp/landlock.c dataplane/streamproto.c \
	     dataplane/fairq.c plan/qemu_paths.c plan/qemu_opts.c plan/image.c \
	     $(POLICY_SRCS)
UNIT_LIBS = $(shell pkg-config --libs libseccomp libcap jansson)
UNIT_TESTS := $(patsubst tests/unit/%.c,build/tests/%,$(wildcard tests/unit/test_*.c))

# Small programs the integration tests drive (tests/helpers/)
PLAIN_HELPERS := build/tests/try-syscall build/tests/echo-server \
		 build/tests/no-netfilter \
		 build/tests/conn-echo build/tests/dhcp-clients \
		 build/tests/netns-caps build/tests/stream-client \
		 build/tests/udp-flows build/tests/guest-server \
		 build/tests/fs-probe build/tests/no-landlock \
		 build/tests/tap-frames
HELPERS := $(PLAIN_HELPERS)

# ---- fuzzing (tests/fuzz/) ------------------------------------------------
# libFuzzer targets, built by clang with ASan and UBSan against the real
# sources of what they fuzz: FUZZ_SRCS_<target> (plus FUZZ_COMMON) is what
# each one links, FUZZ_LIBS_<target> its libraries. `make check` runs each
# for FUZZ_SECONDS; a crash keeps its input in build/fuzz/crashes/<target>/.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 15
FUZZ_LONG_SECONDS ?= 600
FUZZ_TARGETS ?= policy netspec fwdspec ctlproto leases frames qemuargs names \
		egress
FUZZ_BINS    := $(FUZZ_TARGETS:%=build/fuzz/%)
FUZZ_FLAGS   := -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_COMMON  := common/err.c common/util.c

FUZZ_SRCS_policy   := $(POLICY_SRCS)
FUZZ_LIBS_policy    = $(UNIT_LIBS)
FUZZ_SRCS_netspec  := plan/spec.c plan/vdeloc.c
FUZZ_SRCS_fwdspec  := plan/spec.c plan/vdeloc.c
FUZZ_SRCS_ctlproto := control/ctl_proto.c plan/spec.c plan/vdeloc.c common/json.c
FUZZ_SRCS_leases   := network/leases.c plan/spec.c plan/vdeloc.c common/json.c
FUZZ_SRCS_frames   := dataplane/uplink.c dataplane/fairq.c dataplane/frame_filter.c \
		      dataplane/slirp_fix.c common/pollset.c
FUZZ_LIBS_frames    = $(shell pkg-config --libs slirp)
FUZZ_SRCS_qemuargs := plan/qemu_paths.c plan/qemu_opts.c
FUZZ_SRCS_names    := plan/names.c common/json.c
FUZZ_SRCS_egress   := dataplane/egress.c dataplane/frame_filter.c
FUZZ_LIBS_qemuargs  = $(shell pkg-config --libs jansson)

.PHONY: all clean check print-layers check-unit check-integration check-e2e check-fuzz \
	fuzz demo deps guest install bench

# Builds run in parallel, one job per CPU, unless the caller says -j
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

# ---- objects --------------------------------------------------------------
# Each source is compiled once per flavour and linked into everything that
# needs it: rel (build/qbox), san (the ASan/UBSan qbox and the unit tests),
# fuzz (clang, libFuzzer's instrumentation). -MMD
# records each object's headers, so a changed header rebuilds its users.
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
       -fno-sanitize-recover=all
REL_FLAGS = $(CFLAGS) $(QCFLAGS)
SAN_FLAGS = -O1 -g $(SAN) $(QCFLAGS)
objs = $(patsubst %.c,build/obj/$(1)/%.o,$(2))

build/obj/rel/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(REL_FLAGS) -MMD -MP -c -o $@ $<
build/obj/san/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -MMD -MP -c -o $@ $<
build/obj/fuzz/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(QCFLAGS) -MMD -MP -c -o $@ $<
.SECONDARY:
-include $(shell find build/obj -name '*.d' 2>/dev/null)

# The version is a -D of main.c's: a stamp file, rewritten only when the
# version changes, rebuilds it then and only then
VERSION_STAMP := build/version
$(shell mkdir -p build && { [ "$$(cat $(VERSION_STAMP) 2>/dev/null)" = \
	"$(VERSION)" ] || echo "$(VERSION)" >$(VERSION_STAMP); })
build/obj/rel/runner/main.o build/obj/san/runner/main.o: $(VERSION_STAMP)

all: build/qbox

build/qbox: $(call objs,rel,$(SRCS))
	@mkdir -p $(@D)
	$(CC) $(REL_FLAGS) -o $@ $^ $(PKG_LIBS)

# The sanitizer build runs the integration tests too (make check)
build/asan/qbox: $(call objs,san,$(SRCS))
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS)

# The uplink's test runs libslirp too
UPLINK_TEST_SRCS := dataplane/uplink.c dataplane/fairq.c dataplane/frame_filter.c \
		    dataplane/slirp_fix.c common/pollset.c common/err.c \
		    common/util.c

build/tests/test_uplink: $(call objs,san,tests/unit/test_uplink.c \
		$(UPLINK_TEST_SRCS))
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(shell pkg-config --libs slirp)

build/tests/%: build/obj/san/tests/unit/%.o $(call objs,san,$(UNIT_SRCS))
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) -o $@ $^ $(UNIT_LIBS)

build/policies.c: $(POLICIES) seccomp/embed.sh
	@mkdir -p $(@D)
	sh seccomp/embed.sh $(POLICIES) >$@.tmp && mv $@.tmp $@

guest:
	tests/guest/build.sh build/guest

check-unit: $(UNIT_TESTS)
	tests/run.sh unit $(UNIT_TESTS)

check-integration: build/qbox build/asan/qbox $(HELPERS)
	tests/run.sh integration tests/integration/*.sh

check-e2e: build/qbox guest
	tests/run.sh e2e tests/e2e/*.sh

check-fuzz: $(FUZZ_BINS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run.sh fuzz $(FUZZ_BINS)

# Longer runs; the corpus each one grows stays in build/fuzz/corpus/
fuzz: $(FUZZ_BINS)
	FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) tests/run.sh fuzz $(FUZZ_BINS)

# One summary line for everything: "N passed, N failed"
check: build/qbox build/asan/qbox $(HELPERS) $(UNIT_TESTS) guest \
	build/bench/tcp_rr $(FUZZ_BINS)
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/run.sh all $(UNIT_TESTS) \
		tests/tree/*.sh tests/integration/*.sh tests/bench/*.sh \
		tests/e2e/*.sh \
		$(FUZZ_BINS)

deps:
	tests/deps.sh

demo: deps
	$(MAKE) build/qbox guest
	tests/demo.sh

# Installs what is missing (as root), builds, measures as an unprivileged
# user; knobs in bench/README.md (BENCH_RUNS, BENCH_SECONDS, ...)
bench:
	tests/deps.sh --bench
	$(MAKE) build/qbox build/bench/tcp_rr guest
	bench/bench.sh

build/bench/tcp_rr: bench/tcp_rr.c
	@mkdir -p $(@D)
	$(CC) -O2 -std=gnu11 -D_GNU_SOURCE $(WARN) -o $@ $<

install: build/qbox
	install -D -m 0755 build/qbox $(DESTDIR)$(PREFIX)/bin/qbox
	install -D -m 0644 docs/qbox.1 $(DESTDIR)$(PREFIX)/share/man/man1/qbox.1
	install -d $(DESTDIR)$(POLICYDIR)
	install -m 0644 $(POLICIES) $(DESTDIR)$(POLICYDIR)

clean:
	rm -rf build

# Headers the helpers include from the tree (they are built without -MMD)
$(PLAIN_HELPERS): build/tests/%: tests/helpers/%.c tests/helpers/helpers.h \
		common/bytes.h
	@mkdir -p $(@D)
	$(CC) -O2 -std=gnu11 -D_GNU_SOURCE $(WARN) -iquote . -o $@ $< \
		$(shell pkg-config --libs libseccomp)

# The fuzz targets, each with its own sources (FUZZ_SRCS_<target>)
.SECONDEXPANSION:
$(FUZZ_BINS): build/fuzz/%: build/obj/fuzz/tests/fuzz/fuzz_%.o \
		$$(call objs,fuzz,$$(FUZZ_SRCS_$$*) $(FUZZ_COMMON))
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FUZZ_LIBS_$*)
