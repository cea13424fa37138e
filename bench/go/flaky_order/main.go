// flaky_order in Go: a line-for-line port of scenarios/flaky_order.cpp, to
// run the way a Go programmer hunts a flaky bug today (bench/explore_run.sh
// runs it again and again, GOMAXPROCS=2, with and without -race). Each
// gr::yield() is a runtime.Gosched(); the failed gr::check exits 1.
//
// A config loader publishes `ready` before `value`, in two critical
// sections; a handler that looks between them sees ready with no value.
// The mutex makes every access ordered, so -race has no data race to report.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
)

const (
	setup = 8  // loader's steps before publishing
	work  = 14 // handler's steps before looking
)

func main() {
	var mu sync.Mutex
	ready := false
	value := 0
	loaded := make(chan int)
	var wg sync.WaitGroup

	wg.Add(2)
	go func() { // loader
		for i := 0; i < setup; i++ {
			runtime.Gosched() // reading the config
		}
		mu.Lock()
		ready = true // BUG: published before the value it promises
		mu.Unlock()
		mu.Lock()
		value = 42
		mu.Unlock()
		close(loaded)
		wg.Done()
	}()

	go func() { // handler
		for i := 0; i < work; i++ {
			runtime.Gosched() // handling the request
		}
		mu.Lock()
		wasReady := ready
		seen := value
		mu.Unlock()
		if !wasReady {
			<-loaded // not loaded yet: wait for it
			mu.Lock()
			seen = value
			mu.Unlock()
		}
		if seen != 42 {
			fmt.Fprintln(os.Stderr, "check failed: the value is there once ready is set")
			os.Exit(1)
		}
		wg.Done()
	}()

	wg.Wait()
}
