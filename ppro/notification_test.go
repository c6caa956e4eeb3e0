package ppro_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// independentHash computes the likely notification hash without the
// package's code: sha256 of the hex sha256 of "txid.finaltimestamp", a dot
// and the secret.
func independentHash(txID, ts, secret string) string {
	inner := sha256.Sum256([]byte(txID + "." + ts))
	outer := sha256.Sum256([]byte(hex.EncodeToString(inner[:]) + "." + secret))
	return hex.EncodeToString(outer[:])
}

func notificationBody(txID, ts, hash string) string {
	return url.Values{"txid": {txID}, "finaltimestamp": {ts}, "sha256hash": {hash}}.Encode()
}

func TestNotificationHash(t *testing.T) {
	t.Parallel()
	for _, in := range [][3]string{
		{"643772308", "2025-03-01T10:00:00Z", "secret"},
		{"1", "2025-03-01T10:00:00.123+01:00", "s3cr3t with spaces"},
		{"A.b,c-d_e", "", "ü"},
	} {
		got := ppro.NotificationHash(in[0], in[1], in[2])
		assert.Equal(t, independentHash(in[0], in[1], in[2]), got)
		assert.Len(t, got, 64)
		assert.Equal(t, strings.ToLower(got), got, "lower-case hex")
	}
	// A known vector, so that a change of formula shows in review.
	assert.Equal(t, independentHash("643772308", "2025-03-01T10:00:00Z", "secret"), ppro.NotificationHash("643772308", "2025-03-01T10:00:00Z", "secret"))
}

