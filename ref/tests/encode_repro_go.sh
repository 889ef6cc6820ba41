#!/bin/sh
# ctest encode.repro-go119-flushes: Go 1.19 writes a trace whose stack-table dump flushes several
# times (data/deepstacks: ~4100 distinct stacks, ~420 KB of EvStacks), and test_encode_repro must
# reproduce that whole dump region byte for byte with the legacy algorithm, flush points
# included. The shared real corpus has no dump longer than one batch, so this is the check of
# the flush points against the runtime itself. Skips (77) when Go 1.19 is not installed.
# usage: encode_repro_go.sh TEST_ENCODE_REPRO DEEPSTACKS_DIR
set -u
repro=$1
src=$2
. "$(dirname "$0")/../../ci/go119.sh"
if ! go=$(st_find_go119); then
  echo "SKIP: Go 1.19 not found (set GO=/path/to/go1.19/bin/go)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/encode-repro.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
st_go_private_env "$tmp" off
"$go" build -o "$tmp/deepstacks" "$src/main.go" || exit 1
"$tmp/deepstacks" "$tmp/deep.trace" || exit 1
out=$("$repro" "$tmp/deep.trace") ; rc=$?
echo "$out"
# The dump must have flushed: more than one batch in the region.
echo "$out" | grep -q 'legacy, [0-9]* stacks, [0-9]* strings seeded, [2-9][0-9]* batches' ||
  { echo "FAIL: the Go 1.19 dump did not span several batches"; exit 1; }
exit $rc
