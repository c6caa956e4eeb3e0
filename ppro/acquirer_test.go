package ppro_test

import (
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

const notifyURL = "https://pos.example.ch/ppro/notify"

func newAcquirer(t *testing.T, sim *instoretest.PPRO, cfg ppro.AcquirerConfig) *ppro.Acquirer {
	t.Helper()
	c, err := sim.Client()
	require.NoError(t, err)
	if cfg.NotificationURL == "" {
		cfg.NotificationURL = notifyURL
	}
	if cfg.StoreID == "" {
		cfg.StoreID, cfg.StoreName = "ZRH-01", "Zürich HB"
	}
	a, err := ppro.NewAcquirer(c, cfg)
	require.NoError(t, err)
	return a
}

func payRequest(t *testing.T, requestID string, o instoretest.Outcome, serial uint64) *instore.PayRequest {
	t.Helper()
	code, err := instore.ClassifyPaymentCode(instoretest.AlipayCode(o, serial))
	require.NoError(t, err)
	return &instore.PayRequest{
		RequestID: requestID,
		Code:      code,
		Amount:    instore.Money{Amount: 1250, Currency: instore.CHF},
		Method:    instore.MethodPPROAlipay,
	}
}

func TestAcquirerPayMapsEveryOutcome(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := newSim(t)
		a := newAcquirer(t, sim, ppro.AcquirerConfig{})
		cases := []struct {
			outcome instoretest.Outcome
			status  instore.PaymentStatus
			code    string
		}{
			{instoretest.Succeed, instore.StatusSucceeded, ""},
			{instoretest.NeverCompletes, instore.StatusPending, ""},
			{instoretest.ConfirmOnInquiry(1), instore.StatusPending, ""},
			{instoretest.DeclinePayerCancelled, instore.StatusFailed, "USER_ABORT"},
			{instoretest.DeclineInsufficientBalance, instore.StatusFailed, "REMOTE_DECLINE"},
			{instoretest.DeclineRejected, instore.StatusFailed, "LOCAL_DECLINE"},
			// Reasons that may still turn SUCCEEDED: pending while the
			// session lasts.
			{instoretest.DeclineProcessing, instore.StatusPending, ""},
			{instoretest.DeclineTimeout, instore.StatusPending, ""},
			{instoretest.FailThenSucceed(time.Second), instore.StatusPending, ""},
		}
		for i, tc := range cases {
			id := "pay-" + string(tc.outcome)
			p, err := a.Pay(t.Context(), payRequest(t, id, tc.outcome, uint64(i)))
			require.NoError(t, err, id)
			assert.Equal(t, tc.status, p.Status, id)
			assert.Equal(t, tc.code, p.FailureCode, id)
			assert.Equal(t, "ppro", p.Acquirer)
			assert.Equal(t, id, p.RequestID)
			assert.Equal(t, instore.MethodPPROAlipay, p.Method)
			assert.Equal(t, instore.WalletAlipay, p.Wallet)
			entries := sim.Payments(id)
			require.Len(t, entries, 1, id)
			assert.Equal(t, entries[0].ID, p.ID, id)
		}
		form := sim.Requests()[0]
		assert.Contains(t, string(form.Body), "merchanttxid=pay-00")
		assert.Contains(t, string(form.Body), "specin.storeid=ZRH-01")
		assert.Contains(t, string(form.Body), "notificationurl="+strings.ReplaceAll(strings.ReplaceAll(notifyURL, ":", "%3A"), "/", "%2F"))
	})
}

func TestAcquirerRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	sim := newSim(t)
	a := newAcquirer(t, sim, ppro.AcquirerConfig{})
	wechat, err := instore.ClassifyPaymentCode(instoretest.WeChatCode(instoretest.Succeed, 1))
	require.NoError(t, err)
	cases := map[string]*instore.PayRequest{
		"nil":                nil,
		"request id over 40": payRequest(t, strings.Repeat("a", 41), instoretest.Succeed, 1),
		"request id with a slash": func() *instore.PayRequest {
			r := payRequest(t, "a/b", instoretest.Succeed, 1)
			return r
		}(),
		"WeChat code": {RequestID: "w", Code: wechat, Amount: instore.Money{Amount: 100, Currency: instore.CHF}},
		"another method": func() *instore.PayRequest {
			r := payRequest(t, "m", instoretest.Succeed, 1)
			r.Method = instore.MethodAlipayPlusCPM
			return r
		}(),
		"store id with a dot": func() *instore.PayRequest {
			r := payRequest(t, "s", instoretest.Succeed, 1)
			r.Store.ID = "ZRH.01"
			return r
		}(),
		"THB": func() *instore.PayRequest {
			r := payRequest(t, "thb", instoretest.Succeed, 1)
			r.Amount.Currency = instore.THB
			return r
		}(),
	}
	for name, req := range cases {
		_, err := a.Pay(t.Context(), req)
		require.ErrorIs(t, err, ppro.ErrInvalidRequest, name)
		require.ErrorIs(t, err, instore.ErrInvalidRequest, name)
		require.ErrorIs(t, err, instore.ErrInvalidParams, name)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, name)
	}
	// A store that neither the sale nor the configuration names.
	c, err := sim.Client()
	require.NoError(t, err)
	bare, err := ppro.NewAcquirer(c, ppro.AcquirerConfig{NotificationURL: notifyURL})
	require.NoError(t, err, "the store may come from the sales")
	_, err = bare.Pay(t.Context(), payRequest(t, "no-store", instoretest.Succeed, 1))
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Contains(t, err.Error(), "StoreID: required: set the sale's Store.ID or AcquirerConfig.StoreID")
	named := payRequest(t, "no-store-name", instoretest.Succeed, 1)
	named.Store.ID = "ZRH-01"
	_, err = bare.Pay(t.Context(), named)
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Contains(t, err.Error(), "StoreName: required: set the sale's Store.Name or AcquirerConfig.StoreName")
	assert.Empty(t, sim.Requests(), "nothing was sent")
}

// A FAILED transaction whose reason is not definitive stays pending while
// the session lasts, catches a change to SUCCEEDED, and is failed after.
func TestAcquirerUncertainFailureWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := newSim(t)
		a := newAcquirer(t, sim, ppro.AcquirerConfig{})
		start := time.Now()
		p, err := a.Pay(t.Context(), payRequest(t, "err-1", instoretest.DeclineProcessing, 1))
		require.NoError(t, err)
		require.Equal(t, instore.StatusPending, p.Status)
		p.CreatedAt = start

		time.Sleep(2 * time.Minute)
		got, err := a.Inquire(t.Context(), p)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusPending, got.Status, "inside the session")
		assert.Empty(t, got.FailureCode, "no failure shown on a pending payment")

		time.Sleep(time.Minute)
		got, err = a.Inquire(t.Context(), p)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusFailed, got.Status, "the session is over")
		assert.Equal(t, "REMOTE_ERROR", got.FailureCode)
		assert.False(t, ppro.FailReason(got.FailureCode).Definitive(), "a failure that may still change")

		// The same failure turning SUCCEEDED inside the session.
		p, err = a.Pay(t.Context(), payRequest(t, "flip-1", instoretest.FailThenSucceed(7*time.Second), 2))
		require.NoError(t, err)
		p.CreatedAt = time.Now()
		time.Sleep(5 * time.Second)
		got, err = a.Inquire(t.Context(), p)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusPending, got.Status)
		time.Sleep(5 * time.Second)
		got, err = a.Inquire(t.Context(), p)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, got.Status)
		assert.Empty(t, got.FailureCode)

		// And after it: a late success that Inquire reports on the failed
		// payment.
		code := instoretest.AlipayCode(instoretest.Succeed, 3)
		sim.Script(code, instoretest.Plan{Result: instoretest.ResultFail, FailureCode: "TIMEOUT", SucceedAfter: 10 * time.Minute})
		req := payRequest(t, "late-1", instoretest.Succeed, 3)
		p, err = a.Pay(t.Context(), req)
		require.NoError(t, err)
		p.CreatedAt = time.Now()
		time.Sleep(3 * time.Minute)
		got, err = a.Inquire(t.Context(), p)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusFailed, got.Status)
		time.Sleep(10 * time.Minute)
		got, err = a.Inquire(t.Context(), got)
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, got.Status, "the late success surfaces")
		assert.True(t, sim.Payments("late-1")[0].Captured)
	})
}