func TestParseNotification(t *testing.T) {
	t.Parallel()
	const ts = "2025-03-01T10:00:00Z"
	good := independentHash("643772308", ts, "current")
	old := independentHash("643772308", ts, "previous")
	cases := []struct {
		name    string
		body    string
		secrets []string
		want    error
	}{
		{"current secret", notificationBody("643772308", ts, good), []string{"current", "previous"}, nil},
		{"previous secret while rotating", notificationBody("643772308", ts, old), []string{"current", "previous"}, nil},
		{"upper-case hex", notificationBody("643772308", ts, strings.ToUpper(good)), []string{"current"}, nil},
		{"keys in capitals", "TXID=643772308&FINALTIMESTAMP=" + url.QueryEscape(ts) + "&SHA256HASH=" + good, []string{"current"}, nil},
		{"wrong secret", notificationBody("643772308", ts, good), []string{"other"}, ppro.ErrNotificationSignature},
		{"no secret", notificationBody("643772308", ts, good), nil, ppro.ErrNotificationSignature},
		{"only empty secrets", notificationBody("643772308", ts, independentHash("643772308", ts, "")), []string{"", ""}, ppro.ErrNotificationSignature},
		{"other txid", notificationBody("643772309", ts, good), []string{"current"}, ppro.ErrNotificationSignature},
		{"other timestamp", notificationBody("643772308", "2025-03-01T10:00:01Z", good), []string{"current"}, ppro.ErrNotificationSignature},
		{"no hash", "txid=643772308&finaltimestamp=" + ts, []string{"current"}, ppro.ErrNotificationSignature},
		{"short hash", notificationBody("643772308", ts, good[:62]), []string{"current"}, ppro.ErrNotificationSignature},
		{"not hex", notificationBody("643772308", ts, strings.Repeat("z", 64)), []string{"current"}, ppro.ErrNotificationSignature},
		{"no txid", notificationBody("", ts, good), []string{"current"}, ppro.ErrNotificationMalformed},
		{"txid 0", notificationBody("0", ts, good), []string{"current"}, ppro.ErrNotificationMalformed},
		{"no timestamp", notificationBody("643772308", "", good), []string{"current"}, ppro.ErrNotificationMalformed},
		{"json", `{"txid":"643772308"}`, []string{"current"}, ppro.ErrNotificationMalformed},
	}
	for _, tc := range cases {
		n, err := ppro.ParseNotification([]byte(tc.body), tc.secrets...)
		if tc.want != nil {
			require.ErrorIs(t, err, tc.want, tc.name)
			assert.Nil(t, n, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		assert.Equal(t, "643772308", n.TxID, tc.name)
		assert.Equal(t, ts, n.FinalTimestamp, tc.name)
		assert.Nil(t, n.Transaction, tc.name)
	}
}

func TestNotificationHandler(t *testing.T) {
	t.Parallel()
	const ts = "2025-03-01T10:00:00Z"
	signed := notificationBody("643772308", ts, independentHash("643772308", ts, "current"))
	type result struct {
		status int
		body   string
		got    *ppro.Notification
		calls  int
	}
	serve := func(t *testing.T, g *gateway, secrets []string, fn func(context.Context, *ppro.Notification) error, method, body string, opts ...ppro.NotificationOption) result {
		t.Helper()
		var res result
		var h http.Handler
		if fn != nil {
			h = g.client(t, ppro.WithMaxRetries(0)).NotificationHandler(secrets, func(ctx context.Context, n *ppro.Notification) error {
				res.calls++
				res.got = n
				return fn(ctx, n)
			}, opts...)
		} else {
			h = g.client(t).NotificationHandler(secrets, nil, opts...)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, "/ppro/notify", strings.NewReader(body)))
		res.status, res.body = rec.Code, rec.Body.String()
		return res
	}
	ok := func(context.Context, *ppro.Notification) error { return nil }

	t.Run("acknowledged after the status lookup and fn", func(t *testing.T) {
		t.Parallel()
		g := newGateway(t, reply{Body: fixture(t, "status_succeeded.txt")})
		var deadline bool
		res := serve(t, g, []string{"", "current"}, func(ctx context.Context, _ *ppro.Notification) error {
			_, deadline = ctx.Deadline()
			return nil
		}, http.MethodPost, signed, ppro.WithNotificationAck("[accepted]"))
		assert.Equal(t, http.StatusOK, res.status)
		assert.Equal(t, "[accepted]", res.body)
		require.NotNil(t, res.got)
		require.NotNil(t, res.got.Transaction)
		assert.Equal(t, ppro.StatusSucceeded, res.got.Transaction.Status)
		assert.Equal(t, "sale-1042", res.got.Transaction.MerchantTxID)
		assert.True(t, deadline, "fn runs under the notification timeout")
		reqs := g.requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, "GETTXSTATUS", reqs[0].Form.Get("txtype"))
		assert.Equal(t, "643772308", reqs[0].Form.Get("txid"))
	})
	t.Run("options set the cap and the timeout; values below 1 are ignored", func(t *testing.T) {
		t.Parallel()
		// A cap below the body's size refuses it unread.
		capped := serve(t, newGateway(t), []string{"current"}, ok, http.MethodPost, signed,
			ppro.WithNotificationMaxBytes(int64(len(signed)-1)))
		assert.Equal(t, http.StatusRequestEntityTooLarge, capped.status)
		assert.Zero(t, capped.calls)

		var left []time.Duration
		deadlineLeft := func(ctx context.Context, _ *ppro.Notification) error {
			d, _ := ctx.Deadline()
			left = append(left, time.Until(d))
			return nil
		}
		for _, opts := range [][]ppro.NotificationOption{
			{ppro.WithNotificationTimeout(time.Hour)},
			{ppro.WithNotificationTimeout(0), ppro.WithNotificationMaxBytes(0)},
		} {
			g := newGateway(t, reply{Body: fixture(t, "status_succeeded.txt")})
			res := serve(t, g, []string{"current"}, deadlineLeft, http.MethodPost, signed, opts...)
			require.Equal(t, http.StatusOK, res.status)
		}
		require.Len(t, left, 2)
		assert.Greater(t, left[0], ppro.DefaultNotificationTimeout, "an hour, not the default")
		assert.LessOrEqual(t, left[1], ppro.DefaultNotificationTimeout, "zero keeps the default")
		assert.Greater(t, left[1], time.Duration(0))
	})
	cases := []struct {
		name    string
		replies []reply
		secrets []string
		fn      func(context.Context, *ppro.Notification) error
		method  string
		body    string
		status  int
		lookups int
		calls   int
	}{
		{"GET", nil, []string{"current"}, ok, http.MethodGet, "", http.StatusMethodNotAllowed, 0, 0},
		{"no secret: fails closed", nil, nil, ok, http.MethodPost, signed, http.StatusInternalServerError, 0, 0},
		{"empty secret: fails closed", nil, []string{""}, ok, http.MethodPost, notificationBody("643772308", ts, independentHash("643772308", ts, "")), http.StatusInternalServerError, 0, 0},
		{"wrong hash", nil, []string{"other"}, ok, http.MethodPost, signed, http.StatusUnauthorized, 0, 0},
		{"malformed", nil, []string{"current"}, ok, http.MethodPost, "<xml/>", http.StatusBadRequest, 0, 0},
		{"too large", nil, []string{"current"}, ok, http.MethodPost, signed + "&pad=" + strings.Repeat("x", 17<<10), http.StatusRequestEntityTooLarge, 0, 0},
		{"status lookup fails", []reply{{Status: 503}}, []string{"current"}, ok, http.MethodPost, signed, http.StatusServiceUnavailable, 1, 0},
		{"txid unknown to PPRO", []reply{{Body: fixture(t, "status_not_found.txt")}}, []string{"current"}, ok, http.MethodPost, signed, http.StatusServiceUnavailable, 1, 0},
		{"fn fails", []reply{{Body: fixture(t, "status_succeeded.txt")}}, []string{"current"}, func(context.Context, *ppro.Notification) error { return errors.New("db down") }, http.MethodPost, signed, http.StatusInternalServerError, 1, 1},
		{"fn panics", []reply{{Body: fixture(t, "status_succeeded.txt")}}, []string{"current"}, func(context.Context, *ppro.Notification) error { panic("boom") }, http.MethodPost, signed, http.StatusInternalServerError, 1, 1},
		{"no fn", nil, []string{"current"}, nil, http.MethodPost, signed, http.StatusInternalServerError, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newGateway(t, tc.replies...)
			res := serve(t, g, tc.secrets, tc.fn, tc.method, tc.body)
			assert.Equal(t, tc.status, res.status)
			assert.Len(t, g.requests(), tc.lookups)
			assert.Equal(t, tc.calls, res.calls)
		})
	}
}

