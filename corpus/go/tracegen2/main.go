// Command tracegen2 writes a Go execution trace in the v2 format (Go 1.22 and
// later) of a small but varied workload, so that stacktab has v2 traces made
// by the project itself. What it is for, part by part:
//
//   - a large stack table: every round walks thousands of distinct call paths
//     (a switch over 16 small functions, recursion depth 1..3) and opens a
//     region at the bottom of each, so a generation's Stacks section spans
//     several batches; a few recursions ~300 deep give stacks cut at the
//     runtime's capture limit;
//   - strings: a log message and a region name longer than the 1024-byte
//     string limit, a message cut at 1024 in the middle of a UTF-8 character,
//     an empty message, and a message with control characters and invalid
//     UTF-8 (exercises the quoting of `go tool trace -d=2`);
//   - scheduling: goroutines blocking on channels, a mutex and sleeps;
//   - CPU samples: the CPU profiler runs while tracing and a goroutine spins;
//   - generations: the rounds repeat until -duration has passed; run it with
//     GODEBUG=traceadvanceperiod=NANOSECONDS to get more generations sooner.
//
// Usage: tracegen2 -o FILE [-scale N] [-duration D] [-cpuprofile=false]
//
// The bytes differ from run to run (timestamps, scheduling, Go 1.22's stack
// dump order), but the kinds of events and the table shapes do not.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"time"
)

func main() {
	out := flag.String("o", "", "trace output file (required)")
	scale := flag.Int("scale", 1, "distinct call paths per round = 100*N (0: 16 paths)")
	duration := flag.Duration("duration", 0, "repeat the rounds until this much time has passed (0: one round)")
	cpuprof := flag.Bool("cpuprofile", true, "run the CPU profiler alongside, so the trace has CPUSample events")
	flag.Parse()
	if *out == "" || *scale < 0 {
		flag.Usage()
		os.Exit(2)
	}
	paths := 100 * *scale
	if paths == 0 {
		paths = 16
	}

	f, err := os.Create(*out)
	if err != nil {
		fatal(err)
	}
	if *cpuprof {
		// The samples go into the trace's CPUSamples batches; the profile itself is not needed.
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			fatal(err)
		}
	}
	if err := trace.Start(f); err != nil {
		fatal(err)
	}
	ctx, task := trace.NewTask(context.Background(), "tracegen2")
	start := time.Now()
	for i := 0; i == 0 || time.Since(start) < *duration; i++ {
		round(ctx, i, paths, *cpuprof)
	}
	task.End()
	trace.Stop()
	if *cpuprof {
		pprof.StopCPUProfile()
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "tracegen2:", err)
	os.Exit(1)
}

// Strings that test the string table's limits and the dumpers' quoting.
var (
	longRegion = strings.Repeat("region-name-", 125) // 1500 bytes, cut to 1024
	longLog    = strings.Repeat("0123456789abcdef", 190)
	// 1023 ASCII bytes then "é": the cut at 1024 keeps only its first byte 0xC3.
	cutUTF8 = strings.Repeat("u", 1023) + "é and more"
	// Every escape strconv.Quote writes, printable non-ASCII and invalid bytes.
	oddBytes = "nul\x00 bel\a bs\b ff\f nl\n cr\r tab\t vt\v bsl\\ quote\" del\x7f " +
		"é \u2028 \U0001F600 \U000E0001 bad\xff\xfe end\xc3"
)

