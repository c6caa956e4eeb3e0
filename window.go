package instore

import (
	"context"
	"time"
)

// DefaultMinInterval is the shortest time between two inquiries when a
// notification brings one forward: a burst of webhooks must not turn into
// a burst of inquiries.
const DefaultMinInterval = time.Second

// window paces the calls of one phase of a sale, the inquiries or the
// cancels. Call n is due at start plus the first n waits of the schedule;
// every call must end by the window's end, which is start plus all the
// waits plus one call timeout. So a phase lasts at most its schedule and
// one call, however slowly the acquirer answers, and the worst case of a
// whole sale is a sum anyone can check: the pay timeout, then each phase's
// waits and one call timeout.
//
// Each due time is served by one call: a call that overruns the next due
// time makes the next call go as soon as it returns, and the window's end
// cuts off what no longer fits. A wake-up (Notify) brings a call forward,
// at most one per minimum interval; it serves the due times within that
// interval, never more, so a burst of wake-ups never uses up the schedule
// or shortens the window.
type window struct {
	due         []time.Time
	end         time.Time
	callTimeout time.Duration
	minGap      time.Duration

	next int       // the first due time not yet served
	last time.Time // when the last call began; zero before the first
	// woken reports that the call about to begin (the last one) was brought
	// forward by a wake-up.
	woken bool
}

// newWindowFrom is the window of a schedule that began at origin, as seen
// at now: the due times already past are dropped, and when any was, one
// call is due at once. A sale resumed after a crash is inquired about once
// at least, and for no longer than its first run would have been.
func newWindowFrom(origin, now time.Time, s Schedule, callTimeout time.Duration) *window {
	w := newWindow(origin, s, callTimeout)
	kept := w.due[:0]
	for _, d := range w.due {
		if d.After(now) {
			kept = append(kept, d)
		}
	}
	if len(kept) < len(w.due) {
		kept = append([]time.Time{now}, kept...)
	}
	w.due = kept
	last := now
	if len(kept) > 0 {
		last = kept[len(kept)-1]
	}
	if w.end.Before(last.Add(callTimeout)) {
		w.end = last.Add(callTimeout)
	}
	return w
}

func newWindow(start time.Time, s Schedule, callTimeout time.Duration) *window {
	w := &window{callTimeout: callTimeout, minGap: s.MinInterval}
	if w.minGap <= 0 {
		w.minGap = DefaultMinInterval
	}
	at := start
	for _, d := range s.Inquiry {
		at = at.Add(d)
		w.due = append(w.due, at)
	}
	w.end = at.Add(callTimeout)
	return w
}

// wait blocks until the next call may begin and reports true, or reports
// false when no call is left in the window or ctx ended first.
func (w *window) wait(ctx context.Context, wake <-chan struct{}) bool {
	if w.next >= len(w.due) || ctx.Err() != nil {
		return false
	}
	at := w.due[w.next]
	if w.woken && at.Before(w.last.Add(w.minGap)) {
		at = w.last.Add(w.minGap)
	}
	due := time.NewTimer(time.Until(at))
	defer due.Stop()
	// A wake-up within the minimum interval of the last call is held back
	// until the interval has passed.
	held := time.NewTimer(time.Hour)
	held.Stop()
	defer held.Stop()
	var early <-chan time.Time
	for {
		select {
		case <-due.C:
			w.next++
			return w.begin(false)
		case <-early:
			return w.wake()
		case <-wake:
			if w.last.IsZero() || time.Since(w.last) >= w.minGap {
				return w.wake()
			}
			if early == nil {
				held.Reset(time.Until(w.last.Add(w.minGap)))
				early = held.C
			}
		case <-ctx.Done():
			return false
		}
	}
}

// wake begins a call brought forward, which serves the due times within
// the minimum interval after it, except the window's last: that one still
// happens, at its time or a minimum interval later.
func (w *window) wake() bool {
	if !w.begin(true) {
		return false
	}
	served := w.last.Add(w.minGap)
	for w.next < len(w.due) {
		due := w.due[w.next]
		last := w.next == len(w.due)-1
		if due.After(w.last) && (last || !due.Before(served)) {
			break
		}
		w.next++
	}
	return true
}

func (w *window) begin(woken bool) bool {
	now := time.Now()
	if !now.Before(w.end) {
		w.next = len(w.due)
		return false
	}
	w.last, w.woken = now, woken
	return true
}

// callContext bounds one call: its own timeout, and the window's end.
func (w *window) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(w.callTimeout)
	if w.end.Before(deadline) {
		deadline = w.end
	}
	return context.WithDeadline(ctx, deadline)
}
