package ppro_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// scripted answers each request with the next of its functions (the last
// repeats) and counts the requests per txtype.
type scripted struct {
	mu    sync.Mutex
	steps []func(*http.Request) (*http.Response, error)
	count map[string]int
}

func (s *scripted) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(b))
	s.mu.Lock()
	if s.count == nil {
		s.count = map[string]int{}
	}
	s.count[form.Get("txtype")]++
	step := s.steps[0]
	if len(s.steps) > 1 {
		s.steps = s.steps[1:]
	}
	s.mu.Unlock()
	return step(r)
}

func (s *scripted) sent(txtype string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count[txtype]
}

func answerWith(status int, body string) func(*http.Request) (*http.Response, error) {
	return func(r *http.Request) (*http.Response, error) { return response(r, status, body), nil }
}

func scriptedClient(t *testing.T, s *scripted, opts ...ppro.Option) *ppro.Client {
	t.Helper()
	c, err := ppro.NewClient(testCreds, append([]ppro.Option{ppro.WithBaseURL("https://ppro.invalid"), ppro.WithHTTPClient(&http.Client{Transport: s})}, opts...)...)
	require.NoError(t, err)
	return c
}

func TestStatusCallsAreRetried(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := &scripted{steps: []func(*http.Request) (*http.Response, error){
			answerWith(503, "<html>busy</html>"),
			func(*http.Request) (*http.Response, error) { return nil, io.ErrUnexpectedEOF },
			answerWith(200, fixture(t, "status_succeeded.txt")),
		}}
		st, err := scriptedClient(t, s).Status(t.Context(), "643772308")
		require.NoError(t, err)
		assert.Equal(t, ppro.StatusSucceeded, st.Status)
		assert.Equal(t, 3, s.sent("GETTXSTATUS"))

		s = &scripted{steps: []func(*http.Request) (*http.Response, error){answerWith(502, "")}}
		_, err = scriptedClient(t, s, ppro.WithMaxRetries(3)).StatusByMerchantTxID(t.Context(), "sale-1")
		require.ErrorIs(t, err, ppro.ErrUnexpectedStatus)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "a status call changes nothing")
		assert.Equal(t, 4, s.sent("GETTXSTATUSBYMERCHANTTXID"))
	})
}

func TestTransactionIsNeverSentTwice(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		for _, fail := range []func(*http.Request) (*http.Response, error){
			answerWith(500, ""),
			answerWith(503, "STATUS=SUCCEEDED&TXID=1"),
			func(*http.Request) (*http.Response, error) { return nil, io.ErrUnexpectedEOF },
		} {
			s := &scripted{steps: []func(*http.Request) (*http.Response, error){fail, answerWith(200, fixture(t, "transaction_pending.txt"))}}
			_, err := scriptedClient(t, s, ppro.WithMaxRetries(5)).Transaction(t.Context(), transactionRequest())
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
			assert.Equal(t, 1, s.sent("TRANSACTION"))
		}

		// 429 refuses the request unread: it is retried, honouring
		// Retry-After.
		limited := func(r *http.Request) (*http.Response, error) {
			resp := response(r, http.StatusTooManyRequests, "")
			resp.Header.Set("Retry-After", "2")
			return resp, nil
		}
		s := &scripted{steps: []func(*http.Request) (*http.Response, error){limited, answerWith(200, fixture(t, "transaction_pending.txt"))}}
		start := time.Now()
		resp, err := scriptedClient(t, s).Transaction(t.Context(), transactionRequest())
		require.NoError(t, err)
		assert.Equal(t, "643772308", resp.TxID)
		assert.Equal(t, 2, s.sent("TRANSACTION"))
		assert.GreaterOrEqual(t, time.Since(start), 2*time.Second)

		// Still refused after a retry: the last 429 speaks only for its own
		// attempt, and the first one reached PPRO.
		s = &scripted{steps: []func(*http.Request) (*http.Response, error){limited}}
		_, err = scriptedClient(t, s, ppro.WithMaxRetries(1)).Transaction(t.Context(), transactionRequest())
		require.ErrorIs(t, err, ppro.ErrRateLimited)
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.Equal(t, 2, s.sent("TRANSACTION"))

		// A lone 429 refused the one TRANSACTION sent.
		s = &scripted{steps: []func(*http.Request) (*http.Response, error){limited}}
		_, err = scriptedClient(t, s, ppro.WithMaxRetries(0)).Transaction(t.Context(), transactionRequest())
		require.ErrorIs(t, err, ppro.ErrRateLimited)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.Equal(t, 1, s.sent("TRANSACTION"))
	})
}

// A TRANSACTION that provably never left the machine is sent again; one
// whose answer was lost after processing is not. The simulator's ledger
// counts the transactions.
func TestTransactionRetriedOnlyWhenNeverWritten(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := newSim(t)
		c, err := sim.Client()
		require.NoError(t, err)
		req := transactionRequest()
		req.BuyerIdentityCode = instoretest.AlipayCode(instoretest.Succeed, 1)

		sim.InjectFault(instoretest.PPROTransaction, 1, instoretest.Fault{Kind: instoretest.FaultDropBefore})
		resp, err := c.Transaction(t.Context(), req)
		require.NoError(t, err)
		assert.Equal(t, ppro.StatusSucceeded, resp.Status)
		assert.Len(t, sim.Payments(req.MerchantTxID), 1)

		req.MerchantTxID = "sale-1043"
		sim.InjectFault(instoretest.PPROTransaction, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
		_, err = c.Transaction(t.Context(), req)
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.Len(t, sim.Payments("sale-1043"), 1, "created once, answer lost")
		st, err := c.StatusByMerchantTxID(t.Context(), "sale-1043")
		require.NoError(t, err)
		assert.Equal(t, ppro.StatusSucceeded, st.Status, "the outcome is looked up, not resent")

		for _, f := range []instoretest.Fault{
			{Kind: instoretest.FaultTruncated},
			{Kind: instoretest.FaultNonJSON, Processed: true},
			{Kind: instoretest.FaultStatus, Status: 502, Processed: true},
			{Kind: instoretest.FaultDelay, Delay: time.Minute},
		} {
			req.MerchantTxID = "sale-" + f.Kind.String()
			sim.InjectFault(instoretest.PPROTransaction, 1, f)
			_, err = c.Transaction(t.Context(), req)
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown, f.Kind)
			assert.Len(t, sim.Payments(req.MerchantTxID), 1, f.Kind)
		}
		n := 0
		for _, r := range sim.Requests() {
			if r.Endpoint == instoretest.PPROTransaction {
				n++
			}
		}
		assert.Equal(t, 7, n, "two for the drop before writing, one for each other")
	})
}

func TestBodyOverTheCap(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		big := "STATUS=PENDING&TXID=1&X=" + strings.Repeat("a", 70<<10)
		s := &scripted{steps: []func(*http.Request) (*http.Response, error){answerWith(200, big)}}
		_, err := scriptedClient(t, s).Transaction(t.Context(), transactionRequest())
		require.ErrorIs(t, err, instore.ErrBodyTooLarge)
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.Equal(t, 1, s.sent("TRANSACTION"))
	})
}
