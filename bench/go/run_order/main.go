// The Go peer of scenario run_order (scenarios/run_order.cpp): the same
// three programs, each printing the order its goroutines ran in. Run with
// GOMAXPROCS=1, as gorewind run run_order --procs 1 simulates:
//
//	GOMAXPROCS=1 go run ./bench/go/run_order
package main

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
)

func print(program string, order []string) {
	fmt.Println(program + ": " + strings.Join(order, " "))
}

func main() {
	var order []string
	{
		var wg sync.WaitGroup
		for _, name := range []string{"A", "B", "C"} {
			wg.Add(1)
			go func(name string) {
				order = append(order, name)
				wg.Done()
			}(name)
		}
		wg.Wait()
		print("spawn", order)
	}
	order = nil
	{
		var wg sync.WaitGroup
		ch := make(chan int)
		wg.Add(2)
		go func() {
			order = append(order, "A")
			wg.Done()
		}()
		go func() {
			order = append(order, "B1")
			ch <- 1
			order = append(order, "B2")
			wg.Done()
		}()
		<-ch
		order = append(order, "main")
		wg.Wait()
		print("wake", order)
	}
	order = nil
	{
		var wg sync.WaitGroup
		wg.Add(3)
		go func() {
			order = append(order, "A")
			wg.Done()
		}()
		go func() {
			order = append(order, "B")
			wg.Done()
		}()
		go func() {
			order = append(order, "C1")
			runtime.Gosched()
			order = append(order, "C2")
			wg.Done()
		}()
		wg.Wait()
		print("gosched", order)
	}
}
