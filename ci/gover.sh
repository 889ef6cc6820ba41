# Sourced (POSIX sh) by every script that runs one of Debian's Go toolchains
# (1.19 for v1 traces; 1.22 and 1.23 for v2 traces and their readers).
#
# st_find_go VERSION [CANDIDATE...]: prints the path of a `go` whose version is
#   VERSION (e.g. 1.22: go1.22, go1.22.N), trying the CANDIDATEs, then the
#   override $GO<digits> (GO122 for 1.22), then /usr/lib/go-VERSION/bin/go, then
#   `go` on PATH; returns 1 when none is that version.
# st_go_private_env DIR MODULES: points Go's build cache, GOPATH and (when unset)
#   HOME into DIR, so that Go runs as any user on a fresh machine and leaves
#   nothing behind; never downloads (GOPROXY=off) or switches toolchains
#   (GOTOOLCHAIN=local: a go.mod asking for a newer Go must fail, not fetch one).
#   MODULES is "on" for programs with a go.mod (built with -mod=mod, no network
#   needed) or "off" for single files.

st_find_go() {
  _st_ver=$1; shift
  _st_var=GO$(echo "$_st_ver" | tr -d .)
  _st_override=$(eval "echo \"\${$_st_var:-}\"")
  for g in "$@" "$_st_override" "/usr/lib/go-$_st_ver/bin/go" "$(command -v go 2>/dev/null)"; do
    if [ -z "$g" ] || [ ! -x "$g" ]; then continue; fi
    case "$("$g" version 2>/dev/null)" in
      "go version go$_st_ver "* | "go version go$_st_ver."*) echo "$g"; return 0 ;;
    esac
  done
  return 1
}

st_go_private_env() {
  export GOCACHE="$1/cache" GOPATH="$1/gopath" GOTOOLCHAIN=local GOPROXY=off
  if [ "$2" = on ]; then
    export GOFLAGS=-mod=mod GO111MODULE=on
  else
    export GOFLAGS="" GO111MODULE=off
  fi
  [ -n "${HOME:-}" ] || export HOME="$1"
}
