// Package flood serves a flood of deliveries to a webhook or notification
// handler, in process, for the tests that hold the three handlers to their
// promise: under many concurrent deliveries mixing genuine events,
// redeliveries, forgeries, stale ones and oversized bodies, every genuine
// event is handled exactly once and everything else is refused. It is used
// by tests only.
package flood

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Size is the number of deliveries in a flood.
const Size = 20000

// Workers is how many deliveries are served at once.
const Workers = 32

// Delivery is one request of a flood and the status it must get.
type Delivery struct {
	// Kind names the delivery's part of the mix, for failures.
	Kind    string
	Request *http.Request
	Status  int
}

// Oversized returns n deliveries of body, which is over the handler's cap,
// each built by newRequest and refused with 413. Every tenth has no
// Content-Length, so that the handler must stop reading at the cap rather
// than refuse by the header.
func Oversized(n int, body []byte, newRequest func(body []byte) *http.Request) []Delivery {
	out := make([]Delivery, 0, n)
	for i := range n {
		r := newRequest(body)
		if i%10 == 0 {
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(body)), -1
		}
		out = append(out, Delivery{Kind: "oversized", Request: r, Status: http.StatusRequestEntityTooLarge})
	}
	return out
}

// Run checks that deliveries are a flood of Size, shuffles them, serves
// them through h (Serve), and fails t for every kind of delivery that got
// another status than its own.
func Run(t testing.TB, h http.Handler, deliveries []Delivery) {
	t.Helper()
	if len(deliveries) != Size {
		t.Fatalf("flood: %d deliveries, not %d", len(deliveries), Size)
	}
	Shuffle(deliveries)
	start := time.Now()
	wrong := Serve(h, deliveries)
	t.Logf("%d deliveries in %v", len(deliveries), time.Since(start).Round(time.Millisecond))
	if len(wrong) > 0 {
		t.Errorf("flood: deliveries that got another status than expected, by kind: %v", wrong)
	}
}

// Shuffle mixes the deliveries, so that a redelivery may come before or
// together with the first delivery of its event. A fixed seed keeps a
// failure reproducible.
func Shuffle(deliveries []Delivery) {
	r := rand.New(rand.NewPCG(14, 2024)) //nolint:gosec // a reproducible order, not a secret
	r.Shuffle(len(deliveries), func(i, j int) { deliveries[i], deliveries[j] = deliveries[j], deliveries[i] })
}

// Serve serves every delivery through h from Workers goroutines at once,
// through an httptest.ResponseRecorder, and returns, by kind, the statuses
// that were not the expected one.
func Serve(h http.Handler, deliveries []Delivery) map[string][]int {
	work := make(chan *Delivery)
	var mu sync.Mutex
	wrong := map[string][]int{}
	var wg sync.WaitGroup
	for range Workers {
		wg.Go(func() {
			for d := range work {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, d.Request)
				if rec.Code != d.Status {
					mu.Lock()
					wrong[d.Kind] = append(wrong[d.Kind], rec.Code)
					mu.Unlock()
				}
			}
		})
	}
	for i := range deliveries {
		work <- &deliveries[i]
	}
	close(work)
	wg.Wait()
	return wrong
}

// Counter counts the calls of a handler's function per event. Its zero
// value is ready to use.
type Counter struct {
	mu sync.Mutex
	n  map[string]int
}

// Add counts one call for id, then yields, to give a concurrent
// redelivery of the same event the chance to race this one.
func (c *Counter) Add(id string) {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[id]++
	c.mu.Unlock()
	runtime.Gosched()
}

// Check returns the events of want that were never handled, those handled
// more than once, and those handled that are not in want.
func (c *Counter) Check(want []string) (never, twice, other []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wanted := make(map[string]bool, len(want))
	for _, id := range want {
		wanted[id] = true
		switch c.n[id] {
		case 1:
		case 0:
			never = append(never, id)
		default:
			twice = append(twice, id)
		}
	}
	for id := range c.n {
		if !wanted[id] {
			other = append(other, id)
		}
	}
	return never, twice, other
}