func TestAcquirerInquireByMerchantTxID(t *testing.T) {
	t.Parallel()
	sim := newSim(t)
	a := newAcquirer(t, sim, ppro.AcquirerConfig{})
	lost := &instore.Payment{RequestID: "lost-1", Amount: instore.Money{Amount: 1250, Currency: instore.CHF}, CreatedAt: time.Now()}
	got, err := a.Inquire(t.Context(), lost)
	require.NoError(t, err)
	assert.Equal(t, instore.StatusPending, got.Status, "not found yet is pending, never failed")
	assert.Empty(t, got.ID)

	sim.InjectFault(instoretest.PPROTransaction, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
	_, err = a.Pay(t.Context(), payRequest(t, "lost-1", instoretest.Succeed, 1))
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	got, err = a.Inquire(t.Context(), lost)
	require.NoError(t, err)
	assert.Equal(t, instore.StatusSucceeded, got.Status)
	assert.Equal(t, sim.Payments("lost-1")[0].ID, got.ID)
	var byMerchant int
	for _, r := range sim.Requests() {
		if r.Endpoint == instoretest.PPROStatusByMerchantTxID {
			byMerchant++
		}
	}
	assert.Equal(t, 2, byMerchant)

	// A reused request id is ambiguous: an error, never a guess.
	for range 2 {
		_, err = a.Pay(t.Context(), payRequest(t, "twice", instoretest.Succeed, 2))
		require.NoError(t, err)
	}
	_, err = a.Inquire(t.Context(), &instore.Payment{RequestID: "twice"})
	require.ErrorIs(t, err, ppro.ErrTxNotUnique)
}

// A txid PPRO does not know (TX_NOT_FOUND, as for one taken from an answer
// about another transaction) is no proof that the sale has none: Inquire
// looks it up by the merchanttxid.
func TestAcquirerInquireUnknownTxIDFallsBackToMerchantTxID(t *testing.T) {
	t.Parallel()
	sim := newSim(t)
	a := newAcquirer(t, sim, ppro.AcquirerConfig{})
	_, err := a.Pay(t.Context(), payRequest(t, "stale-1", instoretest.Succeed, 3))
	require.NoError(t, err)

	got, err := a.Inquire(t.Context(), &instore.Payment{ID: "999999999", RequestID: "stale-1", CreatedAt: time.Now()})
	require.NoError(t, err)
	assert.Equal(t, instore.StatusSucceeded, got.Status)
	assert.Equal(t, sim.Payments("stale-1")[0].ID, got.ID, "the sale's own transaction")
	assert.Equal(t, "stale-1", got.RequestID)
	var byTxID, byMerchant int
	for _, r := range sim.Requests() {
		switch r.Endpoint {
		case instoretest.PPROStatus:
			byTxID++
		case instoretest.PPROStatusByMerchantTxID:
			byMerchant++
		}
	}
	assert.Equal(t, 1, byTxID, "asked by the txid first")
	assert.Equal(t, 1, byMerchant, "then by the merchanttxid")
}

func TestAcquirerCancel(t *testing.T) {
	t.Parallel()
	sim := newSim(t)
	a := newAcquirer(t, sim, ppro.AcquirerConfig{})
	pay := func(id string, o instoretest.Outcome) *instore.Payment {
		p, err := a.Pay(t.Context(), payRequest(t, id, o, 5))
		require.NoError(t, err)
		p.CreatedAt = time.Now()
		return p
	}
	cases := []struct {
		name    string
		payment *instore.Payment
		status  instore.PaymentStatus
		code    string
		ledger  instoretest.State
	}{
		{"pending is cancelled", pay("c-1", instoretest.NeverCompletes), instore.StatusCancelled, "CANCELED", instoretest.StateCancelled},
		{"succeeded cannot be cancelled", pay("c-2", instoretest.Succeed), instore.StatusSucceeded, "", instoretest.StateSucceeded},
		{"declined stays failed", pay("c-3", instoretest.DeclineInsufficientBalance), instore.StatusFailed, "REMOTE_DECLINE", instoretest.StateFailed},
		{"uncertain failure is failed at the cancel", pay("c-4", instoretest.DeclineTimeout), instore.StatusFailed, "TIMEOUT", instoretest.StateFailed},
		{"completes as it is cancelled", pay("c-5", instoretest.ConfirmOnInquiry(1)), instore.StatusPending, "", instoretest.StatePending},
	}
	// c-5 is due at its first inquiry: inquire, then cancel a paid one.
	_, err := a.Inquire(t.Context(), cases[4].payment)
	require.NoError(t, err)
	cases[4].status, cases[4].ledger = instore.StatusSucceeded, instoretest.StateSucceeded
	for _, tc := range cases {
		got, err := a.Cancel(t.Context(), tc.payment)
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.status, got.Status, tc.name)
		assert.Equal(t, tc.code, got.FailureCode, tc.name)
		assert.Equal(t, tc.ledger, sim.Payments(tc.payment.RequestID)[0].State, tc.name)
	}

	// No txid: found by merchanttxid and cancelled, or never created.
	sim.InjectFault(instoretest.PPROTransaction, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
	_, err = a.Pay(t.Context(), payRequest(t, "c-6", instoretest.NeverCompletes, 6))
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	got, err := a.Cancel(t.Context(), &instore.Payment{RequestID: "c-6", CreatedAt: time.Now()})
	require.NoError(t, err)
	assert.Equal(t, instore.StatusCancelled, got.Status)
	assert.Equal(t, sim.Payments("c-6")[0].ID, got.ID)
	assert.Equal(t, instoretest.StateCancelled, sim.Payments("c-6")[0].State)

	// Not found is not cancelled: PPRO cannot close a merchanttxid, and a
	// TRANSACTION in flight may land later.
	_, err = a.Cancel(t.Context(), &instore.Payment{RequestID: "c-7", CreatedAt: time.Now()})
	var nf *instore.PaymentNotFoundError
	require.ErrorAs(t, err, &nf)
	require.ErrorIs(t, err, instore.ErrPaymentNotFound)
	assert.Equal(t, "TX_NOT_FOUND", nf.Code)
	assert.Empty(t, sim.Payments("c-7"))
}

// A refusal that names CannotCancel without the status to show it is
// settled by a status lookup: only PPRO's own SUCCEEDED makes it succeeded.
func TestAcquirerCancelRefusalWithoutStatus(t *testing.T) {
	t.Parallel()
	refusal := reply{Body: "REQUESTSTATUS=FAILED&REQUESTFAILREASON=CannotCancel&STATUS=FAILED&TXID=0&ERRMSG="}
	for _, tc := range []struct {
		status string
		want   instore.PaymentStatus
	}{
		{fixture(t, "status_succeeded.txt"), instore.StatusSucceeded},
		{strings.Replace(fixture(t, "status_succeeded.txt"), "&STATUS=SUCCEEDED", "&STATUS=PENDING", 1), instore.StatusPending},
	} {
		g := newGateway(t, refusal, reply{Body: tc.status})
		a, err := ppro.NewAcquirer(g.client(t), ppro.AcquirerConfig{NotificationURL: notifyURL})
		require.NoError(t, err)
		got, err := a.Cancel(t.Context(), &instore.Payment{ID: "643772308", RequestID: "sale-1042", CreatedAt: time.Now()})
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.Status)
		reqs := g.requests()
		require.Len(t, reqs, 2)
		assert.Equal(t, "CANCELTX", reqs[0].Form.Get("txtype"))
		assert.Equal(t, "GETTXSTATUS", reqs[1].Form.Get("txtype"))
	}
}

