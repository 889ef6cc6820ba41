#!/usr/bin/env bash
# Quick start 1, the main job: installs what is needed, builds stacktab, and runs the
# conformance suite against stacktab's own decoder and encoder, printing the per-rule tables.
# Reports go to build/conformance-decode.json and build/conformance-encode.json.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target stacktab >/dev/null
export STACKTAB="$PWD/build/stacktab"
conformance/run --decoder conformance/adapters/stacktab-decode.sh \
  --caps output,rules,offsets,warnings --either reject \
  --xfail conformance/xfail/stacktab.txt --report build/conformance-decode.json
conformance/run --encoder conformance/adapters/stacktab-encode.sh \
  --report build/conformance-encode.json