// round runs every part of the workload once, each in its own region.
func round(ctx context.Context, i, paths int, spin bool) {
	ctx, task := trace.NewTask(ctx, "round")
	defer task.End()
	trace.Logf(ctx, "round", "round %d", i)
	trace.WithRegion(ctx, "explode", func() { explode(ctx, paths) })
	trace.WithRegion(ctx, "deep", func() {
		for d := 298; d <= 302; d += 2 {
			deep(ctx, d)
		}
	})
	trace.WithRegion(ctx, "channels", func() { channels(20) })
	trace.WithRegion(ctx, "mutex", func() { mutexes(3, 50) })
	trace.WithRegion(ctx, "sleep", func() { time.Sleep(2 * time.Millisecond) })
	trace.WithRegion(ctx, longRegion, func() {
		trace.Log(ctx, "long", longLog)
		trace.Log(ctx, "cut-utf8", cutUTF8)
		trace.Log(ctx, "odd-bytes", oddBytes)
		trace.Log(ctx, "empty", "")
	})
	if spin {
		trace.WithRegion(ctx, "spin", func() { spinFor(40 * time.Millisecond) })
	}
}

// explode walks n distinct call paths: the digits of path k (base 16, depth
// 1..3) choose which of s0..s15 each level calls. Every function is kept out
// of line so that each path is its own frame list, hence its own stack ID.
func explode(ctx context.Context, n int) {
	var digits [3]byte
	k := 0
	for depth := 1; depth <= len(digits) && k < n; depth++ {
		total := 1 << (4 * depth)
		for v := 0; v < total && k < n; v, k = v+1, k+1 {
			for j := 0; j < depth; j++ {
				digits[j] = byte(v >> (4 * j) & 15)
			}
			walk(ctx, digits[:depth])
		}
	}
}

//go:noinline
func walk(ctx context.Context, p []byte) {
	if len(p) == 0 {
		// Two events with stacks per path (begin and end are different call sites).
		trace.StartRegion(ctx, "leaf").End()
		return
	}
	switch p[0] {
	case 0:
		s0(ctx, p[1:])
	case 1:
		s1(ctx, p[1:])
	case 2:
		s2(ctx, p[1:])
	case 3:
		s3(ctx, p[1:])
	case 4:
		s4(ctx, p[1:])
	case 5:
		s5(ctx, p[1:])
	case 6:
		s6(ctx, p[1:])
	case 7:
		s7(ctx, p[1:])
	case 8:
		s8(ctx, p[1:])
	case 9:
		s9(ctx, p[1:])
	case 10:
		s10(ctx, p[1:])
	case 11:
		s11(ctx, p[1:])
	case 12:
		s12(ctx, p[1:])
	case 13:
		s13(ctx, p[1:])
	case 14:
		s14(ctx, p[1:])
	default:
		s15(ctx, p[1:])
	}
}

//go:noinline
func s0(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s1(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s2(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s3(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s4(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s5(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s6(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s7(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s8(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s9(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s10(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s11(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s12(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s13(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s14(ctx context.Context, p []byte) { walk(ctx, p) }

//go:noinline
func s15(ctx context.Context, p []byte) { walk(ctx, p) }

// deep recurses past the 128 frames the runtime records per stack and logs
// and blocks at the bottom, so those events carry cut stacks (125 frames).
//
//go:noinline
func deep(ctx context.Context, depth int) {
	if depth > 0 {
		deep(ctx, depth-1)
		return
	}
	trace.Log(ctx, "deep", "bottom")
	ch := make(chan int)
	go func() { ch <- 1 }()
	<-ch
}

// channels passes values through an unbuffered channel between goroutines
// that are created and end (blocking send and receive).
func channels(n int) {
	ch := make(chan int)
	done := make(chan int)
	go func() {
		sum := 0
		for v := range ch {
			sum += v
		}
		done <- sum
	}()
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
	<-done
}

// mutexes makes goroutines contend on a sync.Mutex held across a sleep.
func mutexes(workers, iters int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < iters; i++ {
				mu.Lock()
				if i%25 == 0 {
					time.Sleep(50 * time.Microsecond)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// spinFor keeps a goroutine busy for d so that the CPU profiler takes samples.
func spinFor(d time.Duration) {
	done := make(chan struct{})
	go func() {
		end := time.Now().Add(d)
		x := 1
		for time.Now().Before(end) {
			for k := 0; k < 1000; k++ {
				x = x*31 + k
			}
		}
		_ = x
		close(done)
	}()
	<-done
	runtime.Gosched()
}
