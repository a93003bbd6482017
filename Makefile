# nixos-nspawn — see README.md. `make help` lists the targets.

VERSION   := 0.1
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
UNITDIR   ?= $(PREFIX)/lib/systemd/system
DATADIR   ?= $(PREFIX)/share
DESTDIR   ?=
BUILD     ?= build

CC        ?= cc
PKGS      := libsystemd mount libseccomp
# pkg-config is asked when a recipe runs, never when this file is read: on a fresh machine `make check` or `make demo`
# reads this file before checks/deps.sh has installed the -dev packages, and a value computed then would be empty for
# the whole run (a launcher linked without -lseccomp). The targets that install packages also build in a second make
# that starts after they are installed (see check:, demo:). A package still missing then stops the build with this
# message instead of a link error.
#   $(call pkg,--cflags|--libs,PACKAGES)
pkg = $(call pkg_checked,$(shell pkg-config $(1) $(2) 2>/dev/null || echo pkg-config-failed),$(1),$(2))
pkg_checked = $(if $(filter pkg-config-failed,$(1)),$(error pkg-config $(2) $(3) failed: the -dev packages are \
              missing; 'make deps' (checks/deps.sh) installs them),$(1))
WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes -Wvla \
             -Wimplicit-fallthrough -Wno-unused-parameter
HARDEN    := -fstack-protector-strong -fstack-clash-protection -fcf-protection -D_FORTIFY_SOURCE=2 -fPIE
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=gnu17 $(WARNINGS) $(HARDEN) $(CFLAGS) -iquote common -iquote spawn -iquote netconf -iquote $(BUILD)/gen \
             -DVERSION='"$(VERSION)"' -D_GNU_SOURCE $(call pkg,--cflags,$(PKGS))
LDFLAGS   ?=
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS       = $(call pkg,--libs,$(PKGS))

ifeq ($(SANITIZE),1)
# (-fno-sanitize-recover: a UBSan finding ends the program, so that a test sees it instead of a line in a log)
ALL_CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -U_FORTIFY_SOURCE
ALL_LDFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all
BUILD       := build-sanitize
endif

