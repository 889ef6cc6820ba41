#!/usr/bin/env bash
# Quick start 2: installs what is needed, builds (Release, build/) and runs the whole test
# suite: unit tests, conformance cases, Go 1.19 cross-checks, fuzz corpus replay.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)"
ctest --preset default -j"$(nproc)" "$@"
