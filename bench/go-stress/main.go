// Command go-stress writes a large Go execution trace (runtime/trace) for
// stacktab's benchmarks: it keeps goroutines busy with channel ping-pong,
// mutex contention, goroutine creation, sleeps, allocation (GC), user
// regions and logs, and blocking calls from many distinct call paths (so
// the stack table grows too), until the trace has reached the requested
// size.
//
// Usage: go-stress -o FILE [-mb N] [-procs N] [-stacks N]
//
// The output is large and differs from run to run: generate it on the spot
// (bench/make-stress-trace.sh), never commit it.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

// countingWriter counts the trace bytes written so far; the workers stop
// when it reaches the target.
type countingWriter struct {
	w *bufio.Writer
	n atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

var (
	target  int64
	written *countingWriter
	stacks  int
)

func main() {
	out := flag.String("o", "", "trace output file (required)")
	mb := flag.Int("mb", 60, "stop once the trace holds at least N MiB")
	procs := flag.Int("procs", 4, "GOMAXPROCS while tracing")
	workers := flag.Int("workers", 8, "number of worker pairs")
	flag.IntVar(&stacks, "stacks", 8192, "number of distinct call paths that block (grows the stack table)")
	flag.Parse()
	if *out == "" || *mb < 1 || *procs < 1 || *workers < 1 || stacks < 1 {
		flag.Usage()
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*procs)
	f, err := os.Create(*out)
	if err != nil {
		fatal(err)
	}
	written = &countingWriter{w: bufio.NewWriterSize(f, 1<<20)}
	target = int64(*mb) << 20

	start := time.Now()
	if err := trace.Start(written); err != nil {
		fatal(err)
	}
	ctx, task := trace.NewTask(context.Background(), "stress")
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			worker(ctx, id)
		}(w)
	}
	wg.Wait()
	task.End()
	trace.Stop()
	if err := written.w.Flush(); err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
	fmt.Fprintf(os.Stderr, "go-stress: wrote %d bytes to %s in %.1fs\n",
		written.n.Load(), *out, time.Since(start).Seconds())
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "go-stress:", err)
	os.Exit(1)
}

func done() bool { return written.n.Load() >= target }

var (
	mu      sync.Mutex
	shared  int
	sinkMu  sync.Mutex
	sinkBuf [][]byte
)

// worker runs rounds of mixed work with a partner goroutine until the
// trace is big enough.
func worker(ctx context.Context, id int) {
	ping := make(chan int)
	pong := make(chan int)
	go partner(ping, pong)
	defer close(ping)
	path := id * 7919
	for round := 0; !done(); round++ {
		trace.WithRegion(ctx, "round", func() {
			// Ping-pong: block on receive, unblock, start, many times over.
			for i := 0; i < 200; i++ {
				ping <- i
				<-pong
			}
			// Contended mutex.
			for i := 0; i < 50; i++ {
				mu.Lock()
				shared++
				mu.Unlock()
			}
			// Short-lived goroutines.
			var wg sync.WaitGroup
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					runtime.Gosched()
				}()
			}
			wg.Wait()
			// Blocking from a distinct call path: a new stack each time
			// until every path has been used once.
			for i := 0; i < 4; i++ {
				path = (path + 1) % stacks
				descend(ping, pong, path, depthFor(stacks))
			}
			// Allocation keeps the GC cycling.
			if round%20 == 0 {
				b := make([]byte, 64<<10)
				sinkMu.Lock()
				sinkBuf = append(sinkBuf, b)
				if len(sinkBuf) > 64 {
					sinkBuf = sinkBuf[:0]
				}
				sinkMu.Unlock()
			}
			if round%50 == 0 {
				trace.Logf(ctx, "progress", "worker %d round %d bytes %d", id, round, written.n.Load())
				time.Sleep(20 * time.Microsecond)
			}
		})
	}
}

func partner(ping <-chan int, pong chan<- int) {
	for v := range ping {
		pong <- v
	}
}

func depthFor(n int) int {
	d := 1
	for 1<<d < n {
		d++
	}
	return d
}

// descend follows the bits of path through two functions, so each value of
// path gives a different call stack, and blocks at the bottom.
func descend(ping chan<- int, pong <-chan int, path, depth int) {
	if depth == 0 {
		ping <- path
		<-pong
		return
	}
	if path&1 == 0 {
		left(ping, pong, path>>1, depth-1)
	} else {
		right(ping, pong, path>>1, depth-1)
	}
}

//go:noinline
func left(ping chan<- int, pong <-chan int, path, depth int) {
	descend(ping, pong, path, depth)
}

//go:noinline
func right(ping chan<- int, pong <-chan int, path, depth int) {
	descend(ping, pong, path, depth)
}
