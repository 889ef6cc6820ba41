#!/bin/bash -eu
# Builds every fuzz harness of stacktab the way OSS-Fuzz / ClusterFuzzLite do (also used by
# ci/fuzz.sh for the AFL++ build). Honours the service's variables:
#   CC CXX CFLAGS CXXFLAGS  compilers and flags (sanitizer and coverage flags included)
#   LIB_FUZZING_ENGINE      the engine to link (-fsanitize=fuzzer, libAFLDriver.a, ...)
#   OUT                     where the targets, <target>_seed_corpus.zip and <target>.dict go
#   SRC / WORK              optional: the checkout is found from this script's own path;
#                           WORK holds objects (default: a temporary folder)
# Targets: fuzz_decode fuzz_split fuzz_varint fuzz_roundtrip fuzz_differential
# fuzz_roundtrip_v2.
: "${CC:=clang}"
: "${CXX:=clang++}"
: "${CFLAGS:=}"
: "${CXXFLAGS:=}"
: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE (e.g. -fsanitize=fuzzer)}"
: "${OUT:?set OUT (the output folder)}"

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${WORK:-}
own_work=0
if [ -z "$work" ]; then
  work=$(mktemp -d)
  own_work=1
fi
obj=$work/stacktab-objs
rm -rf "$obj"
mkdir -p "$obj" "$OUT"

# shellcheck disable=SC2086  # CFLAGS and LIB_FUZZING_ENGINE are word lists by convention
cc() { $CC $CFLAGS -std=c11 -I"$root/ref/include" -I"$root/fuzz" "$@"; }

libobjs=()
for src in "$root"/ref/lib/*.c; do
  o=$obj/lib_$(basename "$src" .c).o
  cc -c "$src" -o "$o"
  libobjs+=("$o")
done
cc -c "$root/fuzz/fuzz_util.c" -o "$obj/fuzz_util.o"
cc -c "$root/fuzz/fuzz_table.c" -o "$obj/fuzz_table.o"

for h in decode split varint roundtrip differential roundtrip_v2; do
  [ -f "$root/fuzz/fuzz_$h.c" ] || continue
  cc -c "$root/fuzz/fuzz_$h.c" -o "$obj/fuzz_$h.o"
  # The engine is C++ (libFuzzer, the AFL++ driver): link with the C++ compiler.
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$obj/fuzz_$h.o" "$obj/fuzz_util.o" "$obj/fuzz_table.o" "${libobjs[@]}" \
    $LIB_FUZZING_ENGINE -o "$OUT/fuzz_$h"
  if [ -d "$root/corpus/$h" ]; then
    rm -f "$OUT/fuzz_${h}_seed_corpus.zip"
    (cd "$root/corpus/$h" && zip -q -j "$OUT/fuzz_${h}_seed_corpus.zip" ./*)
  fi
  [ -f "$root/fuzz/$h.dict" ] && cp "$root/fuzz/$h.dict" "$OUT/fuzz_$h.dict"
  # A little less memory than the 2560 MB default is plenty; -max_len covers the seeds.
  printf '[libfuzzer]\nmax_len = 65536\n' >"$OUT/fuzz_$h.options"
done
if [ $own_work = 1 ]; then rm -rf "$work"; fi
