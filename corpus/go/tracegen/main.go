// Command tracegen writes a Go execution trace (runtime/trace) of a small
// but varied workload, so that stacktab has real traces made by the project
// itself: goroutines that start and end, blocking channel sends and
// receives, select, sync.Mutex/WaitGroup/Cond, sleeps, system calls, GC,
// a GOMAXPROCS change, user tasks/regions/logs (one log message is long),
// a recursion deeper than the runtime's 128-PC stack capture, CPU profile
// samples, network I/O on loopback and a function with a very long name.
//
// Usage: tracegen -o FILE [-scale N] [-procs N]
//
// The exact bytes differ from run to run (timestamps, scheduling), but the
// kinds of events and stacks are the same every time.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "trace output file (required)")
	scale := flag.Int("scale", 1, "multiply the amount of work by N")
	procs := flag.Int("procs", 3, "GOMAXPROCS while tracing (2..4 recommended)")
	cpuprof := flag.Bool("cpuprofile", true, "run the CPU profiler alongside, so the trace has CPUSample events")
	flag.Parse()
	if *out == "" || *scale < 1 || *procs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*procs)

	f, err := os.Create(*out)
	if err != nil {
		fatal(err)
	}
	if *cpuprof {
		// The samples go to the trace as EvCPUSample; the profile itself is not needed.
		if err := pprof.StartCPUProfile(io.Discard); err != nil {
			fatal(err)
		}
	}
	if err := trace.Start(f); err != nil {
		fatal(err)
	}
	ctx, task := trace.NewTask(context.Background(), "tracegen")
	for i := 0; i < *scale; i++ {
		round(ctx, i, *procs)
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
	fmt.Fprintln(os.Stderr, "tracegen:", err)
	os.Exit(1)
}

// round runs every part of the workload once, each in its own region.
func round(ctx context.Context, i, procs int) {
	ctx, task := trace.NewTask(ctx, fmt.Sprintf("round-%d", i))
	defer task.End()
	trace.Logf(ctx, "round", "starting round %d", i)
	trace.WithRegion(ctx, "channels", func() { channels(ctx, 40) })
	trace.WithRegion(ctx, "select", func() { selects(30) })
	trace.WithRegion(ctx, "mutex", func() { mutexes(4, 200) })
	trace.WithRegion(ctx, "cond", func() { conds(3, 20) })
	trace.WithRegion(ctx, "sleep", func() { sleeps(5) })
	trace.WithRegion(ctx, "syscalls", func() { syscalls(ctx) })
	trace.WithRegion(ctx, "network", func() { network(20) })
	trace.WithRegion(ctx, "gc", func() { collect() })
	trace.WithRegion(ctx, "deep", func() { deep(ctx, 200) })
	trace.WithRegion(ctx, "longname", func() {
		theQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLong(ctx)
	})
	trace.WithRegion(ctx, "spin", func() { spin(30 * time.Millisecond) })
	trace.WithRegion(ctx, "gomaxprocs", func() {
		// Changing GOMAXPROCS stops the world and emits Gomaxprocs,
		// ProcStop and ProcStart events.
		runtime.GOMAXPROCS(procs + 1)
		spawnAndWait(4)
		runtime.GOMAXPROCS(procs)
	})
	// A message of several KB: the runtime writes it after the event's
	// length-prefixed arguments (the length does not cover it).
	trace.Log(ctx, "long", strings.Repeat("0123456789abcdef", 300))
	trace.Log(ctx, "empty", "")
}

// channels passes values through an unbuffered channel (blocking send and
// receive) and a buffered one, between goroutines that are created and end.
func channels(ctx context.Context, n int) {
	unbuf := make(chan int)
	buf := make(chan int, 4)
	done := make(chan struct{})
	go func() {
		trace.WithRegion(ctx, "consumer", func() {
			for v := range unbuf {
				buf <- v * 2
			}
			close(buf)
		})
	}()
	go func() {
		sum := 0
		for v := range buf {
			sum += v
		}
		trace.Logf(ctx, "sum", "%d", sum)
		close(done)
	}()
	for i := 0; i < n; i++ {
		unbuf <- i
	}
	close(unbuf)
	<-done
}

// selects blocks in select on several channels fed by a timer and a
// producer goroutine.
func selects(n int) {
	a := make(chan int)
	b := make(chan string)
	quit := make(chan struct{})
	go func() {
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				a <- i
			} else {
				b <- "x"
			}
		}
		close(quit)
	}()
	t := time.NewTicker(200 * time.Microsecond)
	defer t.Stop()
	for {
		select {
		case <-a:
		case <-b:
		case <-t.C:
		case <-quit:
			return
		}
	}
}

