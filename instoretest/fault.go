package instoretest

import (
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Endpoint names one operation of a simulator, for faults and the request
// log. The Omise names are the method and path pattern; the Alipay+ names
// are the operation, whatever the flavour (/ams or /aps) of the path.
type Endpoint string

// AnyEndpoint matches every endpoint of a simulator: a fault injected for it
// is served by the next request to any endpoint, and random faults set for
// it apply to endpoints that have none of their own.
const AnyEndpoint Endpoint = "*"

// FaultKind is what goes wrong with one request.
type FaultKind int

// Fault kinds. The Omise and PPRO simulators serve the Alipay+-only kinds
// as FaultNone. Whether the simulator acts on the request (creates the
// charge, takes the payment) before the fault strikes is part of each kind,
// because that is what decides whether a client may safely send it again.
// Kinds that end a connection (FaultDropBefore, FaultDropAfter,
// FaultTruncated, FaultStreamReset over HTTP/1.1) close it with a FIN, or
// with a TCP RST when Fault.Reset is set.
const (
	// FaultNone serves the request normally.
	FaultNone FaultKind = iota
	// FaultDelay processes the request at once and holds the answer for
	// Fault.Delay: a client that gives up first does not see that the
	// payment happened.
	FaultDelay
	// FaultDropBefore drops the connection before the request is processed.
	// In process the request is reported as never written (httptrace sees
	// GetConn and GotConn but no WroteRequest), like a connection that broke
	// while sending; on the socket server the request was written, read and
	// ignored, then the connection is closed.
	FaultDropBefore
	// FaultDropAfter processes the request, then drops the connection
	// instead of answering: the payment happened, the answer never arrives.
	// With Fault.Reset the socket server ends the connection with a TCP RST
	// instead of a FIN: the client reads "connection reset by peer"
	// (syscall.ECONNRESET) instead of an EOF. Neither makes net/http send a
	// POST again (a transport replays only requests it deems idempotent: a
	// GET, or one with an Idempotency-Key header, on a reused connection);
	// the RST variant is for clients that tell the two errors apart.
	FaultDropAfter
	// FaultStatus answers Fault.Status (500, 502 or 503; 503 when zero)
	// with an HTML page, as a proxy or load balancer would. The request is
	// processed first only when Fault.Processed is set.
	FaultStatus
	// FaultRateLimit answers 429 Too Many Requests with a Retry-After of
	// Fault.RetryAfter (1 s when zero). The request is never processed.
	FaultRateLimit
	// FaultTruncated processes the request and sends the status, the
	// headers and half of the body, then drops the connection: reading the
	// body fails with an unexpected EOF (a connection reset with
	// Fault.Reset).
	FaultTruncated
	// FaultNonJSON answers 200 OK with an HTML body instead of JSON. The
	// request is processed first only when Fault.Processed is set.
	FaultNonJSON
	// FaultUnsigned (Alipay+ only) processes the request and sends the
	// answer without its Signature header.
	FaultUnsigned
	// FaultBadSignature (Alipay+ only) processes the request and sends the
	// answer with a signature that does not verify.
	FaultBadSignature
	// FaultUnknown (Alipay+ only) answers a signed result with status U
	// (UNKNOWN_EXCEPTION) instead of the real one. The request is processed
	// first only when Fault.Processed is set.
	FaultUnknown
	// FaultLate is a request stuck in a proxy queue: it is not processed
	// when it arrives but Fault.Delay later, on a timer the simulator owns
	// (Close stops it, and then the request is never processed), whether or
	// not the client still waits. A client that still waits gets the answer
	// then; one whose context ended first gets the context's error, the
	// request counting as written (in process WroteRequest has fired). The
	// payment is made after the cashier gave up, and a cancel sent in the
	// meantime finds nothing to cancel.
	FaultLate
	// FaultStreamReset processes the request, then resets its HTTP/2 stream
	// with RST_STREAM PROTOCOL_ERROR instead of answering. Go's HTTP/2
	// client (net/http's bundled one and golang.org/x/net/http2) treats
	// that as retryable and sends the request again by itself when it can
	// rewind the body (Request.GetBody set, as for bytes.Reader,
	// bytes.Buffer and strings.Reader bodies, or no body): the payment is
	// made twice unless the protocol deduplicates it. net/http's Transport
	// replays at once, on a new connection, and with no bound. In process
	// the transport behaves as that client: it serves the replay as a new
	// arrival (logged, meeting a fault of its own), at most 7 times (then
	// the stream error is returned, as x/net/http2's Transport does); a
	// body it cannot rewind gets net/http's "http2: Transport: cannot
	// retry err [stream error: ...; PROTOCOL_ERROR; received from peer]
	// after Request.Body was written" error, with WroteRequest fired. The
	// socket server resets the stream when it speaks HTTP/2 (WithHTTP2);
	// over HTTP/1.1 it drops the connection after processing, as
	// FaultDropAfter.
	FaultStreamReset
	// FaultForeign answers with a well-formed answer, signed where the
	// protocol signs (Alipay+), that describes another payment:
	// Fault.Foreign says what it gets wrong. With Fault.Processed the
	// request is processed and its own answer is falsified; without, the
	// request is not processed and the answer describes a made-up
	// successful payment (or refund) of another sale. Answers that describe
	// no payment (errors, refused calls, lists, sources, events) pass
	// unchanged; an endpoint whose answers never describe one serves the
	// request as FaultNone.
	FaultForeign
	// FaultNotFound is a lagging replica: the request is not processed and
	// is answered with the endpoint's documented "not found", though the
	// payment may well exist: Omise 404 not_found on every endpoint with an
	// object id in its path; Alipay+ F ORDER_NOT_EXIST, signed, on every
	// endpoint (pay included: a repeated pay is told its payment does not
	// exist); PPRO REQUESTFAILREASON=TX_NOT_FOUND on GETTXSTATUS,
	// GETTXSTATUSBYMERCHANTTXID and CANCELTX, REFUND_NOT_FOUND on the
	// refund lookups, and REFUND's "Transaction not found". Endpoints that
	// cannot say "not found" (Omise lists and POST /charges, PPRO
	// TRANSACTION) serve the request as FaultNone.
	FaultNotFound
	// FaultStorm serves the request normally, then delivers Fault.Count
	// webhooks or notifications (20 when zero) about the payment it was
	// about, in its current state, spread evenly over Fault.Spread (200 ms
	// when zero), each one attempt with no retry, through the simulator's
	// webhook or notification client, to its configured URL (none
	// configured: no storm). Omise delivers the charge's latest charge.*
	// event again (the refund.create event on refund endpoints). Alipay+
	// and PPRO notify only final states: for a payment that is final the
	// storm goes out at once; for one still pending it goes out when the
	// payment becomes final, beside the regular notification (never, if it
	// is cancelled on Alipay+, which sends no notification for that). Their
	// refunds are not notified, so a storm on a refund endpoint sends
	// nothing. Each delivery is in Deliveries with Storm set.
	FaultStorm
)

// String returns the kind's short name ("drop-after").
func (k FaultKind) String() string {
	switch k {
	case FaultNone:
		return "none"
	case FaultDelay:
		return "delay"
	case FaultDropBefore:
		return "drop-before"
	case FaultDropAfter:
		return "drop-after"
	case FaultStatus:
		return "status"
	case FaultRateLimit:
		return "rate-limit"
	case FaultTruncated:
		return "truncated"
	case FaultNonJSON:
		return "non-json"
	case FaultUnsigned:
		return "unsigned"
	case FaultBadSignature:
		return "bad-signature"
	case FaultUnknown:
		return "unknown"
	case FaultLate:
		return "late"
	case FaultStreamReset:
		return "stream-reset"
	case FaultForeign:
		return "foreign"
	case FaultNotFound:
		return "not-found"
	case FaultStorm:
		return "storm"
	}
	return "fault(" + strconv.Itoa(int(k)) + ")"
}

// Fault is one thing going wrong with one request.
type Fault struct {
	Kind FaultKind
	// Delay is how long FaultDelay holds the answer, and how long FaultLate
	// holds the request before processing it.
	Delay time.Duration
	// Jitter, when positive, adds to Delay a duration drawn uniformly from
	// [0, Jitter) by the seeded source, per request; the request log shows
	// the Delay drawn.
	Jitter time.Duration
	// Status is the HTTP status of FaultStatus.
	Status int
	// RetryAfter is the Retry-After of FaultRateLimit, in whole seconds.
	RetryAfter time.Duration
	// Processed makes FaultStatus, FaultNonJSON, FaultUnknown and
	// FaultForeign act on the request before answering badly. The other
	// kinds ignore it.
	Processed bool
	// Reset makes a fault that ends the connection on the socket server
	// end it with a TCP RST instead of a FIN; in process the error then
	// matches syscall.ECONNRESET.
	Reset bool
	// Foreign is what a FaultForeign answer gets wrong; ForeignAny draws
	// it from the seeded source, per request, and the request log shows
	// the one drawn.
	Foreign ForeignField
	// Count and Spread shape a FaultStorm: Count deliveries spread evenly
	// over Spread.
	Count  int
	Spread time.Duration
}

// RandomFault is a fault served to a share of the requests to an endpoint.
type RandomFault struct {
	// Rate is the probability, from 0 to 1, that a request meets Fault.
	Rate  float64
	Fault Fault
}

// faults decides which fault, if any, each request meets. Scripted faults
// come first, in order; then random ones, drawn so that the nth request
// about one sale (one request id) meets the same fault whatever other sales
// run beside it: each draw comes from a PCG stream seeded with the
// simulator's seed and a hash of (endpoint, key, n). The same stream then
// settles what a fault leaves to chance (Jitter, ForeignAny), so that too is
// the same for the nth request about a sale.
type faults struct {
	mu       sync.Mutex
	seed     uint64
	scripted map[Endpoint][]Fault
	random   map[Endpoint][]RandomFault
	seen     map[string]uint64
	// seenScripted counts scripted faults served per (endpoint, key), for
	// the draws that settle them.
	seenScripted map[string]uint64
}

func newFaults(seed uint64) *faults {
	return &faults{
		seed:         seed,
		scripted:     make(map[Endpoint][]Fault),
		random:       make(map[Endpoint][]RandomFault),
		seen:         make(map[string]uint64),
		seenScripted: make(map[string]uint64),
	}
}

func (f *faults) inject(e Endpoint, n int, fault Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.scripted[e] = append(f.scripted[e], fault)
	}
}

