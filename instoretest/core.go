package instoretest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// errClosed is returned to in-process requests made after Close.
var errClosed = errors.New("instoretest: simulator closed")

// maxRequestBody caps what a simulator reads from one request, as a real
// gateway would.
const maxRequestBody = 1 << 20

// Request is one request a simulator received, as its request log keeps it.
type Request struct {
	Endpoint Endpoint
	Method   string
	// Path is the URL path, without the query.
	Path   string
	Query  string
	Header http.Header
	Body   []byte
	// Key is the sale the request is about, where the simulator can tell:
	// the request id (Omise metadata instore_request_id, Alipay+
	// paymentRequestId), else the object id in the path.
	Key string
	// Fault is the fault the request met.
	Fault Fault
	// At is the time.Now at arrival (virtual time in a synctest bubble).
	At time.Time
}

// Delivery is one attempt to deliver an Omise webhook or an Alipay+
// notification.
type Delivery struct {
	URL string
	// Key is the event key (Omise) or the paymentRequestId (Alipay+).
	Key string
	// EventID is the Omise event id; empty for Alipay+.
	EventID string
	Attempt int
	// Status is the receiver's HTTP status, 0 when no answer came.
	Status int
	// Acknowledged reports that the receiver accepted it, so it will not be
	// sent again.
	Acknowledged bool
	// Err describes a failure to get an answer.
	Err string
	// At is when the attempt was sent. An attempt is in the log from then
	// on, so a test that saw its receiver run finds it; Done turns true
	// (with Status, Acknowledged and Err) when its answer came or it
	// failed.
	At   time.Time
	Done bool
	// Storm reports a duplicate sent by a FaultStorm, not the simulator's
	// regular delivery.
	Storm bool
}

// exchange is one request on its way through a simulator.
type exchange struct {
	r        *http.Request
	body     []byte
	endpoint Endpoint
	key      string
	params   []string // path parameters, in order
	fault    Fault
	readErr  bool
	// subject is the payment or refund the request turned out to be
	// about, where the handler names it (for FaultStorm).
	subject any
}

// cut says how an answer ends.
type cut int

const (
	cutNone        cut = iota
	cutDrop            // no answer: the connection closes
	cutTruncate        // status, headers and half the body, then the connection closes
	cutStreamReset     // no answer: the HTTP/2 stream is reset (RST_STREAM PROTOCOL_ERROR)
)

// reply is a simulator's answer, before it is written to a socket or
// turned into an in-process *http.Response.
type reply struct {
	status int
	header http.Header
	body   []byte
	cut    cut
	// rst ends a cut connection with a TCP RST instead of a FIN.
	rst bool
}

// service is what the transports need from a simulator (or from a plain
// http.Handler, see HandlerClient).
type service interface {
	// begin reads the request and decides its fault.
	begin(r *http.Request) *exchange
	// finish processes the request under its fault. An error means no
	// answer: the context ended during a delay or the simulator closed.
	finish(ctx context.Context, ex *exchange) (reply, error)
	// closed is closed when the service stops.
	closed() <-chan struct{}
}

// core is what both simulators share: faults, the request log, the two ways
// in (socket and in process), the clock and the lifecycle of background
// work (timers, webhook deliveries).
type core struct {
	faults *faults
	now    func() time.Time
	handle func(ex *exchange) reply
	route  func(ex *exchange)
	// storm sends a FaultStorm's deliveries about what ex was about; nil
	// for a simulator that sends none.
	storm func(ex *exchange)
	// http2 makes the loopback server speak HTTP/2 cleartext too, and
	// h2Marker is the body a handler writes for a stream the listener must
	// reset (see h2reset.go).
	http2    bool
	h2Marker []byte

	mu        sync.Mutex
	isClosed  bool
	timers    map[*time.Timer]struct{}
	wg        sync.WaitGroup
	done      chan struct{}
	base      context.Context // cancelled by Close, for deliveries in flight
	stop      context.CancelFunc
	requests  []Request
	delivered []Delivery

	serverOnce sync.Once
	server     *httptest.Server
	client     *http.Client
	closeOnce  sync.Once
	closers    []func()
}

func newCore(cfg *config) *core {
	c := &core{
		faults: newFaults(cfg.seed),
		now:    cfg.clock,
		timers: make(map[*time.Timer]struct{}),
		done:   make(chan struct{}),
		http2:  cfg.http2,
	}
	c.h2Marker = []byte("\x00instoretest-reset-stream-" + randomBase36(16) + "\x00")
	c.base, c.stop = context.WithCancel(context.Background())
	if c.now == nil {
		c.now = time.Now
	}
	c.client = &http.Client{Transport: &inProcessTransport{svc: c}}
	return c
}

// InProcessURL is a base URL for clients that reach a simulator through its
// HTTPClient: the in-process transport ignores the host, and a loopback
// address passes the clients' "https except on loopback" check. Nothing
// listens on it, so a client given this URL but not the in-process
// HTTPClient fails at once instead of reaching something else.
const InProcessURL = "http://127.0.0.1:1"

// serverURL implements URL for both simulators.
func (c *core) serverURL() string {
	c.serverOnce.Do(func() {
		h := http.HandlerFunc(c.serveSocket)
		if !c.http2 {
			c.server = httptest.NewServer(h)
			return
		}
		s := httptest.NewUnstartedServer(h)
		s.Config.Protocols = new(http.Protocols)
		s.Config.Protocols.SetHTTP1(true)
		s.Config.Protocols.SetUnencryptedHTTP2(true)
		s.Listener = &resetListener{Listener: s.Listener, marker: c.h2Marker}
		s.Start()
		c.server = s
	})
	if c.server == nil {
		return "" // closed before the server was started
	}
	return c.server.URL
}

// inProcessClient implements HTTPClient for both simulators.
func (c *core) inProcessClient() *http.Client { return c.client }

// injectFault implements InjectFault for both simulators.
func (c *core) injectFault(e Endpoint, n int, f Fault) { c.faults.inject(e, n, f) }

// setRandomFaults implements SetRandomFaults for both simulators.
func (c *core) setRandomFaults(e Endpoint, faults ...RandomFault) { c.faults.setRandom(e, faults) }

// clearFaults implements ClearFaults for both simulators.
func (c *core) clearFaults() { c.faults.clear() }

// requestLog implements Requests for both simulators.
func (c *core) requestLog() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Request(nil), c.requests...)
}

// deliveries implements Deliveries for both simulators.
func (c *core) deliveries() []Delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Delivery(nil), c.delivered...)
}

// close implements Close for both simulators.
func (c *core) close() {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.isClosed = true
		for t := range c.timers {
			t.Stop()
		}
		clear(c.timers)
		close(c.done)
		c.stop()
		c.mu.Unlock()
		c.wg.Wait()
		c.serverOnce.Do(func() {}) // no server may start after Close
		if c.server != nil {
			c.server.Close()
		}
		for _, f := range c.closers {
			f()
		}
	})
}

func (c *core) closed() <-chan struct{} { return c.done }

// spawnLocked runs f in a goroutine that Close waits for, unless the
// simulator is closed already. c.mu is held.
func (c *core) spawnLocked(f func()) {
	if c.isClosed {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
}

// afterLocked runs f after d on a timer that Close stops. c.mu is held.
func (c *core) afterLocked(d time.Duration, f func()) {
	if c.isClosed {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		c.mu.Lock()
		delete(c.timers, t)
		if c.isClosed {
			c.mu.Unlock()
			return
		}
		c.wg.Add(1)
		c.mu.Unlock()
		defer c.wg.Done()
		f()
	})
	c.timers[t] = struct{}{}
}

// sleep waits d, and reports false if ctx ended or the simulator closed
// first.
func (c *core) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-c.done:
		return false
	}
}

// deliverWithRetries makes the attempts of one webhook or notification
// delivery, once(1), once(2)..., until once reports it acknowledged or
// retries retries were made, waiting backoff, then twice that, and so on,
// in between. Close ends the waits.
func (c *core) deliverWithRetries(retries int, backoff time.Duration, once func(attempt int) bool) {
	wait := backoff
	for attempt := 1; ; attempt++ {
		if once(attempt) || attempt > retries {
			return
		}
		if !c.sleep(context.Background(), wait) {
			return
		}
		wait *= 2
	}
}

// recordSent logs a delivery attempt as it is sent and returns its place
// in the log, for recordAnswer.
func (c *core) recordSent(d Delivery) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delivered = append(c.delivered, d)
	return len(c.delivered) - 1
}

// recordAnswer completes the logged attempt i with its outcome.
func (c *core) recordAnswer(i, status int, acked bool, errText string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := &c.delivered[i]
	d.Status, d.Acknowledged, d.Err, d.Done = status, acked, errText, true
}

func (c *core) begin(r *http.Request) *exchange {
	ex := readExchange(r)
	c.route(ex)
	if ex.endpoint != "" && !ex.readErr {
		ex.fault = c.faults.next(ex.endpoint, ex.key)
	}
	c.mu.Lock()
	c.requests = append(c.requests, Request{
		Endpoint: ex.endpoint,
		Method:   r.Method,
		Path:     r.URL.Path,
		Query:    r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     ex.body,
		Key:      ex.key,
		Fault:    ex.fault,
		At:       time.Now(),
	})
	c.mu.Unlock()
	return ex
}

func (c *core) finish(ctx context.Context, ex *exchange) (reply, error) {
	select {
	case <-c.done:
		return reply{}, errClosed
	default:
	}
	rep, err := c.serve(ctx, ex)
	rep.rst = ex.fault.Reset
	return rep, err
}

// serve processes the request under its fault.
func (c *core) serve(ctx context.Context, ex *exchange) (reply, error) {
	f := ex.fault
	switch f.Kind {
	case FaultDropBefore:
		return reply{cut: cutDrop}, nil
	case FaultRateLimit:
		after := f.RetryAfter
		if after <= 0 {
			after = time.Second
		}
		secs := int((after + time.Second - 1) / time.Second)
		rep := htmlReply(http.StatusTooManyRequests)
		rep.header.Set("Retry-After", strconv.Itoa(secs))
		return rep, nil
	case FaultStatus:
		if f.Processed {
			c.handle(ex)
		}
		status := f.Status
		if status == 0 {
			status = http.StatusServiceUnavailable
		}
		return htmlReply(status), nil
	case FaultNonJSON:
		if f.Processed {
			c.handle(ex)
		}
		return htmlReply(http.StatusOK), nil
	case FaultDropAfter:
		c.handle(ex)
		return reply{cut: cutDrop}, nil
	case FaultTruncated:
		rep := c.handle(ex)
		rep.cut = cutTruncate
		return rep, nil
	case FaultDelay:
		rep := c.handle(ex)
		if !c.sleep(ctx, f.Delay) {
			if err := ctx.Err(); err != nil {
				return reply{}, err
			}
			return reply{}, errClosed
		}
		return rep, nil
	case FaultLate:
		return c.late(ctx, ex)
	case FaultStreamReset:
		c.handle(ex)
		return reply{cut: cutStreamReset}, nil
	case FaultStorm:
		rep := c.handle(ex)
		if c.storm != nil {
			c.storm(ex)
		}
		return rep, nil
	}
	// FaultForeign, FaultNotFound and the Alipay+ kinds change what the
	// simulator answers: its handler deals with them.
	return c.handle(ex), nil
}

// readExchange reads r's body, at most maxRequestBody bytes of it.
func readExchange(r *http.Request) *exchange {
	ex := &exchange{r: r}
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
		ex.body = b
		ex.readErr = err != nil || len(b) > maxRequestBody
	}
	return ex
}

// htmlReply is the kind of page a proxy answers with: not JSON.
func htmlReply(status int) reply {
	h := make(http.Header)
	h.Set("Content-Type", "text/html; charset=utf-8")
	body := "<html><head><title>" + strconv.Itoa(status) + " " + http.StatusText(status) +
		"</title></head><body><h1>" + http.StatusText(status) + "</h1><hr>instoretest</body></html>\n"
	return reply{status: status, header: h, body: []byte(body)}
}

// jsonReply answers v, already encoded, with status.
func jsonReply(status int, body []byte) reply {
	h := make(http.Header)
	h.Set("Content-Type", "application/json; charset=utf-8")
	return reply{status: status, header: h, body: body}
}

// serveSocket is the loopback server's handler.
func (c *core) serveSocket(w http.ResponseWriter, r *http.Request) {
	ex := c.begin(r)
	if ex.fault.Kind == FaultDropBefore {
		hangUp(w, ex.fault.Reset)
		return
	}
	rep, err := c.finish(r.Context(), ex)
	if err != nil {
		hangUp(w, false)
		return
	}
	if rep.cut == cutStreamReset {
		c.resetStream(w, r, rep.rst)
		return
	}
	writeReply(w, rep)
}

func writeReply(w http.ResponseWriter, rep reply) {
	if rep.cut == cutDrop {
		hangUp(w, rep.rst)
		return
	}
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	w.WriteHeader(rep.status)
	if rep.cut == cutTruncate {
		_, _ = w.Write(rep.body[:len(rep.body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		hangUp(w, rep.rst)
		return
	}
	_, _ = w.Write(rep.body)
}

// lingerer is a connection whose close can be made a TCP RST.
type lingerer interface{ SetLinger(sec int) error }

// hangUp closes the connection under a request without a (complete)
// answer: with a FIN, or with a TCP RST when rst is set (SO_LINGER 0 makes
// the close discard what is unsent and reset the connection). An HTTP/2
// stream cannot be hijacked: it is reset with INTERNAL_ERROR instead (the
// handler's abort), which Go's client does not retry.
func hangUp(w http.ResponseWriter, rst bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if l, ok := conn.(lingerer); ok && rst {
		_ = l.SetLinger(0)
	}
	_ = conn.Close()
}

// replyBody returns a reader for an in-process response body.
func replyBody(rep reply) io.ReadCloser {
	if rep.cut == cutTruncate {
		err := io.ErrUnexpectedEOF
		if rep.rst {
			err = droppedError{written: true, reset: true}
		}
		return io.NopCloser(io.MultiReader(bytes.NewReader(rep.body[:len(rep.body)/2]), errReader{err}))
	}
	return io.NopCloser(bytes.NewReader(rep.body))
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
