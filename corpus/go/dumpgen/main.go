// Command dumpgen writes a Go execution trace whose stack-table dump is large:
// in a v1 trace (Go 1.19–1.21) the dump region at the end spans many EvBatch
// buffers (64488 bytes each), in a v2 trace (Go 1.22+) the Stacks and Strings
// sections span many batches. It exists so that stacktab's writer can be
// checked against the real runtime's flush points, back-patched lengths and
// string interleaving (ctest gocheck.runtime-repro,
// corpus/go/make-runtime-traces.sh). Each mode stresses one dimension:
//
//   - deep:  N distinct stacks whose recursion is 100..150 frames deep, so
//     that most are cut at the runtime's 128-PC capture limit; they differ in
//     their 10 innermost frames (two functions chosen by the bits of k).
//     EvStacks of ~1 KB each.
//   - paths: N distinct call paths (default 4096) through 8 small functions,
//     depth 1..4: thousands of short EvStacks.
//   - names: N distinct call paths through 48 methods (and a closure in each)
//     of two types whose names are ~980 and ~1100 bytes long, so 96 function
//     names of about 1 KB go through the string table (those of the second
//     type are longer than 1024 bytes and the runtime keeps their last 1024).
//
// Every path ends in runtime.Gosched (deep, paths) or trace.Log (names): an
// event that carries the whole stack. Usage: dumpgen -o FILE -mode MODE [-n N]
// The program builds with Go 1.19 and later (go.mod says go 1.19).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
)

func main() {
	out := flag.String("o", "", "trace output file (required)")
	mode := flag.String("mode", "", "deep, paths or names")
	n := flag.Int("n", 0, "number of distinct stacks (0: the mode's default)")
	flag.Parse()
	if *out == "" || *n < 0 {
		flag.Usage()
		os.Exit(2)
	}
	var run func(int)
	def := 0
	switch *mode {
	case "deep":
		run, def = deepMode, 600
	case "paths":
		run, def = pathsMode, 4096
	case "names":
		run, def = namesMode, 3000
	default:
		flag.Usage()
		os.Exit(2)
	}
	if *n == 0 {
		*n = def
	}
	f, err := os.Create(*out)
	if err != nil {
		fatal(err)
	}
	if err := trace.Start(f); err != nil {
		fatal(err)
	}
	run(*n)
	trace.Stop()
	if err := f.Close(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "dumpgen:", err)
	os.Exit(1)
}

// deep: stack k is down(100 + k%51 levels) then 10 levels of left/right
// chosen by the bits of k, then runtime.Gosched.
func deepMode(n int) {
	for k := 0; k < n; k++ {
		down(100+k%51, k)
	}
}

//go:noinline
func down(level, k int) {
	if level > 0 {
		down(level-1, k)
		return
	}
	branch(10, k)
}

//go:noinline
func branch(bits, k int) {
	if bits == 0 {
		runtime.Gosched()
		return
	}
	if k&1 == 0 {
		left(bits-1, k>>1)
	} else {
		right(bits-1, k>>1)
	}
}

//go:noinline
func left(bits, k int) { branch(bits, k) }

//go:noinline
func right(bits, k int) { branch(bits, k) }

// paths: path v of depth d takes the base-8 digits of v as the functions
// p0..p7 to call, one per level; depths 1, 2, 3, 4 in turn until n paths.
func pathsMode(n int) {
	var digits [4]byte
	k := 0
	for depth := 1; depth <= len(digits) && k < n; depth++ {
		total := 1 << (3 * depth)
		for v := 0; v < total && k < n; v, k = v+1, k+1 {
			for j := 0; j < depth; j++ {
				digits[j] = byte(v >> (3 * j) & 7)
			}
			pstep(digits[:depth])
		}
	}
}

//go:noinline
func pstep(p []byte) {
	if len(p) == 0 {
		runtime.Gosched()
		return
	}
	switch p[0] {
	case 0:
		p0(p[1:])
	case 1:
		p1(p[1:])
	case 2:
		p2(p[1:])
	case 3:
		p3(p[1:])
	case 4:
		p4(p[1:])
	case 5:
		p5(p[1:])
	case 6:
		p6(p[1:])
	default:
		p7(p[1:])
	}
}

//go:noinline
func p0(p []byte) { pstep(p) }

//go:noinline
func p1(p []byte) { pstep(p) }

//go:noinline
func p2(p []byte) { pstep(p) }

//go:noinline
func p3(p []byte) { pstep(p) }

//go:noinline
func p4(p []byte) { pstep(p) }

//go:noinline
func p5(p []byte) { pstep(p) }

//go:noinline
func p6(p []byte) { pstep(p) }

//go:noinline
func p7(p []byte) { pstep(p) }

// names: path v of depth d takes the base-48 digits of v as the methods to
// call (0..23 on *A, 24..47 on *B); depths 1, 2, 3 in turn until n paths.
func namesMode(n int) {
	var digits [3]byte
	k := 0
	total := 1
	for depth := 1; depth <= len(digits) && k < n; depth++ {
		total *= nmethods
		for v := 0; v < total && k < n; v, k = v+1, k+1 {
			x := v
			for j := 0; j < depth; j++ {
				digits[j] = byte(x % nmethods)
				x /= nmethods
			}
			c := &cur{p: digits[:depth]}
			c.step()
		}
	}
}

// cur is where a names path is.
type cur struct {
	p []byte
}

//go:noinline
func (c *cur) call(f func()) { f() }
