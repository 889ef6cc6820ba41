#!/bin/sh
# Encoder adapter for stacktab (protocol: conformance/README.md): the description on stdin,
# the trace bytes on stdout; exit 0, or 1 when the description cannot be encoded.
# Which stacktab: $STACKTAB; else build/stacktab of the checkout this adapter is in; else,
# installed under PREFIX/share/stacktab/conformance/adapters/, PREFIX/bin/stacktab; else the
# stacktab on PATH.
here=$(dirname "$0")
if [ -n "${STACKTAB:-}" ]; then st=$STACKTAB
elif [ -x "$here/../../build/stacktab" ]; then st=$here/../../build/stacktab
elif [ -x "$here/../../../../bin/stacktab" ]; then st=$here/../../../../bin/stacktab
else st=stacktab
fi
exec "$st" encode "$@" -
