package instoretest

import "context"

// late serves a FaultLate: the request waits Fault.Delay on a timer the
// simulator owns, then is processed whether or not its client still waits,
// as a request stuck in a proxy queue lands after the cashier gave up.
// Close stops the timer: the request is then never processed.
func (c *core) late(ctx context.Context, ex *exchange) (reply, error) {
	// The processing outlives the request: keep a copy whose context
	// does not end with the client's, and whose headers and URL no one
	// changes under it.
	ex.r = ex.r.Clone(context.WithoutCancel(ex.r.Context()))
	done := make(chan reply, 1)
	c.mu.Lock()
	c.afterLocked(ex.fault.Delay, func() { done <- c.handle(ex) })
	c.mu.Unlock()
	select {
	case rep := <-done:
		return rep, nil
	case <-ctx.Done():
		return reply{}, ctx.Err()
	case <-c.done:
		return reply{}, errClosed
	}
}
