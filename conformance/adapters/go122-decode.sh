#!/bin/sh
# Decoder adapter for Go 1.22's v2 reader (`go tool trace -d=1` of Go 1.22); see go123-decode.sh.
# Meant for the 1.22 v2 cases: conformance/run --decoder conformance/adapters/go122-decode.sh
#   --caps accept-reject --version 1.22 --xfail conformance/xfail/go122.txt
GO_TRACE_VERSION=1.22 exec "$(dirname "$0")/go123-decode.sh" "$@"
