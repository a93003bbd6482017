#!/bin/bash
# The README's two commands on a machine that lacks the build packages: `make demo` and `make check` must install
# them (checks/deps.sh) and then build with them. The -dev packages are made to look missing until deps.sh installs
# them: dpkg-query says they are not installed, pkg-config sees no .pc file (an empty PKG_CONFIG_LIBDIR), and
# apt-get install "installs" them by creating a marker file, after which both see the real ones again. So a value
# the Makefile computes with pkg-config before deps.sh has run is empty, as on a fresh Debian 12.
# Each build goes to its own directory under $T, from the working tree as it is; the demo and the tests themselves
# are replaced by `:` (DEMO=:, RUN=:): what is tested is everything these commands do before them.
. "$(dirname "$0")/../integration/lib.sh"
[ "$(id -u)" = 0 ] || skip_rest "needs root (checks/deps.sh installs only as root)"
command -v pkg-config >/dev/null && command -v dpkg-query >/dev/null ||
	skip_rest "needs pkg-config and dpkg-query to stand in for (make deps installs them)"

# A make run by this test is a new command, not part of the make that runs the tests.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
real_pkgconfig=$(command -v pkg-config) real_dpkgquery=$(command -v dpkg-query)
hidden=" pkg-config libsystemd-dev libmount-dev libseccomp-dev "
mkdir -p "$T/bin" "$T/no-pc"

cat >"$T/bin/pkg-config" <<EOS
#!/bin/sh
if [ ! -e "\$FRESH/installed" ]; then
	echo "pkg-config \$*" >>"\$FRESH/early"
	export PKG_CONFIG_LIBDIR="$T/no-pc" PKG_CONFIG_PATH=
fi
exec "$real_pkgconfig" "\$@"
EOS
cat >"$T/bin/dpkg-query" <<EOS
#!/bin/sh
# (deps.sh asks: dpkg-query -W -f=FORMAT NAME)
if [ ! -e "\$FRESH/installed" ]; then
	for a; do case "$hidden" in *" \$a "*) exit 1 ;; esac; done
fi
exec "$real_dpkgquery" "\$@"
EOS
cat >"$T/bin/apt-get" <<'EOS'
#!/bin/sh
echo "apt-get $*" >>"$FRESH/apt"
case " $* " in *" install "*) touch "$FRESH/installed" ;; esac
exit 0
EOS
chmod +x "$T"/bin/*

# fresh NAME MAKE-ARGS...: a make in $TOP as on a fresh machine; its state (marker, logs, build) in $T/NAME
fresh() {
	local d=$T/$1; shift
	mkdir -p "$d"
	FRESH=$d PATH="$T/bin:$PATH" make -C "$TOP" --no-print-directory BUILD="$d/build" FUZZ_BUILD="$d/fuzz" "$@" \
		>"$d/log" 2>&1
}
# links NAME FILE LIB: the program FILE of build NAME names LIB as a needed library and runs
links() {
	readelf -d "$T/$1/build/$2" | grep -q "NEEDED.*\[$3" || { echo "$2 does not link $3:"; readelf -d "$T/$1/build/$2"; return 1; }
}
# said NAME: the end of its log, and what asked pkg-config before deps.sh had run
said() { tail -n 15 "$T/$1/log"; [ -e "$T/$1/early" ] && { echo "pkg-config before deps.sh:"; cat "$T/$1/early"; }; true; }

fresh demo demo DEMO=:
_report $? "make demo on a machine without the -dev packages installs them and builds" "$(said demo)"
assert_match "deps.sh asked apt-get for them" "$(cat "$T/demo/apt" 2>/dev/null)" "install .*libseccomp-dev"
ok "the launcher links libseccomp" links demo nixos-nspawn libseccomp
ok "the launcher runs" "$T/demo/build/nixos-nspawn" --version
ok "nixos-nspawnctl links libsystemd" links demo nixos-nspawnctl libsystemd

# make check builds in parallel too (-j2): nothing may compile before the packages are in
fresh check -j2 check RUN=:
_report $? "make -j2 check on a machine without the -dev packages installs them and builds" "$(said check)"
ok "its launcher links libseccomp" links check nixos-nspawn libseccomp
ok "its unit tests are built" test -x "$T/check/build/checks/test-seccomp"
if command -v "${FUZZ_CC:-clang}" >/dev/null; then
	ok "its fuzzers are built" test -x "$T/check/fuzz/fuzz-ini"
else
	skip "its fuzzers are built" "no ${FUZZ_CC:-clang}"
fi

# Without deps.sh, a build on such a machine stops and says what to do (not a link error many lines later).
fresh nodeps all
rc=$?
[ "$rc" != 0 ]; _report $? "make all without the packages fails"
assert_match "and says to run make deps" "$(cat "$T/nodeps/log")" "pkg-config --cflags libsystemd mount libseccomp failed: .*'make deps'"
