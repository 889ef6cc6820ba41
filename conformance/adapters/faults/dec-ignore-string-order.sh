#!/bin/sh
# PLANTED FAULT (for conformance.faults): a decoder that ignores string order, i.e. lets an
# EvStack use strings defined later (or never). Built on stacktab: when strict mode rejects
# with STACK-STRING-UNDEFINED, answer with go mode's reading.
here=$(dirname "$0")
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT
cat >"$tmp"
out=$("$here/../stacktab-decode.sh" "$@" <"$tmp"); rc=$?
case $out in
  "reject STACK-STRING-UNDEFINED "*) STACKTAB_MODE=go exec "$here/../stacktab-decode.sh" "$@" <"$tmp" ;;
esac
printf '%s\n' "$out"
exit $rc