// recorder keeps what a notification function was handed.
type recorder struct {
	mu  sync.Mutex
	got []*ppro.Notification
}

func (r *recorder) fn(_ context.Context, n *ppro.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, n)
	return nil
}

func (r *recorder) statuses() []ppro.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s []ppro.Status
	for _, n := range r.got {
		s = append(s, n.Transaction.Status)
	}
	return s
}

// The simulator signs its notifications with its own code; the handler
// verifies them, during a secret rotation, and fetches each status.
func TestNotificationsFromTheSimulator(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		rec := &recorder{}
		var handler http.Handler
		sim := instoretest.NewPPROT(t,
			instoretest.WithPPRONotificationSecret("previous-secret"),
			instoretest.WithNotifyClient(instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				handler.ServeHTTP(w, r)
			}))))
		c, err := sim.Client()
		require.NoError(t, err)
		handler = c.NotificationHandler([]string{"current-secret", sim.NotificationSecret()}, rec.fn)

		req := transactionRequest()
		req.BuyerIdentityCode = instoretest.AlipayCode(instoretest.FailThenSucceed(3*time.Second), 9)
		resp, err := c.Transaction(t.Context(), req)
		require.NoError(t, err)
		assert.Equal(t, ppro.StatusFailed, resp.Status)
		time.Sleep(time.Minute)
		synctest.Wait()
		assert.Equal(t, []ppro.Status{ppro.StatusFailed, ppro.StatusSucceeded}, rec.statuses(), "the late success is notified")
		for _, d := range sim.Deliveries() {
			assert.True(t, d.Acknowledged)
			assert.Equal(t, req.MerchantTxID, d.Key)
		}
		assert.Len(t, sim.Deliveries(), 2)

		// A handler that does not know the simulator's secret refuses, and
		// the simulator delivers again.
		handler = c.NotificationHandler([]string{"current-secret"}, rec.fn)
		req.MerchantTxID = "sale-1043"
		req.BuyerIdentityCode = instoretest.AlipayCode(instoretest.Succeed, 10)
		_, err = c.Transaction(t.Context(), req)
		require.NoError(t, err)
		time.Sleep(time.Minute)
		synctest.Wait()
		ds := sim.Deliveries()[2:]
		require.NotEmpty(t, ds)
		for _, d := range ds {
			assert.Equal(t, http.StatusUnauthorized, d.Status)
		}
		assert.Greater(t, len(ds), 1, "redelivered")
	})
}

func TestNotificationPaymentIDs(t *testing.T) {
	t.Parallel()
	n := &ppro.Notification{TxID: "643772308", Transaction: &ppro.StatusResponse{}}
	n.Transaction.MerchantTxID = "sale-1"
	assert.Equal(t, []string{"sale-1", "643772308"}, n.PaymentIDs(), "the sale's request id once the handler fetched the transaction")
	assert.Equal(t, []string{"643772308"}, (&ppro.Notification{TxID: "643772308"}).PaymentIDs(), "parsed only")
	assert.Empty(t, (&ppro.Notification{}).PaymentIDs())
}
