#!/bin/sh
# PLANTED FAULT (for conformance.faults): a decoder that accepts overflowing varints, i.e. keeps
# the low 64 bits of a 10-byte varint whose 10th byte is above 1, as Go 1.19 does. Built on
# stacktab: when strict mode rejects with VARINT-OVERFLOW, answer with go mode's reading.
here=$(dirname "$0")
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
out=$("$here/../stacktab-decode.sh" "$@" <"$tmp"); rc=$?
case $out in
  "reject VARINT-OVERFLOW "*) STACKTAB_MODE=go exec "$here/../stacktab-decode.sh" "$@" <"$tmp" ;;
esac
printf '%s\n' "$out"
exit $rc
