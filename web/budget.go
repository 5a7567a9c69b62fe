package web

import (
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bilateral/bilateral/stats"
)

// budget bounds work that needs memory in proportion to its size (image
// rasterising and encoding, workbook decoding): each piece of work takes
// units from a fixed budget before it starts and gives them back when it
// ends. When the budget is spent, work queues, first come first served, in
// a queue of bounded length for a short wait; beyond that it is refused
// with a kinded Unavailable error that carries Retry-After. The budget is
// the server's own accounting: in use and peak are what tests and
// /metrics read.
type budget struct {
	name     string // what is limited, for messages: "image"
	limit    int64  // units that may be in use at once
	maxQueue int    // requests that may wait; more are refused at once
	wait     time.Duration
	retry    time.Duration // Retry-After of a refusal

	mu      sync.Mutex
	used    int64
	queue   []*budgetWaiter
	peak    atomic.Int64
	refused atomic.Int64
	granted atomic.Int64

	// onIdle runs (in its own goroutine) when the budget falls back to
	// zero in use after a large piece of work; see releaseMemory.
	onIdle  func()
	bigWork bool
}

type budgetWaiter struct {
	n     int64
	ready chan struct{}
	done  bool // granted (under mu)
}

func newBudget(name string, limit int64, maxQueue int, wait, retry time.Duration) *budget {
	return &budget{name: name, limit: limit, maxQueue: maxQueue, wait: wait, retry: retry}
}

// cost clamps a request's units to the budget, so that the largest
// allowed piece of work can always run, alone.
func (b *budget) cost(n int64) int64 { return max(1, min(n, b.limit)) }

// acquire takes n units, waiting up to b.wait in the queue. It returns a
// release function, or a stats.Unavailable error with Retry-After.
func (b *budget) acquire(n int64) (func(), error) {
	n = b.cost(n)
	b.mu.Lock()
	if len(b.queue) == 0 && b.used+n <= b.limit {
		b.take(n)
		b.mu.Unlock()
		return b.releaser(n), nil
	}
	if len(b.queue) >= b.maxQueue {
		b.mu.Unlock()
		return nil, b.busy()
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.queue = append(b.queue, w)
	b.mu.Unlock()

	t := time.NewTimer(b.wait)
	defer t.Stop()
	select {
	case <-w.ready:
		return b.releaser(n), nil
	case <-t.C:
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if w.done { // granted as the wait ended
		return b.releaser(n), nil
	}
	for i, q := range b.queue {
		if q == w {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			break
		}
	}
	b.grant() // a smaller request behind this one may fit now
	return nil, b.busy()
}

// take records n units in use (under mu).
func (b *budget) take(n int64) {
	b.used += n
	b.granted.Add(1)
	for {
		p := b.peak.Load()
		if b.used <= p || b.peak.CompareAndSwap(p, b.used) {
			break
		}
	}
}

// grant hands units to waiters in order while they fit (under mu).
func (b *budget) grant() {
	for len(b.queue) > 0 && b.used+b.queue[0].n <= b.limit {
		w := b.queue[0]
		b.queue = b.queue[1:]
		b.take(w.n)
		w.done = true
		close(w.ready)
	}
}

func (b *budget) releaser(n int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			b.used -= n
			if n*4 >= b.limit {
				b.bigWork = true
			}
			b.grant()
			idle := b.used == 0 && b.bigWork && b.onIdle != nil
			if idle {
				b.bigWork = false
			}
			b.mu.Unlock()
			if idle {
				go b.onIdle()
			}
		})
	}
}

func (b *budget) busy() error {
	b.refused.Add(1)
	return &stats.Error{Kind: stats.Unavailable, RetryAfter: b.retry,
		Message: "The server is busy with other " + b.name + " requests. Try again in a few seconds."}
}

// inUse returns the units in use now.
func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// memoryReleaser returns a function that gives the heap's free memory back
// to the operating system, at most once per interval: after a burst of
// large renders the runtime would otherwise keep the pages it grew to for
// minutes, and the process's resident size with them.
func memoryReleaser(interval time.Duration) func() {
	var mu sync.Mutex
	var last time.Time
	var pending bool
	return func() {
		mu.Lock()
		if pending {
			mu.Unlock()
			return
		}
		wait := time.Until(last.Add(interval))
		pending = true
		mu.Unlock()
		if wait > 0 {
			time.Sleep(wait)
		}
		debug.FreeOSMemory()
		mu.Lock()
		last, pending = time.Now(), false
		mu.Unlock()
	}
}
