#!/bin/sh
# Encoder adapter for stacktab (protocol: conformance/README.md): the description on stdin,
# the trace bytes on stdout; exit 0, or 1 when the description cannot be encoded.
here=$(dirname "$0")
exec "${STACKTAB:-$here/../../build/stacktab}" encode "$@" -
