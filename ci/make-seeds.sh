#!/bin/sh
# Regenerates the fuzz seed corpora corpus/<harness>/ (decode split varint roundtrip
# differential roundtrip_v2) from conformance/cases/ and corpus/own/ (fuzz/make_seeds.py), then keeps only
# the seeds that add coverage (libFuzzer -merge=1) when the libFuzzer targets are built
# (build-fuzz/, `cmake --preset fuzz`); with --no-minimize, or without clang, all are kept.
#
# usage: ci/make-seeds.sh [--no-minimize]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
minimize=1
for a in "$@"; do
  case $a in
    --no-minimize) minimize=0 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "make-seeds: unknown option $a" >&2; exit 2 ;;
  esac
done

cmake --preset default >/dev/null
cmake --build --preset default -j2 --target stacktab >/dev/null
if [ $minimize = 1 ] && command -v clang >/dev/null 2>&1; then
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j2 >/dev/null
else
  minimize=0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 fuzz/make_seeds.py --stacktab build/stacktab --out "$tmp/all"

for h in decode split varint roundtrip differential roundtrip_v2; do
  dst=corpus/$h
  mkdir -p "$dst"
  rm -f "$dst"/*
  if [ $minimize = 1 ] && [ -x build-fuzz/fuzz/fuzz_$h ]; then
    mkdir -p "$tmp/merged-$h"
    build-fuzz/fuzz/fuzz_$h -merge=1 -max_len=1048576 "$tmp/merged-$h" "$tmp/all/$h" \
      >"$tmp/merge-$h.log" 2>&1 || { cat "$tmp/merge-$h.log" >&2; exit 1; }
    # -merge names files by content hash; keep the descriptive names of the seeds it chose.
    (cd "$tmp/merged-$h" && ls) | sort >"$tmp/keep-$h"
    for f in "$tmp/all/$h"/*; do
      sum=$(sha1sum "$f" | cut -d' ' -f1)
      if grep -qx "$sum" "$tmp/keep-$h"; then cp "$f" "$dst/"; fi
    done
  else
    cp "$tmp/all/$h"/* "$dst/"
  fi
  echo "corpus/$h: $(ls "$dst" | wc -l) seeds, $(du -sk "$dst" | cut -f1) KiB"
done
