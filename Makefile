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
WARNINGS  := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes -Wvla \
             -Wimplicit-fallthrough -Wno-unused-parameter
HARDEN    := -fstack-protector-strong -fstack-clash-protection -fcf-protection -D_FORTIFY_SOURCE=2 -fPIE
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=gnu17 $(WARNINGS) $(HARDEN) $(CFLAGS) -iquote common -iquote spawn -iquote netconf -iquote $(BUILD)/gen \
             -DVERSION='"$(VERSION)"' -D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS   ?=
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS       = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ifeq ($(SANITIZE),1)
ALL_CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -U_FORTIFY_SOURCE
ALL_LDFLAGS += -fsanitize=address,undefined
BUILD       := build-sanitize
endif

COMMON_SRC := $(wildcard common/*.c)
SPAWN_SRC  := $(filter-out spawn/main.c,$(wildcard spawn/*.c))
NETCONF_SRC := $(wildcard netconf/*.c)
SRC        := $(COMMON_SRC) $(NETCONF_SRC) $(SPAWN_SRC) spawn/main.c
OBJ        := $(SRC:%.c=$(BUILD)/%.o)
BIN        := $(BUILD)/nixos-nspawn
# nixos-nspawnctl links what it shares with the launcher from one archive: only the objects it uses come in.
CTL_SRC    := $(wildcard ctl/*.c)
CTL_OBJ    := $(CTL_SRC:%.c=$(BUILD)/%.o)
CTL        := $(BUILD)/nixos-nspawnctl
SHARED_LIB := $(BUILD)/libnspawn.a

# The default system call filter, compiled at build time by a generator that uses the same code (and libseccomp) as
# a run-time compile, for the architecture being built: a start installs it without compiling anything.
SECCOMP_GEN     := $(BUILD)/gen/seccomp-gen
SECCOMP_DEFAULT := $(BUILD)/gen/seccomp-default.h

UNIT_TESTS := $(patsubst checks/unit/%.c,$(BUILD)/checks/%,$(wildcard checks/unit/test-*.c))
HELPERS    := $(patsubst checks/helpers/%.c,$(BUILD)/helpers/%,$(wildcard checks/helpers/*.c))

.PHONY: all deps install uninstall check check-unit check-integration check-boot demo bench analyze clean help

all: $(BIN) $(CTL) $(HELPERS)

help:
	@echo "make [all]        build $(BIN) and $(CTL)"
	@echo "make demo         (root) install what is missing, boot the built-in example"
	@echo "make check        (root) install what is missing, run every test"
	@echo "make bench        (root) benchmarks against systemd-nspawn and bubblewrap"
	@echo "make install      install to \$$DESTDIR\$$PREFIX"
	@echo "make SANITIZE=1   build with ASan+UBSan; make analyze: gcc -fanalyzer"

deps:
	@sh checks/deps.sh

$(BUILD)/%.o: %.c $(wildcard common/*.h spawn/*.h netconf/*.h ctl/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(SECCOMP_GEN): spawn/gen/seccomp-gen.c spawn/seccomp-build.c spawn/caps.c $(wildcard common/*.h spawn/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ spawn/gen/seccomp-gen.c spawn/seccomp-build.c spawn/caps.c $(LIBS)

$(SECCOMP_DEFAULT): $(SECCOMP_GEN)
	$(SECCOMP_GEN) > $@.tmp && mv $@.tmp $@

$(BUILD)/spawn/seccomp.o: $(SECCOMP_DEFAULT)

$(BIN): $(OBJ)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(SHARED_LIB): $(filter-out $(BUILD)/spawn/main.o,$(OBJ))
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/ctl/verbs.o: ALL_CFLAGS += -DGUEST_MODULE='"$(DATADIR)/nixos-nspawn/container.nix"'

$(CTL): $(CTL_OBJ) $(SHARED_LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CTL_OBJ) $(SHARED_LIB) $(LIBS)

# Unit tests link the .c files they test directly.
$(BUILD)/checks/test-%: checks/unit/test-%.c checks/unit/tap.h $(COMMON_SRC) $(NETCONF_SRC) $(SPAWN_SRC) $(SECCOMP_DEFAULT)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -iquote checks/unit $(ALL_LDFLAGS) -o $@ $< $(COMMON_SRC) $(NETCONF_SRC) $(SPAWN_SRC) $(LIBS)

# Helpers run inside containers: static, no sanitizers.
$(BUILD)/helpers/%: checks/helpers/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu17 $(WARNINGS) -O2 -D_GNU_SOURCE -static -o $@ $<

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

check: deps all $(UNIT_TESTS)
	@sh checks/run.sh

check-unit: all $(UNIT_TESTS)
	@sh checks/run.sh unit

demo: deps all
	@bash checks/demo.sh

bench: deps all
	@bash checks/bench/run.sh
	@bash checks/bench/ctl.sh

# Advisory: GCC 12's analyzer reports a leak in split() that is not one (it loses track of pointers stored in
# an array that is freed as a whole), so its findings are printed, not fatal.
analyze:
	rm -rf build-analyze
	$(MAKE) BUILD=build-analyze CFLAGS="-O1 -g -fanalyzer -Wno-error" all 2>&1 | grep -A3 'warning:' || true

clean:
	rm -rf build build-sanitize build-analyze