func TestAcquirerRefund(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sim := newSim(t)
		a := newAcquirer(t, sim, ppro.AcquirerConfig{})
		p, err := a.Pay(t.Context(), payRequest(t, "r-1", instoretest.Succeed, 1))
		require.NoError(t, err)
		part := instore.Money{Amount: 500, Currency: instore.CHF}

		r, err := a.Refund(t.Context(), p, part, "refund-1")
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, r.Status)
		assert.Equal(t, "refund-1", r.RequestID)
		assert.Equal(t, part, r.Amount)
		assert.NotEmpty(t, r.ID)

		// The answer is lost after the refund was made: found by its id,
		// not sent again.
		sim.InjectFault(instoretest.PPRORefund, 1, instoretest.Fault{Kind: instoretest.FaultDropAfter})
		r, err = a.Refund(t.Context(), p, part, "refund-2")
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, r.Status)
		assert.Equal(t, 2, sim.Payments("r-1")[0].Refunds, "one refund each")

		// Lost before it was processed: not found, so the unknown outcome
		// is returned rather than a guess.
		sim.InjectFault(instoretest.PPRORefund, 1, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 503})
		_, err = a.Refund(t.Context(), p, part, "refund-3")
		require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
		assert.Equal(t, 2, sim.Payments("r-1")[0].Refunds)

		r, err = a.Refund(t.Context(), p, instore.Money{Amount: 1000, Currency: instore.CHF}, "refund-4")
		require.NoError(t, err)
		assert.Equal(t, instore.StatusFailed, r.Status, "more than is left")
		assert.Equal(t, "INPUT_DATA", r.FailureCode)

		// A payment whose txid was never learnt is found first.
		r, err = a.Refund(t.Context(), &instore.Payment{RequestID: "r-1"}, instore.Money{Amount: 250, Currency: instore.CHF}, "refund-5")
		require.NoError(t, err)
		assert.Equal(t, instore.StatusSucceeded, r.Status)
		assert.Equal(t, int64(1250), sim.Payments("r-1")[0].Refunded)
	})
}

