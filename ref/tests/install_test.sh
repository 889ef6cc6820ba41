#!/bin/sh
# ctest install.consumer (label install): installs the build into a temporary prefix and uses
# it from outside the source tree, as a user would:
#  1. the installed files are where the issue says (bin, include/stacktab, lib, pkgconfig,
#     cmake package, man page, share/stacktab/conformance);
#  2. libstacktab.so has SONAME libstacktab.so.MAJOR and exports only st_* symbols (nm -D),
#     exactly one per ST_API declaration, and every public function is declared with ST_API;
#  3. ref/tests/consumer/consumer.c is built three ways -- pkg-config (shared), pkg-config
#     --static (a static executable), CMake find_package(stacktab 0.2) (stacktab::stacktab and
#     stacktab::stacktab_static), and also through add_subdirectory -- and each prints the event count of a real trace, which
#     must equal what the installed `stacktab stats` says;
#  4. the installed conformance runner passes the whole suite against the installed stacktab
#     through its installed adapters, with only python3.
# Skips (exit 77) without pkg-config, and in sanitizer/coverage builds (their libraries need
# the instrumentation runtime in every consumer).
#
# usage: install_test.sh SOURCE_DIR BUILD_DIR CC CMAKE [instrumented]
set -u
src=$1 bld=$2 cc=$3 cmake=$4 instrumented=${5:-}
if [ -n "$instrumented" ] && [ "$instrumented" != 0 ] && [ "$instrumented" != OFF ]; then
  echo "SKIP: sanitizer/coverage build: consumers would need the instrumentation runtime"
  exit 77
fi
if ! command -v pkg-config >/dev/null 2>&1; then
  echo "SKIP: pkg-config is not installed (Debian: apt-get install pkg-config)"
  exit 77
fi
for tool in readelf nm python3; do
  command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done

