// dining_philosophers in Go: a port of scenarios/dining_philosophers.cpp
// (n=5, meals=2), run again and again by bench/explore_run.sh. Each
// philosopher takes its left fork, then its right; if all hold a left fork
// at once the Go runtime stops with "all goroutines are asleep - deadlock!"
// (exit 2). No shared memory outside the mutexes: -race has nothing to say.
package main

import (
	"fmt"
	"os"
	"sync"
)

const (
	n     = 5 // philosophers
	meals = 2 // each
)

func main() {
	forks := make([]sync.Mutex, n)
	var wg sync.WaitGroup
	var eatenMu sync.Mutex // gorewind's single thread needs no lock for ++eaten; Go does
	eaten := 0

	for p := 0; p < n; p++ {
		wg.Add(1)
		go func(p int) {
			left, right := &forks[p], &forks[(p+1)%n]
			for m := 0; m < meals; m++ {
				left.Lock()
				right.Lock() // BUG: every philosopher may be holding its left fork
				eatenMu.Lock()
				eaten++
				eatenMu.Unlock()
				right.Unlock()
				left.Unlock()
			}
			wg.Done()
		}(p)
	}
	wg.Wait()
	if eaten != n*meals {
		fmt.Fprintln(os.Stderr, "check failed: every meal eaten")
		os.Exit(1)
	}
}