// mutexes makes goroutines contend on a sync.Mutex and wait on a WaitGroup.
func mutexes(workers, iters int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < iters; i++ {
				mu.Lock()
				counter++
				if i%50 == 0 {
					time.Sleep(50 * time.Microsecond) // hold the lock while sleeping
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	_ = counter
}

// conds makes goroutines wait on a sync.Cond that is broadcast n times.
func conds(waiters, n int) {
	var mu sync.Mutex
	c := sync.NewCond(&mu)
	gen := 0
	var wg sync.WaitGroup
	for w := 0; w < waiters; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			for seen := 0; seen < n; {
				for gen == seen {
					c.Wait()
				}
				seen = gen
			}
			mu.Unlock()
		}()
	}
	for i := 0; i < n; i++ {
		time.Sleep(100 * time.Microsecond)
		mu.Lock()
		gen++
		c.Broadcast()
		mu.Unlock()
	}
	wg.Wait()
}

func sleeps(n int) {
	for i := 0; i < n; i++ {
		time.Sleep(time.Duration(i+1) * 100 * time.Microsecond)
	}
	runtime.Gosched()
}

// syscalls writes and reads a temporary file, and blocks in a raw read(2)
// on a pipe long enough for the runtime to hand the P to another thread
// (GoSysCall, GoSysBlock, GoSysExit).
func syscalls(ctx context.Context) {
	dir, err := os.MkdirTemp("", "tracegen")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "data")
	if err := os.WriteFile(name, []byte(strings.Repeat("trace\n", 1000)), 0o600); err != nil {
		fatal(err)
	}
	if _, err := os.ReadFile(name); err != nil {
		fatal(err)
	}

	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		fatal(err)
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	go func() {
		time.Sleep(30 * time.Millisecond)
		syscall.Write(fds[1], []byte("w"))
	}()
	var b [1]byte
	trace.WithRegion(ctx, "blocking-read", func() {
		if _, err := syscall.Read(fds[0], b[:]); err != nil {
			fatal(err)
		}
	})
}

// network echoes messages over a loopback TCP connection (GoBlockNet).
func network(n int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(c, c)
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 64)
	for i := 0; i < n; i++ {
		if _, err := c.Write([]byte("ping")); err != nil {
			fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:4]); err != nil {
			fatal(err)
		}
	}
}

var sink [][]byte

// collect allocates under a low GC percentage, so that collections start
// by themselves, with mark assists, GC worker goroutines (GoStartLabel),
// STW phases, sweeping and heap events. (runtime.GC is avoided: it sweeps
// the whole heap with a Gosched per span, which floods the trace with a
// varying number of GoSched/GoStart pairs.)
func collect() {
	old := debug.SetGCPercent(5)
	for j := 0; j < 4000; j++ {
		sink = append(sink, make([]byte, 256))
		if len(sink) > 500 {
			sink = sink[:0]
		}
	}
	debug.SetGCPercent(old)
	sink = nil
}

// deep recurses past the 128 frames the runtime records per stack and
// blocks and logs at the bottom, so those events carry truncated stacks.
func deep(ctx context.Context, depth int) {
	if depth > 0 {
		deep(ctx, depth-1)
		return
	}
	trace.Log(ctx, "deep", "bottom of the recursion")
	ch := make(chan int)
	go func() { ch <- 1 }()
	<-ch
	time.Sleep(100 * time.Microsecond)
}

// theQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLong puts a function name of about 900 bytes into the string table.
func theQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLongStringsTheQuickStackTableStoresEveryFrameWithItsFunctionNameFileAndLineSoThisNameChecksLong(ctx context.Context) {
	trace.Log(ctx, "longname", "inside the long-named function")
	done := make(chan struct{})
	go func() {
		time.Sleep(50 * time.Microsecond)
		close(done)
	}()
	<-done
}

// spin keeps two goroutines busy for d, long enough for the scheduler to
// preempt them (GoPreempt) and for the CPU profiler to take samples.
func spin(d time.Duration) {
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			end := time.Now().Add(d)
			x := 1
			for time.Now().Before(end) {
				for k := 0; k < 1000; k++ {
					x = x*31 + k
				}
			}
			_ = x
		}()
	}
	wg.Wait()
}

func spawnAndWait(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.Gosched()
		}()
	}
	wg.Wait()
}