trace=$src/corpus/own/go1.19-own-small.trace
tmp=$(mktemp -d "${TMPDIR:-/tmp}/st-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
prefix=$tmp/prefix
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

# The consumer is copied out of the source tree: nothing can come from the checkout.
mkdir -p "$tmp/consumer"
cp "$src/ref/tests/consumer/consumer.c" "$src/ref/tests/consumer/CMakeLists.txt" "$tmp/consumer/"
cd "$tmp" || exit 1

"$cmake" --install "$bld" --prefix "$prefix" >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log"; echo "FAIL: cmake --install"; exit 1; }

# --- 1. the layout ---
libdir=$(PKG_CONFIG_PATH=$(echo "$prefix"/lib*/pkgconfig "$prefix"/lib/*/pkgconfig | tr ' ' ':') \
         pkg-config --variable=libdir stacktab 2>/dev/null)
[ -n "$libdir" ] || { fail "stacktab.pc not found under $prefix/lib*"; exit 1; }
export PKG_CONFIG_PATH="$libdir/pkgconfig"
conf=$prefix/share/stacktab/conformance
for f in "$prefix/bin/stacktab" "$prefix/include/stacktab/st_decode.h" \
         "$prefix/include/stacktab/st_export.h" "$prefix/include/stacktab/st_version.h" \
         "$libdir/libstacktab.a" "$libdir/libstacktab.so" "$libdir/cmake/stacktab/stacktabConfig.cmake" \
         "$libdir/cmake/stacktab/stacktabConfigVersion.cmake" "$libdir/cmake/stacktab/stacktabTargets.cmake" \
         "$prefix/share/man/man1/stacktab.1" "$conf/run" "$conf/manifest.json" "$conf/RULES.md" \
         "$conf/README.md" "$conf/adapters/stacktab-decode.sh" "$conf/adapters/stacktab-encode.sh" \
         "$conf/xfail/stacktab.txt"; do
  [ -e "$f" ] || fail "not installed: ${f#$prefix/}"
done
ncases=$(ls "$conf/cases" | wc -l)
[ "$ncases" -gt 0 ] || fail "no conformance cases installed"
ok "layout ($ncases conformance case files)"
version=$("$prefix/bin/stacktab" --version) || fail "installed stacktab --version"
major=$(echo "$version" | sed 's/^stacktab \([0-9]*\)\..*/\1/')

# --- 2. the shared library's ABI surface ---
so=$libdir/libstacktab.so
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = "libstacktab.so.$major" ] && [ -e "$libdir/$soname" ]; then
  ok "SONAME $soname"
else
  fail "SONAME is '$soname', expected libstacktab.so.$major (installed beside it)"
fi
fails0=$fails
nm -D --defined-only "$so" | awk 'NF >= 3 {print $NF}' | sort >"$tmp/exported"
nexp=$(wc -l <"$tmp/exported")
grep -v '^st_' "$tmp/exported" >"$tmp/foreign"
if [ -s "$tmp/foreign" ]; then
  fail "exported symbols outside st_*: $(tr '\n' ' ' <"$tmp/foreign")"
fi
# One exported symbol per ST_API declaration, and no public function declared without it.
napi=$(cat "$prefix"/include/stacktab/*.h | grep -cE '^(extern )?ST_API ')
[ "$nexp" -eq "$napi" ] || fail "$nexp exported symbols, $napi ST_API declarations"
grep -nE '^[a-z][a-z0-9_ ]*[ *]st_[a-z0-9_]+\(' "$prefix"/include/stacktab/*.h \
  | grep -v 'ST_API' | grep -v 'typedef' >"$tmp/noapi"
[ -s "$tmp/noapi" ] && fail "public functions without ST_API: $(cat "$tmp/noapi")"
[ "$nexp" -gt 0 ] && [ "$fails" -eq "$fails0" ] && ok "nm -D: $nexp exported symbols, all st_*, one per ST_API declaration"

# --- 3. the consumer, three ways ---
want=$("$prefix/bin/stacktab" stats "$trace" | awk '$1 == "events" {print $2}')
[ -n "$want" ] && [ "$want" -gt 0 ] || { fail "stacktab stats gave no event count"; want=-1; }
check_count() { # NAME BINARY [env...]
  name=$1 bin=$2
  shift 2
  got=$(env "$@" "$bin" "$trace") || { fail "$name: consumer exited $?"; return; }
  if [ "$got" = "$want" ]; then ok "$name: $got events, as stacktab stats"
  else fail "$name: $got events, stacktab stats says $want"; fi
}

# a) pkg-config, shared.
# shellcheck disable=SC2046
if "$cc" -o c_shared consumer/consumer.c $(pkg-config --cflags stacktab) $(pkg-config --libs stacktab) \
     2>"$tmp/cc.log"; then
  readelf -d c_shared | grep -q "NEEDED.*\[libstacktab.so.$major\]" \
    || fail "pkg-config shared: the program does not need libstacktab.so.$major"
  check_count "pkg-config shared" ./c_shared LD_LIBRARY_PATH="$libdir"
else
  cat "$tmp/cc.log"; fail "pkg-config shared: build"
fi
# b) pkg-config --static: a fully static program (Libs.private must be complete).
# shellcheck disable=SC2046
if "$cc" -static -o c_static consumer/consumer.c $(pkg-config --static --cflags stacktab) \
     $(pkg-config --static --libs stacktab) 2>"$tmp/cc.log"; then
  readelf -d c_static 2>/dev/null | grep -q 'NEEDED' && fail "pkg-config static: has NEEDED entries"
  check_count "pkg-config static" ./c_static
else
  cat "$tmp/cc.log"; fail "pkg-config static: build"
fi
# c) CMake find_package(stacktab 0.2): stacktab::stacktab (shared) and ::stacktab_static.
if "$cmake" -S consumer -B cbuild -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
     -DCMAKE_BUILD_TYPE=Release >"$tmp/cmake.log" 2>&1 \
   && "$cmake" --build cbuild -j2 >>"$tmp/cmake.log" 2>&1; then
  readelf -d cbuild/consumer | grep -q "NEEDED.*\[libstacktab.so.$major\]" \
    || fail "find_package: stacktab::stacktab is not the shared library"
  readelf -d cbuild/consumer_static | grep -q 'NEEDED.*libstacktab' \
    && fail "find_package: stacktab::stacktab_static links the shared library"
  check_count "find_package stacktab::stacktab" ./cbuild/consumer
  check_count "find_package stacktab::stacktab_static" ./cbuild/consumer_static
else
  cat "$tmp/cmake.log"; fail "find_package consumer: configure/build"
fi
# d) The same CMakeLists through add_subdirectory (as FetchContent does): the same target
#    names; as a subproject stacktab builds no tests (so needs no cmocka) and is static.
if "$cmake" -S consumer -B sbuild -DCMAKE_C_COMPILER="$cc" -DSTACKTAB_SOURCE_DIR="$src" \
     -DCMAKE_BUILD_TYPE=Release >"$tmp/sub.log" 2>&1 \
   && "$cmake" --build sbuild -j2 >>"$tmp/sub.log" 2>&1; then
  "$cmake" --build sbuild --target help | grep -q 'test_cli' \
    && fail "add_subdirectory: the tests are built for a subproject"
  readelf -d sbuild/consumer | grep -q 'NEEDED.*libstacktab' \
    && fail "add_subdirectory: stacktab::stacktab is not static (BUILD_SHARED_LIBS unset)"
  check_count "add_subdirectory stacktab::stacktab" ./sbuild/consumer
else
  cat "$tmp/sub.log"; fail "add_subdirectory consumer: configure/build"
fi
# The version file: 0.2 is accepted above; a later minor release must not be.
mkdir -p toonew
cat >toonew/CMakeLists.txt <<'EOT'
cmake_minimum_required(VERSION 3.25)
project(toonew LANGUAGES NONE)
find_package(stacktab 0.3 REQUIRED)
EOT
if "$cmake" -S toonew -B toonew/b -DCMAKE_PREFIX_PATH="$prefix" >/dev/null 2>&1; then
  fail "find_package(stacktab 0.3) accepted $version"
else
  ok "find_package(stacktab 0.3) refused ($version)"
fi

# --- 4. the installed conformance suite against the installed stacktab ---
# No STACKTAB, no build folder on PATH: the adapters must find PREFIX/bin/stacktab.
envc="env -u STACKTAB PATH=/usr/bin:/bin"
if $envc python3 "$conf/run" --decoder "$conf/adapters/stacktab-decode.sh" \
     --caps output,rules,offsets,warnings --either reject --xfail "$conf/xfail/stacktab.txt" \
     --quiet --name "installed stacktab" --report "$tmp/report.json" >"$tmp/conf.log" 2>&1; then
  ok "installed conformance runner: decoder suite passes ($(tail -n 1 "$tmp/conf.log"))"
else
  cat "$tmp/conf.log"; fail "installed conformance runner: decoder suite"
fi
if $envc python3 "$conf/run" --encoder "$conf/adapters/stacktab-encode.sh" --quiet \
     >"$tmp/conf-enc.log" 2>&1; then
  ok "installed conformance runner: encoder suite passes"
else
  cat "$tmp/conf-enc.log"; fail "installed conformance runner: encoder suite"
fi
# The runner really ran the installed stacktab: without it the adapters cannot work.
mv "$prefix/bin/stacktab" "$prefix/bin/stacktab.off"
if $envc python3 "$conf/run" --decoder "$conf/adapters/stacktab-decode.sh" --quiet \
     --only 'y_*' >/dev/null 2>&1; then
  fail "the installed runner passed with no installed stacktab: it used something else"
fi
mv "$prefix/bin/stacktab.off" "$prefix/bin/stacktab"

if [ "$fails" -ne 0 ]; then
  echo "install test: $fails failure(s)"
  exit 1
fi
echo "install test: PASS"