func (f *faults) setRandom(e Endpoint, rf []RandomFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(rf) == 0 {
		delete(f.random, e)
		return
	}
	f.random[e] = append([]RandomFault(nil), rf...)
}

func (f *faults) clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.scripted)
	clear(f.random)
}

// stream is the seeded source of draw n about id.
func (f *faults) stream(id string, n uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(id))
	return rand.New( //nolint:gosec // fault draws must be seeded and reproducible, not secret
		rand.NewPCG(f.seed, h.Sum64()^n*0x9e3779b97f4a7c15))
}

// next returns the fault for a request to e about key ("" when the request
// names no sale).
func (f *faults) next(e Endpoint, key string) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := string(e) + "\x00" + key
	for _, k := range [...]Endpoint{e, AnyEndpoint} {
		if q := f.scripted[k]; len(q) > 0 {
			f.scripted[k] = q[1:]
			if len(f.scripted[k]) == 0 {
				delete(f.scripted, k)
			}
			n := f.seenScripted[id]
			f.seenScripted[id] = n + 1
			return settle(q[0], f.stream(id+"\x00scripted", n))
		}
	}
	rf, ok := f.random[e]
	if !ok {
		rf = f.random[AnyEndpoint]
	}
	if len(rf) == 0 {
		return Fault{}
	}
	n := f.seen[id]
	f.seen[id] = n + 1
	r := f.stream(id, n)
	u := r.Float64()
	for _, rnd := range rf {
		if u < rnd.Rate {
			return settle(rnd.Fault, r)
		}
		u -= rnd.Rate
	}
	return Fault{}
}

// settle draws what fault leaves to chance from r.
func settle(fault Fault, r *rand.Rand) Fault {
	if fault.Jitter > 0 {
		fault.Delay += time.Duration(r.Int64N(int64(fault.Jitter)))
	}
	if fault.Kind == FaultForeign && fault.Foreign == ForeignAny {
		fault.Foreign = ForeignField(1 + r.IntN(int(foreignFields)))
	}
	return fault
}
