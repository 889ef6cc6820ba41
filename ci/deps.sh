#!/usr/bin/env bash
# Installs the Debian packages stacktab's build, tests, fuzzing, coverage and benchmarks use.
# Idempotent: does nothing when everything is already installed. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake git python3 time zip unzip    # build, scripts, /usr/bin/time, seed zips
  pkg-config                                         # install test: consumers via stacktab.pc
  libcmocka-dev                                      # unit tests
  clang libclang-rt-14-dev afl++                     # clang builds, sanitizers, fuzzers
  clang-tidy cppcheck valgrind lcov                  # lint, memcheck, coverage
  golang-1.19                                        # Go 1.19: real traces, go tool trace -d
  hyperfine                                          # whole-command timing
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${#missing[@]} packages"
