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

// Fault kinds. The Omise simulator serves the Alipay+-only kinds as
// FaultNone. Whether the simulator acts on the request (creates the
// charge, takes the payment) before the fault strikes is part of each kind,
// because that is what decides whether a client may safely send it again.
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
	// body fails with an unexpected EOF.
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
	}
	return "fault(" + strconv.Itoa(int(k)) + ")"
}

// Fault is one thing going wrong with one request.
type Fault struct {
	Kind FaultKind
	// Delay is how long FaultDelay holds the answer.
	Delay time.Duration
	// Status is the HTTP status of FaultStatus.
	Status int
	// RetryAfter is the Retry-After of FaultRateLimit, in whole seconds.
	RetryAfter time.Duration
	// Processed makes FaultStatus, FaultNonJSON and FaultUnknown act on the
	// request before answering badly. The other kinds ignore it.
	Processed bool
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
// simulator's seed and a hash of (endpoint, key, n).
type faults struct {
	mu       sync.Mutex
	seed     uint64
	scripted map[Endpoint][]Fault
	random   map[Endpoint][]RandomFault
	seen     map[string]uint64
}

func newFaults(seed uint64) *faults {
	return &faults{
		seed:     seed,
		scripted: make(map[Endpoint][]Fault),
		random:   make(map[Endpoint][]RandomFault),
		seen:     make(map[string]uint64),
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

// next returns the fault for a request to e about key ("" when the request
// names no sale).
func (f *faults) next(e Endpoint, key string) Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, k := range [...]Endpoint{e, AnyEndpoint} {
		if q := f.scripted[k]; len(q) > 0 {
			f.scripted[k] = q[1:]
			if len(f.scripted[k]) == 0 {
				delete(f.scripted, k)
			}
			return q[0]
		}
	}
	rf, ok := f.random[e]
	if !ok {
		rf = f.random[AnyEndpoint]
	}
	if len(rf) == 0 {
		return Fault{}
	}
	id := string(e) + "\x00" + key
	n := f.seen[id]
	f.seen[id] = n + 1
	h := fnv.New64a()
	h.Write([]byte(id))
	u := rand.New( //nolint:gosec // fault draws must be seeded and reproducible, not secret
		rand.NewPCG(f.seed, h.Sum64()^n*0x9e3779b97f4a7c15)).Float64()
	for _, r := range rf {
		if u < r.Rate {
			return r.Fault
		}
		u -= r.Rate
	}
	return Fault{}
}
