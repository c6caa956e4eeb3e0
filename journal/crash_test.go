package journal

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// The crash test: a POS process is killed (SIGKILL, no goodbye) at every
// phase of a sale, again and again, and a journal on disk is all that
// survives it. A child process (this test binary, re-executed) sells
// through a simulator that the parent owns, over a loopback socket; the
// parent kills it when it reaches the phase chosen for this kill, starts
// another that retries the sale the dead one was on, and so on. Then the
// parent runs Recover on the same journal file and holds the journal
// against the simulator's ledger:
//
//   - every payment the acquirer holds is in the journal (no orphan money),
//     and the journal's final state is the ledger's;
//   - at most one payment and one capture per request id, however many
//     processes retried the sale;
//   - every refund at the acquirer was asked for, at most once per refund
//     request id, for the amount asked.

// Environment of a crash child.
const (
	crashChildEnv  = "INSTORE_CRASH_CHILD" // the run number
	crashJournal   = "INSTORE_CRASH_JOURNAL"
	crashOmiseURL  = "INSTORE_CRASH_OMISE_URL"
	crashOmiseKey  = "INSTORE_CRASH_OMISE_KEY"
	crashRetryEnv  = "INSTORE_CRASH_RETRY"
	crashKillsEnv  = "CRASH_KILLS" // a longer campaign: CRASH_KILLS=2000
	crashLease     = 300 * time.Millisecond
	crashHorizon   = 2 * time.Second
	crashChildren  = 4
	crashMaxWaitMS = 20
)

// crashPhases are where a child is killed, by the line it prints on
// reaching each: before the journal has the sale, with the sale recorded
// and the pay not sent, with the pay in flight, pending, inquiring,
// cancelling, and with a refund in flight.
var crashPhases = []string{"start", "classified", "paying", "pending", "inquiring", "cancelling", "refund"}

// crashOptions make a short schedule, so that a child reaches every phase
// in a fraction of a second of real time. The cancel's last retries are
// spread over the 5 s that proving a payment absent takes (three answers
// in a row, 5 s apart).
func crashOptions() []instore.CheckoutOption {
	ms := time.Millisecond
	return []instore.CheckoutOption{
		instore.WithSchedule(instore.Schedule{
			Inquiry:     []time.Duration{50 * ms, 50 * ms, 50 * ms, 50 * ms, 50 * ms, 50 * ms},
			Cancel:      []time.Duration{50 * ms, 100 * ms, 2500 * ms, 2600 * ms},
			MinInterval: 20 * ms,
		}),
		instore.WithPayTimeout(time.Second),
		instore.WithCallTimeout(2 * time.Second),
		instore.WithArrivalHorizon(crashHorizon),
	}
}

// crashSale is what a request id stands for: the same customer, amount
// and refund in every process that tries it.
type crashSale struct {
	code   string
	amount instore.Money
	refund int64 // 0: no refund
}

func crashSaleOf(id string) crashSale {
	h := fnv.New64a()
	h.Write([]byte(id))
	r := rand.New(rand.NewPCG(h.Sum64(), 7))
	outcomes := []instoretest.Outcome{
		instoretest.Succeed, instoretest.Succeed, instoretest.Succeed,
		instoretest.ConfirmOnInquiry(2), instoretest.ConfirmOnInquiry(4),
		instoretest.NeverCompletes, instoretest.NeverCompletes,
		instoretest.DeclineInsufficientBalance, instoretest.DeclineOnInquiry(instoretest.DeclineRejected),
	}
	s := crashSale{
		code:   instoretest.AlipayCode(outcomes[r.IntN(len(outcomes))], h.Sum64()%1_000_000),
		amount: instore.Money{Amount: 2_000 + r.Int64N(500_000), Currency: instore.THB},
	}
	if r.IntN(2) == 0 {
		s.refund = 1 + r.Int64N(s.amount.Amount)
	}
	return s
}

// crashCheckout is a Checkout on the simulator at url, journaled in j.
func crashCheckout(url, key string, j instore.Journal, progress func(instore.Progress)) (*instore.Checkout, error) {
	client, err := instore.NewClient(key, instore.WithBaseURL(url), instore.WithTimeout(time.Second))
	if err != nil {
		return nil, err
	}
	// One machine, one clock: a lookup window far shorter than the
	// default keeps the lists a lookup pages through short, since every
	// sale of the test falls within two minutes.
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{LookupWindow: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	opts := append(crashOptions(), instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM), instore.WithJournal(j))
	if progress != nil {
		opts = append(opts, instore.WithProgress(progress))
	}
	return instore.NewCheckout(opts...)
}

