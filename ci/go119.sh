# Sourced (POSIX sh) by every script that runs Debian's Go 1.19: the ctest Go checks, the
# corpus and benchmark trace generators, and ci/go-trace-events.sh.
#
# st_find_go119: prints the path of a Go 1.19 `go`, trying $GO, then
#   /usr/lib/go-1.19/bin/go, then `go` on PATH; returns 1 when none is Go 1.19.
# st_go_private_env DIR MODULES: points Go's build cache, GOPATH and (when unset) HOME into
#   DIR, so that Go runs as any user on a fresh machine and leaves nothing behind. MODULES
#   is "on" for programs with a go.mod (built with -mod=mod, no network needed) or "off"
#   for single files.

st_find_go119() {
  for g in "${GO:-}" /usr/lib/go-1.19/bin/go "$(command -v go 2>/dev/null)"; do
    if [ -z "$g" ] || [ ! -x "$g" ]; then continue; fi
    case "$("$g" version 2>/dev/null)" in
      "go version go1.19"*) echo "$g"; return 0 ;;
    esac
  done
  return 1
}

st_go_private_env() {
  export GOCACHE="$1/cache" GOPATH="$1/gopath"
  if [ "$2" = on ]; then
    export GOFLAGS=-mod=mod GO111MODULE=on
  else
    export GOFLAGS="" GO111MODULE=off
  fi
  [ -n "${HOME:-}" ] || export HOME="$1"
}
