# Sourced (POSIX sh) by every script that runs Debian's Go 1.19: the ctest Go checks, the
# corpus and benchmark trace generators, and ci/go-trace-events.sh. The general functions
# are in ci/gover.sh; this file keeps the Go 1.19 entry point its callers use.
#
# st_find_go119: prints the path of a Go 1.19 `go`, trying $GO, then $GO119, then
#   /usr/lib/go-1.19/bin/go, then `go` on PATH; returns 1 when none is Go 1.19.
# st_go_private_env DIR MODULES: see ci/gover.sh.

# Callers source this file by a path relative to themselves; $0 is theirs, so
# find gover.sh the same way they found this file: next to it, via ST_CI_DIR
# when set, else in ci/ next to the caller.
for _st_d in "${ST_CI_DIR:-}" "$(dirname "$0")" "$(dirname "$0")/../ci" "$(dirname "$0")/../../ci"; do
  if [ -n "$_st_d" ] && [ -r "$_st_d/gover.sh" ]; then . "$_st_d/gover.sh"; break; fi
done
command -v st_find_go >/dev/null 2>&1 ||
  echo "go119.sh: ci/gover.sh not found (set ST_CI_DIR to the ci/ folder)" >&2

st_find_go119() {
  st_find_go 1.19 "${GO:-}"
}
