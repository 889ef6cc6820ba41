#!/bin/sh
# Mutation check: plants known bugs in a copy of the tree and shows that the fuzz harnesses
# catch each one within a bound (default 120 s per mutant). Prints: mutant, caught by, seconds.
# Never touches the working tree. Needs clang (libFuzzer). Details: ci/mutants.py.
#
# usage: ci/mutants.sh [--seconds=N] [--only=NAME,...] [--keep] [--fuzz-all]
exec python3 "$(dirname "$0")/mutants.py" "$@"
