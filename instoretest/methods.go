package instoretest

import "net/http"

// The methods every simulator has, forwarded to the shared core so that
// each type documents its own.

// URL returns the base URL of the simulator's loopback server, starting the
// server on first use. Code running inside a testing/synctest bubble must not
// call it (a goroutine blocked on a socket stops virtual time): use
// HTTPClient instead.
func (o *Omise) URL() string { return o.serverURL() }

// HTTPClient returns an *http.Client that serves every request in process
// by calling the simulator directly, whatever the request's host: no socket,
// no goroutine, so it works inside testing/synctest bubbles. Faults behave as
// on the socket server; dropped connections come back as errors, with the
// httptrace hooks fired as net/http would fire them.
func (o *Omise) HTTPClient() *http.Client { return o.inProcessClient() }

// InjectFault makes the next n requests to e meet fault f, after any faults
// injected earlier for e. Injected faults come before random ones.
func (o *Omise) InjectFault(e Endpoint, n int, f Fault) { o.injectFault(e, n, f) }

// SetRandomFaults makes requests to e meet the given faults at their rates
// (one draw per request, the rates adding up to at most 1), replacing any
// set before for e. No faults clears them. Draws are seeded (WithSeed) and
// keyed by the sale a request is about, so a run is reproducible.
func (o *Omise) SetRandomFaults(e Endpoint, faults ...RandomFault) {
	o.setRandomFaults(e, faults...)
}

// ClearFaults removes every injected and random fault.
func (o *Omise) ClearFaults() { o.clearFaults() }

// Requests returns a copy of the request log, in arrival order.
func (o *Omise) Requests() []Request { return o.requestLog() }

// Deliveries returns a copy of the webhook or notification delivery
// attempts made so far, in order. An attempt is logged as it is sent, so a
// test that saw its receiver run finds it at once; its Done turns true when
// the answer came.
func (o *Omise) Deliveries() []Delivery { return o.deliveries() }

// Close stops the simulator: the loopback server if it was started, pending
// timers, deliveries in flight and delayed answers. It returns when nothing
// of the simulator is left running. It is safe to call more than once.
func (o *Omise) Close() { o.close() }

// URL returns the base URL of the simulator's loopback server, starting the
// server on first use. Code running inside a testing/synctest bubble must not
// call it (a goroutine blocked on a socket stops virtual time): use
// HTTPClient instead.
func (a *AlipayPlus) URL() string { return a.serverURL() }

// HTTPClient returns an *http.Client that serves every request in process
// by calling the simulator directly, whatever the request's host: no socket,
// no goroutine, so it works inside testing/synctest bubbles. Faults behave as
// on the socket server; dropped connections come back as errors, with the
// httptrace hooks fired as net/http would fire them.
func (a *AlipayPlus) HTTPClient() *http.Client { return a.inProcessClient() }

// InjectFault makes the next n requests to e meet fault f, after any faults
// injected earlier for e. Injected faults come before random ones.
func (a *AlipayPlus) InjectFault(e Endpoint, n int, f Fault) { a.injectFault(e, n, f) }

// SetRandomFaults makes requests to e meet the given faults at their rates
// (one draw per request, the rates adding up to at most 1), replacing any
// set before for e. No faults clears them. Draws are seeded (WithSeed) and
// keyed by the sale a request is about, so a run is reproducible.
func (a *AlipayPlus) SetRandomFaults(e Endpoint, faults ...RandomFault) {
	a.setRandomFaults(e, faults...)
}

// ClearFaults removes every injected and random fault.
func (a *AlipayPlus) ClearFaults() { a.clearFaults() }

// Requests returns a copy of the request log, in arrival order.
func (a *AlipayPlus) Requests() []Request { return a.requestLog() }

// Deliveries returns a copy of the webhook or notification delivery
// attempts made so far, in order. An attempt is logged as it is sent, so a
// test that saw its receiver run finds it at once; its Done turns true when
// the answer came.
func (a *AlipayPlus) Deliveries() []Delivery { return a.deliveries() }

// Close stops the simulator: the loopback server if it was started, pending
// timers, deliveries in flight and delayed answers. It returns when nothing
// of the simulator is left running. It is safe to call more than once.
func (a *AlipayPlus) Close() { a.close() }