func TestNewAcquirer(t *testing.T) {
	t.Parallel()
	sim := newSim(t)
	c, err := sim.Client()
	require.NoError(t, err)
	bad := map[string]ppro.AcquirerConfig{
		"no notification URL":     {},
		"relative URL":            {NotificationURL: "/n"},
		"country DE":              {NotificationURL: notifyURL, CountryCode: "DE"},
		"poll faster than 5 s":    {NotificationURL: notifyURL, PollInterval: 4 * time.Second},
		"session under a poll":    {NotificationURL: notifyURL, PollInterval: 10 * time.Second, SessionTimeout: 5 * time.Second},
		"negative session length": {NotificationURL: notifyURL, SessionTimeout: -time.Second},
		"store id with a dot":     {NotificationURL: notifyURL, StoreID: "ZRH.01"},
		"store id over 32":        {NotificationURL: notifyURL, StoreID: strings.Repeat("a", ppro.MaxStoreIDLen+1)},
		"store name with a tab":   {NotificationURL: notifyURL, StoreName: "Zürich\tHB"},
	}
	for name, cfg := range bad {
		_, err := ppro.NewAcquirer(c, cfg)
		require.Error(t, err, name)
		require.ErrorIs(t, err, ppro.ErrInvalidConfig, name)
		require.ErrorIs(t, err, instore.ErrInvalidConfig, name)
		require.NotErrorIs(t, err, instore.ErrInvalidRequest, "%s: a configuration error, not a request", name)
	}
	_, err = ppro.NewAcquirer(nil, ppro.AcquirerConfig{NotificationURL: notifyURL})
	require.ErrorIs(t, err, instore.ErrInvalidConfig)

	a, err := ppro.NewAcquirer(c, ppro.AcquirerConfig{NotificationURL: notifyURL})
	require.NoError(t, err)
	assert.Equal(t, "ppro", a.Name())
	s := a.Schedule()
	require.Len(t, s.Inquiry, 36)
	var total time.Duration
	for _, d := range s.Inquiry {
		assert.GreaterOrEqual(t, d, 5*time.Second, "at least 5 s apart")
		total += d
	}
	assert.Equal(t, 3*time.Minute, total, "gives up at the session timeout")
	assert.Equal(t, []time.Duration{5 * time.Second, 10 * time.Second, 10 * time.Second, 10 * time.Second}, s.Cancel)
	s.Inquiry[0] = 0
	assert.Equal(t, 5*time.Second, a.Schedule().Inquiry[0], "a copy")

	a, err = ppro.NewAcquirer(c, ppro.AcquirerConfig{NotificationURL: notifyURL, PollInterval: 15 * time.Second, SessionTimeout: time.Minute})
	require.NoError(t, err)
	assert.Len(t, a.Schedule().Inquiry, 4)
}