// crashChild sells until it is killed, printing each phase it reaches.
func crashChild() int {
	ctx := context.Background()
	run := os.Getenv(crashChildEnv)
	store, err := OpenSQLite(ctx, os.Getenv(crashJournal), WithOwner("child-"+run), WithLease(crashLease))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	say := func(phase, id string) { fmt.Println(phase, id) }
	c, err := crashCheckout(os.Getenv(crashOmiseURL), os.Getenv(crashOmiseKey), store, func(p instore.Progress) {
		say(string(p.Step), p.RequestID)
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1
	}
	sell := func(id string) {
		s := crashSaleOf(id)
		say("sale", id)
		p, err := c.Collect(ctx, &instore.CollectRequest{Code: s.code, Amount: s.amount, RequestID: id})
		if err != nil || p.Status != instore.StatusSucceeded || s.refund == 0 {
			return
		}
		say("refund", id)
		_, _ = c.Refund(ctx, p, instore.Money{Amount: s.refund, Currency: s.amount.Currency}, instore.WithRefundRequestID(id+"-r"))
	}
	// A restarted POS first retries the sale it was on.
	for id := range strings.SplitSeq(os.Getenv(crashRetryEnv), ",") {
		if id != "" {
			sell(id)
		}
	}
	for i := 0; ; i++ {
		sell(fmt.Sprintf("r%s-%03d", run, i))
	}
}

// crashKill is one child's life: where it was to die, and what it was
// doing then.
type crashKill struct {
	phase string
	hit   bool   // it died in that phase
	last  string // the sale it was on
}

func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	kills := 200
	if v := os.Getenv(crashKillsEnv); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, crashKillsEnv)
		kills = n
	}
	sim := instoretest.NewOmiseT(t, instoretest.WithSeed(20261203))
	// Pays and refunds in flight long enough to be killed in: answers held
	// after the work (the charge exists, the child never hears of it), and
	// requests landing late (after the child died).
	slow := []instoretest.RandomFault{
		{Rate: 0.3, Fault: instoretest.Fault{Kind: instoretest.FaultDelay, Delay: 100 * time.Millisecond, Jitter: 300 * time.Millisecond}},
		{Rate: 0.2, Fault: instoretest.Fault{Kind: instoretest.FaultLate, Delay: 100 * time.Millisecond, Jitter: 300 * time.Millisecond}},
	}
	sim.SetRandomFaults(instoretest.OmiseCreateCharge, slow...)
	sim.SetRandomFaults(instoretest.OmiseCreateRefund, slow...)
	url := sim.URL()
	path := filepath.Join(t.TempDir(), "till.db")

	results := make([]crashKill, kills)
	var mu sync.Mutex
	var retry []string // sales dead children were on, for the next ones
	work := make(chan int)
	var wg sync.WaitGroup
	for range crashChildren {
		wg.Go(func() {
			for k := range work {
				mu.Lock()
				again := retry
				retry = nil
				mu.Unlock()
				res := crashOnce(t, k, crashPhases[k%len(crashPhases)], path, url, sim.SecretKey(), again)
				mu.Lock()
				results[k] = res
				if res.last != "" {
					retry = append(retry, res.last)
				}
				mu.Unlock()
			}
		})
	}
	for k := range kills {
		work <- k
	}
	close(work)
	wg.Wait()

	hits := map[string]int{}
	for _, r := range results {
		if r.hit {
			hits[r.phase]++
		}
	}
	t.Logf("%d kills; killed in each phase: %v", kills, hits)
	for _, phase := range crashPhases {
		assert.Positive(t, hits[phase], "no child was killed %s", phase)
	}

	checkAfterCrashes(t, sim, path)
}

// crashOnce starts a child and kills it when it reaches phase.
func crashOnce(t *testing.T, k int, phase, path, url, key string, again []string) crashKill {
	t.Helper()
	res := crashKill{phase: phase}
	cmd := exec.CommandContext(t.Context(), os.Args[0])
	cmd.Env = append(os.Environ(),
		crashChildEnv+"="+strconv.Itoa(k), crashJournal+"="+path,
		crashOmiseURL+"="+url, crashOmiseKey+"="+key, crashRetryEnv+"="+strings.Join(again, ","))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	r := rand.New(rand.NewPCG(uint64(k), 11))
	// killed says the parent ended the child. The child's exit error alone
	// cannot: a child that failed (exit status 1) is an *exec.ExitError
	// as much as one killed. It is checked with assert: this runs in a
	// worker goroutine, where FailNow would end the worker, not the test.
	killed := false
	kill := func() {
		time.Sleep(time.Duration(r.IntN(crashMaxWaitMS)) * time.Millisecond)
		_ = cmd.Process.Kill() // SIGKILL: no deferred function, no flush
		killed = true
	}
	lines := bufio.NewScanner(out)
	if phase == "start" {
		kill()
		res.hit = true
	}
	for lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) != 2 {
			continue
		}
		res.last = f[1]
		if !res.hit && f[0] == phase {
			res.hit = true
			kill()
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child ended by itself: %s", stderr.String())
	assert.True(t, killed, "the child ended by itself before it reached phase %q: %v\n%s", phase, err, stderr.String())
	if phase == "start" {
		res.last = "" // it may have died before the sale was on record
	}
	return res
}

