// The Go peer of bench/gorewind_bench.cpp: the same programs, the same
// output (one line per benchmark: <name> <best> <median> <unit>). Run with
// GOMAXPROCS=1 (main sets it too), as bench/run.sh does:
//
//	go build -o /tmp/gopeer main.go && GOMAXPROCS=1 /tmp/gopeer [-quick] [-only a,b]
//
// With -program NAME -n N it instead runs one program once and exits, for
// bench/run.sh to time the whole process beside the same `gorewind run`:
// pingpong (N round trips) or sieve (the stopping sieve, N primes).
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

var only = map[string]bool{}

func selected(name string) bool { return len(only) == 0 || only[name] }

func report(name string, v []float64, unit string) {
	sort.Float64s(v)
	median := v[len(v)/2]
	if len(v)%2 == 0 {
		median = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	fmt.Printf("%s %.2f %.2f %s\n", name, v[0], median, unit)
}

// processStart is as early as this program can read the clock.
var processStart = time.Now()

func nsSince(t0 time.Time) float64 { return float64(time.Since(t0).Nanoseconds()) }

// Ping-pong: main sends on ping, the echo goroutine sends it back on pong.
// Nanoseconds per round trip.
func pingpong(n int) float64 {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			pong <- (<-ping) + 1
		}
	}()
	t0 := time.Now()
	sum := 0
	for i := 0; i < n; i++ {
		ping <- i
		sum += <-pong
	}
	ns := nsSince(t0)
	if sum != n*(n+1)/2 {
		panic("pingpong")
	}
	return ns / float64(n)
}

// Buffered producer/consumer: a producer sends n items on a channel of 128
// and closes it; main ranges over it. Nanoseconds per item.
func buffered(n int) float64 {
	c := make(chan int, 128)
	t0 := time.Now()
	go func() {
		for i := 0; i < n; i++ {
			c <- i
		}
		close(c)
	}()
	sum := 0
	for v := range c {
		sum += v
	}
	ns := nsSince(t0)
	if sum != n*(n-1)/2 {
		panic("buffered")
	}
	return ns / float64(n)
}

// Select across goroutines: two producers send n/2 items each on their own
// unbuffered channel; main receives all n with a two-case select.
// Nanoseconds per select.
func selectRecv(n int) float64 {
	a, b := make(chan int), make(chan int)
	half := n / 2
	t0 := time.Now()
	go func() {
		for i := 0; i < half; i++ {
			a <- i
		}
	}()
	go func() {
		for i := 0; i < half; i++ {
			b <- i
		}
	}()
	sum := 0
	for i := 0; i < 2*half; i++ {
		select {
		case v := <-a:
			sum += v
		case v := <-b:
			sum += v
		}
	}
	ns := nsSince(t0)
	if sum != half*(half-1) {
		panic("select")
	}
	return ns / float64(2*half)
}

// Spawn and exit: main starts n goroutines that each call wg.Done and
// return, then waits for them. Nanoseconds per goroutine.
func spawnExit(n int) float64 {
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
	return nsSince(t0) / float64(n)
}

func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		panic(err)
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// parkAll starts n goroutines that each say they started and then block
// receiving from one channel; with all of them parked it calls parked, then
// closes the channel and waits for them all to finish.
func parkAll(n int, parked func()) {
	c := make(chan int)
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-c
			finished.Done()
		}()
	}
	started.Wait()
	parked()
	close(c)
	finished.Wait()
}

// RSS per parked goroutine: the resident set with n goroutines parked
// (parkAll), over the one before. Bytes per goroutine.
func rssParked(n int) float64 {
	before := residentBytes()
	var during int64
	parkAll(n, func() { during = residentBytes() })
	return float64(during-before) / float64(n)
}

// Spawn, park and release, the whole process (-spawnpark N, alone in its
// process so that bench/run.sh can read its peak resident set): parkAll of
// n goroutines. Microseconds per goroutine.
func spawnPark(n int) float64 {
	t0 := time.Now()
	parkAll(n, func() {})
	return nsSince(t0) / 1e3 / float64(n)
}

// Prime sieve, the Go tour's program as it stands: the generator counts
// forever, each filter loops forever, main takes the first n primes and
// leaves every goroutine blocked. Milliseconds from main's start to the nth
// prime.
func sieve(n int, last *int) float64 {
	t0 := time.Now()
	ch := make(chan int)
	go func(ch chan int) { // generate: 2, 3, 4, ...
		for i := 2; ; i++ {
			ch <- i
		}
	}(ch)
	for k := 0; k < n; k++ {
		prime := <-ch
		*last = prime
		next := make(chan int)
		go func(in, out chan int, prime int) { // filter: drop the multiples of prime
			for {
				i := <-in
				if i%prime != 0 {
					out <- i
				}
			}
		}(ch, next, prime)
		ch = next
	}
	return nsSince(t0) / 1e6
}

