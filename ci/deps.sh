#!/usr/bin/env bash
# Installs the Debian packages stacktab's build, tests, fuzzing, coverage and benchmarks use.
# Idempotent: does nothing when everything is already installed. Needs root (or sudo).
# Go 1.21, 1.22 and 1.23 come from Debian's bookworm-backports suite, which this script enables
# by adding it to the Suites of the existing Debian source entry (no host name is written).
set -euo pipefail

packages=(
  build-essential cmake git python3 time zip unzip    # build, scripts, /usr/bin/time, seed zips
  pkg-config                                         # install test: consumers via stacktab.pc
  libcmocka-dev                                      # unit tests
  clang libclang-rt-14-dev afl++                     # clang builds, sanitizers, fuzzers
  clang-tidy cppcheck valgrind lcov                  # lint, memcheck, coverage
  golang-1.19                                        # Go 1.19: real v1 traces, go tool trace -d
  hyperfine                                          # whole-command timing
)
# From bookworm-backports: Go 1.21 (the direct v1 dump), Go 1.22 and 1.23 (v2 runtimes and readers).
backports=(golang-1.21 golang-1.22 golang-1.23)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=() missing_bp=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
for p in "${backports[@]}"; do installed "$p" || missing_bp+=("$p"); done
if [ ${#missing[@]} -eq 0 ] && [ ${#missing_bp[@]} -eq 0 ]; then
  echo "deps: all $((${#packages[@]} + ${#backports[@]})) packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Enable bookworm-backports on the Debian entry that already lists bookworm (deb822 form).
src=/etc/apt/sources.list.d/debian.sources
if [ ${#missing_bp[@]} -gt 0 ] && [ -f "$src" ] && ! grep -q 'bookworm-backports' "$src"; then
  echo "deps: enabling bookworm-backports in $src"
  $sudo sed -i -E '/^Suites:(.*[[:space:]])?bookworm([[:space:]]|$)/ s/$/ bookworm-backports/' "$src"
fi

$sudo apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ${#missing_bp[@]} -gt 0 ]; then
  echo "deps: installing from bookworm-backports: ${missing_bp[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -t bookworm-backports "${missing_bp[@]}" >/dev/null
fi
echo "deps: installed $((${#missing[@]} + ${#missing_bp[@]})) packages"