// checkAfterCrashes recovers the journal the children left and holds it
// against the ledger.
func checkAfterCrashes(t *testing.T, sim *instoretest.Omise, path string) {
	t.Helper()
	ctx := t.Context()
	store, err := OpenSQLite(ctx, path, WithOwner("recovery"), WithLease(crashLease))
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	c, err := crashCheckout(sim.URL(), sim.SecretKey(), store, nil)
	require.NoError(t, err)

	// Past the leases of the dead, the late requests and the arrival
	// horizon, Recover settles everything; a till retries the refunds it
	// had in flight, under the same refund ids.
	time.Sleep(crashHorizon + crashLease)
	sim.ClearFaults()
	var report *instore.RecoveryReport
	for range 3 {
		report, err = c.Recover(ctx)
		require.NoError(t, err)
		if report.Unresolved() == 0 {
			break
		}
	}
	for _, s := range report.Sales {
		assert.True(t, s.Resolved(), "%s (left %s) still unresolved: %v", s.RequestID, s.From, s.Err)
	}
	retryRefunds(t, c, store)

	sales, err := store.Sales(ctx, instore.SaleQuery{})
	require.NoError(t, err)
	held := map[string]*instore.Sale{}
	for _, s := range sales {
		held[s.RequestID] = s
		assert.True(t, s.State.Final(), "%s left %s", s.RequestID, s.State)
	}
	byRequest := map[string][]instoretest.LedgerEntry{}
	payments := sim.AllPayments()
	for i := range payments {
		byRequest[payments[i].RequestID] = append(byRequest[payments[i].RequestID], payments[i])
	}
	for id, entries := range byRequest {
		s := held[id]
		require.NotNil(t, s, "money the journal does not know of: %+v", entries)
		assert.Len(t, entries, 1, "%s paid twice: %+v", id, entries)
		captured := instoretest.Captures(entries) > 0
		assert.LessOrEqual(t, instoretest.Captures(entries), 1, "%s", id)
		assert.Equal(t, captured, s.State == instore.SaleSucceeded, "%s: journal %s, ledger %+v", id, s.State, entries)
	}
	for id, s := range held {
		if len(byRequest[id]) == 0 {
			assert.NotEqual(t, instore.SaleSucceeded, s.State, "%s succeeded with no payment at the acquirer", id)
		}
	}
	asked := map[string]int{}
	refunds := sim.AllRefunds()
	for i := range refunds {
		rf := &refunds[i]
		asked[rf.RefundRequestID]++
		want := crashSaleOf(strings.TrimSuffix(rf.RefundRequestID, "-r")).refund
		assert.Equal(t, want, rf.Amount, "refund %s: another amount than asked", rf.RefundRequestID)
		r, err := store.Refund(ctx, rf.RefundRequestID)
		if assert.NoError(t, err, "a refund the journal does not know of: %+v", rf) {
			assert.Equal(t, instore.RefundSucceeded, r.State, "%s", rf.RefundRequestID)
		}
	}
	for id, n := range asked {
		assert.Equal(t, 1, n, "refund %s made %d times", id, n)
	}
	t.Logf("journal: %d sales; ledger: %d payments, %d refunds", len(sales), len(byRequest), len(sim.AllRefunds()))
}

// retryRefunds retries, as the till would, every refund a dead process
// left in flight, under its own refund request id.
func retryRefunds(t *testing.T, c *instore.Checkout, store *Store) {
	t.Helper()
	ctx := t.Context()
	sales, err := store.Sales(ctx, instore.SaleQuery{States: []instore.SaleState{instore.SaleSucceeded}})
	require.NoError(t, err)
	for _, s := range sales {
		id := s.RequestID + "-r"
		r, err := store.Refund(ctx, id)
		if errors.Is(err, instore.ErrRefundNotFound) {
			continue
		}
		require.NoError(t, err)
		if r.State.Final() && r.FailureCode != instore.FailureRefused {
			continue
		}
		p, err := c.Lookup(ctx, s.RequestID)
		require.NoError(t, err)
		for range 3 {
			_, err = c.Refund(ctx, p, r.Amount, instore.WithRefundRequestID(id))
			if err == nil {
				break
			}
			time.Sleep(crashHorizon)
		}
		assert.NoError(t, err, "refund %s", id)
	}
}
