// Package inflight lets one delivery of a notification run at a time per
// key, for the webhook and notification handlers: a sender that retries
// before the first delivery was answered must not make the merchant's
// function run twice at once for one event. Together with a dedup store,
// marked only after the function succeeded, it makes a redelivery run the
// function at most once in one process.
package inflight

import (
	"context"
	"sync"
)

// Set holds the keys being handled. Its zero value is ready to use. It
// holds a key only while its delivery runs, so its size is bounded by the
// number of concurrent deliveries.
type Set struct {
	mu      sync.Mutex
	running map[string]chan struct{} // closed when the key's delivery ends
}

// Acquire waits until no other delivery of key is running, then claims it.
// It reports false when ctx ended first; the caller then must not Release.
func (s *Set) Acquire(ctx context.Context, key string) bool {
	for {
		s.mu.Lock()
		done, busy := s.running[key]
		if !busy {
			if s.running == nil {
				s.running = make(map[string]chan struct{})
			}
			s.running[key] = make(chan struct{})
			s.mu.Unlock()
			return true
		}
		s.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return false
		}
	}
}

// Release ends the delivery of key that Acquire claimed, waking the
// deliveries waiting for it.
func (s *Set) Release(key string) {
	s.mu.Lock()
	done := s.running[key]
	delete(s.running, key)
	s.mu.Unlock()
	if done != nil {
		close(done)
	}
}

// Len returns how many keys are being handled.
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.running)
}
