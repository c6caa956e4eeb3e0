package instoretest

import (
	"slices"
	"time"
)

// DefaultChaosRate is the share of requests ChaosFaults faults when the mix
// names no rate: about one request in five, so that a sale of a pay and a
// few inquiries usually meets a fault or two, and still, as a rule,
// completes.
const DefaultChaosRate = 0.2

// Default delays of the chaos mix's FaultDelay and FaultLate: around the
// SDK's 5 s per-attempt deadline, so that some answers and some requests
// land after the client gave up and some before.
const (
	defaultChaosMinDelay = time.Second
	defaultChaosMaxDelay = 8 * time.Second
)

// ChaosMix describes the random faults ChaosFaults returns.
type ChaosMix struct {
	// Rate is the share of requests that meet a fault, from 0 to 1; zero
	// means DefaultChaosRate.
	Rate float64
	// MinDelay and MaxDelay bound the delays of FaultDelay and FaultLate,
	// drawn per request between them (Fault.Jitter); zero means 1 s and
	// 8 s.
	MinDelay, MaxDelay time.Duration
	// Kinds keeps only the faults of these kinds, their weights scaled up
	// to Rate; empty means every kind.
	Kinds []FaultKind
}

// chaosWeights is the chaos mix: each fault with its weight, in shares of
// the rate. Every kind is here; variants that differ in what the client
// sees (processed or not, FIN or RST) are separate rows.
func chaosWeights(minDelay, maxDelay time.Duration) []struct {
	weight float64
	fault  Fault
} {
	jitter := max(maxDelay-minDelay, 0)
	return []struct {
		weight float64
		fault  Fault
	}{
		{2, Fault{Kind: FaultDelay, Delay: minDelay, Jitter: jitter}},
		{2, Fault{Kind: FaultLate, Delay: minDelay, Jitter: jitter}},
		{0.5, Fault{Kind: FaultDropBefore}},
		{0.5, Fault{Kind: FaultDropBefore, Reset: true}},
		{1, Fault{Kind: FaultDropAfter}},
		{1, Fault{Kind: FaultDropAfter, Reset: true}},
		{0.5, Fault{Kind: FaultStatus, Status: 502}},
		{0.5, Fault{Kind: FaultStatus, Status: 503}},
		{1, Fault{Kind: FaultStatus, Status: 500, Processed: true}},
		{1, Fault{Kind: FaultRateLimit, RetryAfter: time.Second}},
		{1, Fault{Kind: FaultTruncated}},
		{0.5, Fault{Kind: FaultNonJSON}},
		{0.5, Fault{Kind: FaultNonJSON, Processed: true}},
		{1, Fault{Kind: FaultUnsigned}},
		{1, Fault{Kind: FaultBadSignature}},
		{0.5, Fault{Kind: FaultUnknown}},
		{0.5, Fault{Kind: FaultUnknown, Processed: true}},
		{1.5, Fault{Kind: FaultForeign, Processed: true}},
		{0.5, Fault{Kind: FaultForeign}},
		{2, Fault{Kind: FaultNotFound}},
		{2, Fault{Kind: FaultStreamReset}},
		{1, Fault{Kind: FaultStorm, Count: defaultStormCount, Spread: defaultStormSpread}},
	}
}

// ChaosFaults returns a mix of every fault kind, for SetRandomFaults (on
// AnyEndpoint, say), so that a chaos test meets what can go wrong between a
// till and an acquirer without naming it. The mix, in shares of the rate
// (weights out of 22):
//
//	2    FaultDelay, MinDelay to MaxDelay        the answer late
//	2    FaultLate, MinDelay to MaxDelay         the request late
//	1    FaultDropBefore (half with Reset)       never processed
//	2    FaultDropAfter (half with Reset)        processed, no answer
//	2    FaultStatus: 502, 503; 500 processed    a proxy's page
//	1    FaultRateLimit, Retry-After 1 s
//	1    FaultTruncated                          processed, half an answer
//	1    FaultNonJSON (half processed)
//	1    FaultUnsigned                           Alipay+ only
//	1    FaultBadSignature                       Alipay+ only
//	1    FaultUnknown (half processed)           Alipay+ only
//	2    FaultForeign, 3/4 processed             another payment's answer
//	2    FaultNotFound                           a lagging replica
//	2    FaultStreamReset                        processed, then replayed
//	1    FaultStorm, 20 within 200 ms            duplicate notifications
//
// The Omise and PPRO simulators serve the three Alipay+ kinds as no fault,
// so a little less than Rate of their requests are faulted. The draws are
// seeded (WithSeed) and made per sale, as SetRandomFaults says.
func ChaosFaults(m ChaosMix) []RandomFault {
	rate := m.Rate
	if rate <= 0 {
		rate = DefaultChaosRate
	}
	rate = min(rate, 1)
	minDelay, maxDelay := m.MinDelay, m.MaxDelay
	if minDelay <= 0 && maxDelay <= 0 {
		minDelay, maxDelay = defaultChaosMinDelay, defaultChaosMaxDelay
	}
	maxDelay = max(maxDelay, minDelay)
	rows := chaosWeights(minDelay, maxDelay)
	total := 0.0
	for _, r := range rows {
		if len(m.Kinds) == 0 || slices.Contains(m.Kinds, r.fault.Kind) {
			total += r.weight
		}
	}
	var out []RandomFault
	for _, r := range rows {
		if total > 0 && (len(m.Kinds) == 0 || slices.Contains(m.Kinds, r.fault.Kind)) {
			out = append(out, RandomFault{Rate: rate * r.weight / total, Fault: r.fault})
		}
	}
	return out
}
