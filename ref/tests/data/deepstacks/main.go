// deepstacks writes a Go execution trace whose stack table is large enough that the runtime's
// dump flushes many times (thousands of distinct stacks of ~20 frames), so that
// test_encode_repro can check the legacy algorithm's flush points against Go 1.19 itself.
// usage: deepstacks OUT.trace
package main

import (
	"os"
	"runtime"
	"runtime/trace"
	"sync"
)

//go:noinline
func a(path, depth int, wg *sync.WaitGroup) {
	if depth == 0 {
		runtime.Gosched() // an event with this goroutine's whole stack
		wg.Done()
		return
	}
	if path&1 == 0 {
		a(path>>1, depth-1, wg)
	} else {
		b(path>>1, depth-1, wg)
	}
}

//go:noinline
func b(path, depth int, wg *sync.WaitGroup) {
	if depth == 0 {
		runtime.Gosched()
		wg.Done()
		return
	}
	if path&1 == 0 {
		a(path>>1, depth-1, wg)
	} else {
		b(path>>1, depth-1, wg)
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	const depth = 12
	var wg sync.WaitGroup
	for p := 0; p < 1<<depth; p++ {
		wg.Add(1)
		a(p, depth, &wg)
	}
	wg.Wait()
	trace.Stop()
	f.Close()
}