// Prime sieve that stops cleanly (scenarios/prime_sieve.cpp): the generator
// stops at an upper bound for the nth prime and closes; each filter ranges
// over its input and closes its output; main drains the last channel.
// Milliseconds for the whole program.
func sieveClean(n int, last *int) float64 {
	t0 := time.Now()
	// Rosser: p_n < n(ln n + ln ln n) for n >= 6, as the scenario computes it.
	x := float64(n)
	limit := int(x * (math.Log(x) + math.Log(math.Log(x))))
	ch := make(chan int)
	go func(ch chan int) { // generate: 2, 3, 4, ..., limit
		for i := 2; i <= limit; i++ {
			ch <- i
		}
		close(ch)
	}(ch)
	for k := 0; k < n; k++ {
		prime := <-ch
		*last = prime
		next := make(chan int)
		go func(in, out chan int, prime int) { // filter: drop the multiples of prime
			for i := range in {
				if i%prime != 0 {
					out <- i
				}
			}
			close(out)
		}(ch, next, prime)
		ch = next
	}
	for range ch {
	}
	return nsSince(t0) / 1e6
}

// sink keeps the worker's scratch buffers on the heap, as the scenario's
// malloc does.
var sink []byte

// backlog is scenarios/backlog_growth.cpp without its stall: the dispatcher
// holds a 1 KiB request per id until the worker acknowledges it, and the
// worker takes a 256-byte scratch buffer per request.
func backlog(n int) {
	work := make(chan int, 8)
	acks := make(chan int, n)
	go func() {
		for id := range work {
			sink = make([]byte, 256)
			acks <- id
		}
	}()
	held := map[int][]byte{}
	for i := 0; i < n; i++ {
		held[i] = make([]byte, 1024)
		work <- i
		for drained := false; !drained; {
			select {
			case id := <-acks:
				delete(held, id)
			default:
				drained = true
			}
		}
	}
	close(work)
}

func bench(name string, reps int, unit string, once func() float64) {
	if !selected(name) {
		return
	}
	v := make([]float64, 0, reps)
	for r := 0; r < reps; r++ {
		v = append(v, once())
	}
	report(name, v, unit)
}

// runProgram runs one -program once.
func runProgram(name string, n int) {
	last := 0
	switch name {
	case "pingpong":
		pingpong(n)
	case "sieve":
		sieveClean(n, &last)
	case "backlog":
		backlog(n)
	default:
		fmt.Fprintf(os.Stderr, "unknown -program %q (pingpong, sieve, backlog)\n", name)
		os.Exit(2)
	}
}

func main() {
	quick := flag.Bool("quick", false, "smaller runs")
	onlyFlag := flag.String("only", "", "comma-separated benchmark names")
	program := flag.String("program", "", "run one program once and exit: pingpong, sieve or backlog")
	n := flag.Int("n", 0, "the -program's size")
	memProfileRate := flag.Int("memprofilerate", -1, "with -program: runtime.MemProfileRate (1: every allocation; default: Go's)")
	spawnParkN := flag.Int("spawnpark", 0, "run only spawn_park, of this many goroutines")
	flag.Parse()
	if *program != "" {
		runtime.GOMAXPROCS(1)
		if *memProfileRate >= 0 {
			runtime.MemProfileRate = *memProfileRate
		}
		runProgram(*program, *n)
		return
	}
	if *spawnParkN > 0 {
		// The whole process, as gorewind_bench --spawn-park measures it.
		runtime.GOMAXPROCS(1)
		us := spawnPark(*spawnParkN)
		report("spawn_park_in_run", []float64{us}, "us/goroutine")
		report("spawn_park_whole", []float64{float64(time.Since(processStart).Nanoseconds()) / 1e3 / float64(*spawnParkN)}, "us/goroutine")
		return
	}
	if *onlyFlag != "" {
		for _, s := range strings.Split(*onlyFlag, ",") {
			only[s] = true
		}
	}
	runtime.GOMAXPROCS(1)
	scale, reps := 1, 5
	if *quick {
		scale, reps = 10, 3
	}

	// Once per process, first: freed goroutine stacks are reused, so it
	// must see a fresh heap.
	if selected("rss_parked") {
		report("rss_parked", []float64{rssParked(100000)}, "B/goroutine")
	}
	bench("pingpong", reps, "ns/roundtrip", func() float64 { return pingpong(500000 / scale) })
	bench("buffered", reps, "ns/item", func() float64 { return buffered(2000000 / scale) })
	bench("select", reps, "ns/select", func() float64 { return selectRecv(1000000 / scale) })
	bench("spawn_exit", reps, "ns/goroutine", func() float64 { return spawnExit(100000 / scale) })
	sieveReps, primes := 3, 2000
	if *quick {
		sieveReps, primes = 1, 500
	}
	last := 0
	bench("sieve_2000_clean", sieveReps, "ms", func() float64 { return sieveClean(primes, &last) })
	// The Go tour's sieve leaves 2001 goroutines blocked for good: once per
	// process, last, so that they weigh on nothing else (the collector scans
	// their stacks).
	if selected("sieve_2000") {
		ms := sieve(primes, &last)
		if !*quick && last != 17389 {
			fmt.Fprintf(os.Stderr, "sieve: the 2000th prime came out as %d\n", last)
			os.Exit(1)
		}
		report("sieve_2000", []float64{ms}, "ms")
	}
}