# The product's code, except the programs' own main files, is one static library: a program or a unit test links
# its own .c files against it and gets only the objects it uses, each compiled once.
LIB_SRC    := $(wildcard common/*.c netconf/*.c) $(filter-out spawn/main.c,$(wildcard spawn/*.c))
LIB        := $(BUILD)/libnspawn.a

# Programs: PROGRAMS += NAME, with NAME_SRC := its own .c files (the library does the rest).
PROGRAMS   := nixos-nspawn nixos-nspawnctl
nixos-nspawn_SRC := spawn/main.c
# The launcher links only libseccomp (and libc): libsystemd's sd-bus is loaded when there is a bus (sdbus-dl.c), the
# rest of what it took from libsystemd and libmount is its own, so a start binds one library, not fourteen.
nixos-nspawn_LIBS = $(call pkg,--libs,libseccomp)
nixos-nspawnctl_SRC := $(wildcard ctl/*.c)
nixos-nspawnctl_LIBS = $(LIBS)
BIN        := $(BUILD)/nixos-nspawn
CTL        := $(BUILD)/nixos-nspawnctl

# Files made at build time go in $(BUILD)/gen, which is on the include path. An object that includes one names it
# as a prerequisite below (-MMD records it too, but only after the first build).
# The default system call filter, compiled at build time by a generator that uses the same code (and libseccomp) as
# a run-time compile, for the architecture being built: a start installs it without compiling anything.
SECCOMP_GEN_SRC := spawn/gen/seccomp-gen.c spawn/seccomp-build.c spawn/bpf-compact.c spawn/caps.c
SECCOMP_GEN     := $(BUILD)/gen/seccomp-gen
SECCOMP_DEFAULT := $(BUILD)/gen/seccomp-default.h

UNIT_TESTS := $(patsubst checks/unit/%.c,$(BUILD)/checks/%,$(wildcard checks/unit/test-*.c))
HELPERS    := $(patsubst checks/helpers/%.c,$(BUILD)/helpers/%,$(wildcard checks/helpers/*.c))
# Tools the tests run on the host to ask the product's own code (checks/tools/): linked against the library.
TOOLS      := $(patsubst checks/tools/%.c,$(BUILD)/tools/%,$(wildcard checks/tools/*.c))

# Fuzzers: clang's libFuzzer with ASan and UBSan (checks/fuzz/fuzz-*.c; seeds in checks/fuzz/corpus/NAME/).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
FUZZERS    := $(patsubst checks/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard checks/fuzz/fuzz-*.c))
FUZZ_CFLAGS = -std=gnu17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -iquote common \
              -iquote spawn -iquote netconf -iquote $(BUILD)/gen -D_GNU_SOURCE -DVERSION='"$(VERSION)"' $(call pkg,--cflags,$(PKGS))

.PHONY: all deps install uninstall check check-unit check-build check-integration check-system check-nixos check-fuzz \
        unit-tests fuzzers fuzz demo bench analyze clean help

all: $(PROGRAMS:%=$(BUILD)/%) $(HELPERS) $(TOOLS)

help:
	@echo "make [all]          build $(BIN) and $(CTL)"
	@echo "make demo           (root) install what is missing, boot the built-in example"
	@echo "make check          (root) install what is missing, run every part below, one summary at the end"
	@echo "make check-unit     unit tests (C)"
	@echo "make check-build    (root) make demo's and make check's build on a machine lacking the packages"
	@echo "make check-integration   (root) the launcher on this host"
	@echo "make check-system   (root) scenarios in the systemd test host"
	@echo "make check-nixos    NixOS module evaluation (checks/nixos/run.sh)"
	@echo "make check-fuzz     each fuzzer briefly over its seed corpus (needs clang)"
	@echo "make fuzz           each fuzzer for FUZZ_SECONDS (default 60) seconds"
	@echo "make bench          (root) benchmarks against systemd-nspawn and bubblewrap"
	@echo "make install        install to \$$DESTDIR\$$PREFIX"
	@echo "make SANITIZE=1 …   build with ASan+UBSan into build-sanitize, and test those binaries"
	@echo "make analyze        gcc -fanalyzer"

deps:
	@sh checks/deps.sh

# -MMD -MP: each object knows the headers it includes (a changed header rebuilds exactly its users).
$(BUILD)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -iquote checks/unit -MMD -MP -c -o $@ $<

# (built from its sources, not the library: the library's seccomp.o needs what it makes)
$(SECCOMP_GEN): $(SECCOMP_GEN_SRC) $(wildcard common/*.h spawn/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(SECCOMP_GEN_SRC) $(LIBS)

$(SECCOMP_DEFAULT): $(SECCOMP_GEN)
	$(SECCOMP_GEN) > $@.tmp && mv $@.tmp $@

$(BUILD)/spawn/seccomp.o $(BUILD)/checks/unit/test-seccomp.o: $(SECCOMP_DEFAULT)

$(LIB): $(LIB_SRC:%.c=$(BUILD)/%.o)
	rm -f $@
	$(AR) rcs $@ $^

define program
$(BUILD)/$(1): $$($(1)_SRC:%.c=$(BUILD)/%.o) $(LIB)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$($(1)_LIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program,$(p))))

$(BUILD)/ctl/change.o: ALL_CFLAGS += -DGUEST_MODULE='"$(DATADIR)/nixos-nspawn/container.nix"'
# libnftables, loaded by --port (spawn/nft.c): its soname, or a full path where the library path does not find it
# (Nix: nixos/package.nix gives the store path).
NFTABLES_LIB ?= libnftables.so.1
$(BUILD)/spawn/nft.o: ALL_CFLAGS += -DNFTABLES_LIB='"$(NFTABLES_LIB)"'

# A unit test is its own file linked against the library: only the objects it uses come along.
$(BUILD)/checks/test-%: $(BUILD)/checks/unit/test-%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tools/%: $(BUILD)/checks/tools/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Helpers run inside containers: static, no sanitizers.
$(BUILD)/helpers/%: checks/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 $(WARNINGS) -O2 -D_GNU_SOURCE -static -o $@ $<

# Fuzzers: the same library, compiled by clang with coverage instrumentation and sanitizers, in $(FUZZ_BUILD).
$(FUZZ_BUILD)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_BUILD)/spawn/seccomp.o: $(SECCOMP_DEFAULT)
$(FUZZ_BUILD)/libnspawn.a: $(LIB_SRC:%.c=$(FUZZ_BUILD)/%.o)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz-%: $(FUZZ_BUILD)/checks/fuzz/fuzz-%.o $(FUZZ_BUILD)/libnspawn.a
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

-include $(shell find $(BUILD) $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@UNITDIR@|$(UNITDIR)|g'

install: $(BIN) $(CTL)
	install -Dm0755 $(BIN) $(DESTDIR)$(BINDIR)/nixos-nspawn
	install -Dm0755 $(CTL) $(DESTDIR)$(BINDIR)/nixos-nspawnctl
	install -Dm0644 docs/nixos-nspawn.1 $(DESTDIR)$(MANDIR)/man1/nixos-nspawn.1
	install -Dm0644 docs/nixos-nspawnctl.1 $(DESTDIR)$(MANDIR)/man1/nixos-nspawnctl.1
	if [ -f nixos/container.nix ]; then \
		install -Dm0644 nixos/container.nix $(DESTDIR)$(DATADIR)/nixos-nspawn/container.nix; fi
	install -d $(DESTDIR)$(UNITDIR)/systemd-nspawn@.service.d
	$(SUBST) units/nixos-nspawn@.service.in > $(DESTDIR)$(UNITDIR)/nixos-nspawn@.service
	$(SUBST) units/systemd-nspawn-dropin.conf.in \
		> $(DESTDIR)$(UNITDIR)/systemd-nspawn@.service.d/nixos-nspawn.conf.template
	$(SUBST) units/nixos-nspawn-machinectl.in > $(DESTDIR)$(BINDIR)/nixos-nspawn-machinectl
	chmod 0755 $(DESTDIR)$(BINDIR)/nixos-nspawn-machinectl

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nixos-nspawn $(DESTDIR)$(BINDIR)/nixos-nspawn-machinectl \
		$(DESTDIR)$(BINDIR)/nixos-nspawnctl $(DESTDIR)$(MANDIR)/man1/nixos-nspawnctl.1 \
		$(DESTDIR)$(DATADIR)/nixos-nspawn/container.nix \
		$(DESTDIR)$(MANDIR)/man1/nixos-nspawn.1 $(DESTDIR)$(UNITDIR)/nixos-nspawn@.service \
		$(DESTDIR)$(UNITDIR)/systemd-nspawn@.service.d/nixos-nspawn.conf.template

unit-tests: $(UNIT_TESTS)
# Without clang the fuzz part says so itself (a counted skip).
fuzzers:
	@if command -v $(FUZZ_CC) >/dev/null; then $(MAKE) --no-print-directory $(FUZZERS); fi

RUN = BUILD=$(BUILD) FUZZ_BUILD=$(FUZZ_BUILD) bash checks/run.sh
DEMO = bash checks/demo.sh

# What installs packages builds in a second make, started after deps.sh: parallel (-j) prerequisites could otherwise
# compile before the packages are in, and nothing that make computes is left over from before. (checks/build/ runs
# these targets' build on a machine that lacks the packages.)
check: deps
	@$(MAKE) --no-print-directory all unit-tests fuzzers
	@$(RUN)
check-unit: unit-tests
	@$(RUN) unit
check-build:
	@$(RUN) build
check-integration: all
	@$(RUN) integration
check-system: all
	@$(RUN) system
check-nixos: all
	@$(RUN) nixos
check-fuzz: fuzzers
	@$(RUN) fuzz

fuzz: fuzzers
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) bash checks/fuzz/run.sh --long

demo: deps
	@$(MAKE) --no-print-directory all
	@$(DEMO)

bench: deps
	@$(MAKE) --no-print-directory all
	@bash checks/bench/run.sh

# Advisory: GCC 12's analyzer reports a leak in split() that is not one (it loses track of pointers stored in
# an array that is freed as a whole), so its findings are printed, not fatal.
analyze:
	rm -rf build-analyze
	$(MAKE) BUILD=build-analyze CFLAGS="-O1 -g -fanalyzer -Wno-error" all 2>&1 | grep -A3 'warning:' || true

clean:
	rm -rf build build-sanitize build-analyze $(FUZZ_BUILD)

# Intermediate objects (a test's or fuzzer's own .o) are kept: make would otherwise delete and rebuild them.
.SECONDARY:
