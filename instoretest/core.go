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
	At  time.Time
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
}

// cut says how an answer ends.
type cut int

const (
	cutNone     cut = iota
	cutDrop         // no answer: the connection closes
	cutTruncate     // status, headers and half the body, then the connection closes
)

// reply is a simulator's answer, before it is written to a socket or
// turned into an in-process *http.Response.
type reply struct {
	status int
	header http.Header
	body   []byte
	cut    cut
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
	}
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
		c.server = httptest.NewServer(http.HandlerFunc(c.serveSocket))
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

func (c *core) record(d Delivery) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delivered = append(c.delivered, d)
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
	}
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
		hangUp(w)
		return
	}
	rep, err := c.finish(r.Context(), ex)
	if err != nil {
		hangUp(w)
		return
	}
	writeReply(w, rep)
}

func writeReply(w http.ResponseWriter, rep reply) {
	if rep.cut == cutDrop {
		hangUp(w)
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
		hangUp(w)
		return
	}
	_, _ = w.Write(rep.body)
}

// hangUp closes the connection under a request without a (complete)
// answer.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// body returns a reader for an in-process response body.
func replyBody(rep reply) io.ReadCloser {
	if rep.cut == cutTruncate {
		return io.NopCloser(io.MultiReader(bytes.NewReader(rep.body[:len(rep.body)/2]), errReader{io.ErrUnexpectedEOF}))
	}
	return io.NopCloser(bytes.NewReader(rep.body))
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
