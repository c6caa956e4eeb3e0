package instore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testAlipayCode = "281234567890123456"
	testWeChatCode = "134567890123456789"
)

var errDeclinedByAPI = errors.New("fake: authentication failure")

// fakeCall is one answer a fake acquirer gives; it sees the call's context so
// it can hang until the caller's deadline.
type fakeCall func(ctx context.Context) (*Payment, error)

func answer(status PaymentStatus, id string) fakeCall {
	return func(context.Context) (*Payment, error) {
		return &Payment{ID: id, Status: status}, nil
	}
}

func declined(code string) fakeCall {
	return func(context.Context) (*Payment, error) {
		return &Payment{ID: "pay_1", Status: StatusFailed, FailureCode: code}, nil
	}
}

func fails(err error) fakeCall {
	return func(context.Context) (*Payment, error) { return nil, err }
}

var unknown = fails(fmt.Errorf("fake: connection reset: %w", ErrOutcomeUnknown))

// neverConfirms scripts f as a customer who never confirms: the payment
// stays pending through every inquiry, and the cancel goes through.
func neverConfirms(f *fakeAcquirer) {
	f.pay = []fakeCall{answer(StatusPending, "pay_1")}
	f.inquire = []fakeCall{answer(StatusPending, "pay_1")}
	f.cancel = []fakeCall{answer(StatusCancelled, "pay_1")}
}

// hang blocks until the fakeCall's context ends, as a server that never
// answers; the request counts as delivered.
func hang(ctx context.Context) (*Payment, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("fake: %w: %w", ctx.Err(), ErrOutcomeUnknown)
}

// fakeAcquirer answers each method from a script and records when it was
// called, on the synctest bubble's clock.
type fakeAcquirer struct {
	mu                           sync.Mutex
	start                        time.Time
	pay, inquire, cancel, refund []fakeCall
	payAt, inquireAt, cancelAt   []time.Duration
	payReqs                      []*PayRequest
	refundAmounts                []Money
	refundIDs                    []string
	inquiredPayments, cancelled  []*Payment
}

func newFake(start time.Time) *fakeAcquirer { return &fakeAcquirer{start: start} }

func (f *fakeAcquirer) Name() string { return "fake" }

// next pops the next scripted answer; the last one repeats.
func next(script *[]fakeCall) fakeCall {
	if len(*script) == 0 {
		return fails(errors.New("fake: unscripted fakeCall"))
	}
	c := (*script)[0]
	if len(*script) > 1 {
		*script = (*script)[1:]
	}
	return c
}

func (f *fakeAcquirer) Pay(ctx context.Context, req *PayRequest) (*Payment, error) {
	f.mu.Lock()
	f.payAt = append(f.payAt, time.Since(f.start))
	f.payReqs = append(f.payReqs, req)
	c := next(&f.pay)
	f.mu.Unlock()
	return c(ctx)
}

func (f *fakeAcquirer) Inquire(ctx context.Context, p *Payment) (*Payment, error) {
	f.mu.Lock()
	f.inquireAt = append(f.inquireAt, time.Since(f.start))
	f.inquiredPayments = append(f.inquiredPayments, p)
	c := next(&f.inquire)
	f.mu.Unlock()
	return c(ctx)
}

func (f *fakeAcquirer) Cancel(ctx context.Context, p *Payment) (*Payment, error) {
	f.mu.Lock()
	f.cancelAt = append(f.cancelAt, time.Since(f.start))
	f.cancelled = append(f.cancelled, p)
	c := next(&f.cancel)
	f.mu.Unlock()
	return c(ctx)
}

func (f *fakeAcquirer) Refund(ctx context.Context, p *Payment, amount Money, id string) (*Payment, error) {
	f.mu.Lock()
	f.refundAmounts = append(f.refundAmounts, amount)
	f.refundIDs = append(f.refundIDs, id)
	c := next(&f.refund)
	f.mu.Unlock()
	return c(ctx)
}

func (f *fakeAcquirer) calls() (pay, inquire, cancel int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.payAt), len(f.inquireAt), len(f.cancelAt)
}

func seconds(ss ...float64) []time.Duration {
	out := make([]time.Duration, len(ss))
	for i, s := range ss {
		out[i] = time.Duration(s * float64(time.Second))
	}
	return out
}

func newTestCheckout(t *testing.T, f *fakeAcquirer, opts ...CheckoutOption) *Checkout {
	t.Helper()
	opts = append([]CheckoutOption{
		WithRoute(WalletAlipay, f, MethodAlipayPlusUPM),
		WithRoute(WalletWeChatPay, f, MethodWeChatPayUPM),
	}, opts...)
	c, err := NewCheckout(opts...)
	require.NoError(t, err)
	return c
}

func sale() *CollectRequest {
	return &CollectRequest{
		Code:      testAlipayCode,
		Amount:    Money{Amount: 10000, Currency: THB},
		RequestID: "sale-1",
		Store:     Store{ID: "BKK-01", Name: "Sukhumvit", TerminalID: "T1"},
	}
}

func TestCollectStateMachine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                        string
		pay, inquire, cancel        []fakeCall
		wantStatus                  PaymentStatus
		wantCode                    string
		wantErr                     error
		wantPays, wantInquiries     int
		wantInquireAt, wantCancelAt []time.Duration
	}{
		{
			name:       "paid at once",
			pay:        []fakeCall{answer(StatusSucceeded, "pay_1")},
			wantStatus: StatusSucceeded, wantPays: 1,
		},
		{
			name:       "declined at once",
			pay:        []fakeCall{declined("USER_BALANCE_NOT_ENOUGH")},
			wantStatus: StatusFailed, wantCode: "USER_BALANCE_NOT_ENOUGH", wantPays: 1,
		},
		{
			name:       "refused by the acquirer: nothing moved, no inquiry",
			pay:        []fakeCall{fails(errDeclinedByAPI)},
			wantStatus: StatusFailed, wantCode: FailureRefused, wantErr: errDeclinedByAPI, wantPays: 1,
		},
		{
			name:       "unknown, then found paid on the second inquiry",
			pay:        []fakeCall{unknown},
			inquire:    []fakeCall{answer(StatusPending, "pay_1"), answer(StatusSucceeded, "pay_1")},
			wantStatus: StatusSucceeded, wantPays: 1, wantInquiries: 2,
			wantInquireAt: seconds(2, 5),
		},
		{
			name:       "pay times out after 5 s: inquiry, never a second pay",
			pay:        []fakeCall{hang},
			inquire:    []fakeCall{answer(StatusSucceeded, "pay_1")},
			wantStatus: StatusSucceeded, wantPays: 1, wantInquiries: 1,
			wantInquireAt: seconds(7),
		},
		{
			name:       "pending, the customer declines in the app",
			pay:        []fakeCall{answer(StatusPending, "pay_1")},
			inquire:    []fakeCall{answer(StatusPending, "pay_1"), declined("payment_rejected")},
			wantStatus: StatusFailed, wantCode: "payment_rejected", wantPays: 1, wantInquiries: 2,
			wantInquireAt: seconds(2, 5),
		},
		{
			name:       "not found yet, then found: inquired again, not failed",
			pay:        []fakeCall{unknown},
			inquire:    []fakeCall{answer(StatusPending, ""), answer(StatusPending, ""), answer(StatusSucceeded, "pay_1")},
			wantStatus: StatusSucceeded, wantPays: 1, wantInquiries: 3,
			wantInquireAt: seconds(2, 5, 8),
		},
		{
			name:       "pending through every inquiry: cancelled",
			pay:        []fakeCall{answer(StatusPending, "pay_1")},
			inquire:    []fakeCall{answer(StatusPending, "pay_1")},
			cancel:     []fakeCall{answer(StatusCancelled, "pay_1")},
			wantStatus: StatusCancelled, wantPays: 1, wantInquiries: 9,
			wantInquireAt: seconds(2, 5, 8, 13, 18, 23, 28, 33, 38),
			wantCancelAt:  seconds(38),
		},
		{
			name:       "inquiries fail: cancel retried on 2, 3 s",
			pay:        []fakeCall{unknown},
			inquire:    []fakeCall{unknown},
			cancel:     []fakeCall{unknown, hang, answer(StatusCancelled, "pay_1")},
			wantStatus: StatusCancelled, wantPays: 1, wantInquiries: 9,
			wantInquireAt: seconds(2, 5, 8, 13, 18, 23, 28, 33, 38),
			// The hung cancel ends at 45, past the next due time (43): the
			// next cancel goes at once.
			wantCancelAt: seconds(38, 40, 45),
		},
		{
			name:       "cancel refused because the payment completed: succeeded",
			pay:        []fakeCall{answer(StatusPending, "pay_1")},
			inquire:    []fakeCall{hang},
			cancel:     []fakeCall{answer(StatusSucceeded, "pay_1")},
			wantStatus: StatusSucceeded, wantPays: 1, wantInquiries: 9,
			// Every inquiry hangs for its 5 s; the window is 38 s and one
			// call timeout, whatever the calls do.
			wantInquireAt: seconds(2, 7, 12, 17, 22, 27, 32, 37, 42),
			wantCancelAt:  seconds(43),
		},
		{
			name:       "cancel finds the payment failed",
			pay:        []fakeCall{unknown},
			inquire:    []fakeCall{answer(StatusPending, "")},
			cancel:     []fakeCall{declined("ORDER_IS_CLOSED")},
			wantStatus: StatusFailed, wantCode: "ORDER_IS_CLOSED", wantPays: 1, wantInquiries: 9,
			wantCancelAt: seconds(38),
		},
		{
			name:       "cancel never confirmed: unresolved",
			pay:        []fakeCall{unknown},
			inquire:    []fakeCall{answer(StatusPending, "pay_1")},
			cancel:     []fakeCall{unknown, answer(StatusPending, "pay_1")},
			wantStatus: StatusUnknown, wantErr: ErrPaymentUnresolved, wantPays: 1, wantInquiries: 9,
			wantInquireAt: seconds(2, 5, 8, 13, 18, 23, 28, 33, 38),
			wantCancelAt:  seconds(38, 40, 43, 46, 51, 56),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFake(time.Now())
				f.pay, f.inquire, f.cancel = tt.pay, tt.inquire, tt.cancel
				c := newTestCheckout(t, f)

				p, err := c.Collect(t.Context(), sale())
				if tt.wantErr != nil {
					require.ErrorIs(t, err, tt.wantErr)
				} else {
					require.NoError(t, err)
				}
				require.NotNil(t, p)
				assert.Equal(t, tt.wantStatus, p.Status)
				assert.Equal(t, tt.wantCode, p.FailureCode)
				assert.Equal(t, "sale-1", p.RequestID)
				assert.Equal(t, "fake", p.Acquirer)
				assert.Equal(t, Money{Amount: 10000, Currency: THB}, p.Amount)
				assert.Equal(t, WalletAlipay, p.Wallet)
				assert.Equal(t, MethodAlipayPlusUPM, p.Method)
				pays, inquiries, _ := f.calls()
				assert.Equal(t, tt.wantPays, pays, "never a second pay")
				assert.Equal(t, tt.wantInquiries, inquiries)
				if tt.wantInquireAt != nil {
					assert.Equal(t, tt.wantInquireAt, f.inquireAt)
				}
				if tt.wantCancelAt != nil {
					assert.Equal(t, tt.wantCancelAt, f.cancelAt)
				} else {
					assert.Empty(t, f.cancelAt)
				}
			})
		})
	}
}

func TestCollectUnresolvedCarriesThePayment(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusPending, "chrg_9")}
		f.inquire = []fakeCall{answer(StatusPending, "chrg_9")}
		f.cancel = []fakeCall{unknown}
		c := newTestCheckout(t, f)

		p, err := c.Collect(t.Context(), sale())
		var ue *UnresolvedError
		require.ErrorAs(t, err, &ue)
		require.ErrorIs(t, err, ErrOutcomeUnknown, "the last cancel error is kept")
		assert.Equal(t, "chrg_9", ue.Payment.ID)
		assert.Equal(t, "sale-1", ue.Payment.RequestID)
		assert.Equal(t, p.RequestID, ue.Payment.RequestID)
		assert.Contains(t, err.Error(), "sale-1")
		assert.NotContains(t, err.Error(), testAlipayCode)
		assert.Equal(t, seconds(38, 40, 43, 46, 51, 56), f.cancelAt)
	})
}

func TestCollectCashierAbort(t *testing.T) {
	t.Parallel()
	t.Run("during the inquiries: cancelled at once, with its own context", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{answer(StatusPending, "pay_1")}
			f.inquire = []fakeCall{answer(StatusPending, "pay_1")}
			f.cancel = []fakeCall{func(ctx context.Context) (*Payment, error) {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				return &Payment{ID: "pay_1", Status: StatusCancelled}, nil
			}}
			c := newTestCheckout(t, f)
			ctx, abort := context.WithCancel(t.Context())
			time.AfterFunc(6*time.Second, abort)

			p, err := c.Collect(ctx, sale())
			require.NoError(t, err)
			assert.Equal(t, StatusCancelled, p.Status)
			assert.Equal(t, seconds(2, 5), f.inquireAt)
			assert.Equal(t, seconds(6), f.cancelAt)
		})
	})
	t.Run("during the pay: the payment may exist, so it is cancelled", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{hang}
			f.cancel = []fakeCall{answer(StatusSucceeded, "pay_1")}
			c := newTestCheckout(t, f)
			ctx, abort := context.WithCancel(t.Context())
			time.AfterFunc(time.Second, abort)

			p, err := c.Collect(ctx, sale())
			require.NoError(t, err)
			assert.Equal(t, StatusSucceeded, p.Status, "the acquirer said it completed and cannot be cancelled")
			assert.Empty(t, f.inquireAt)
			assert.Equal(t, seconds(1), f.cancelAt)
		})
	})
	t.Run("before anything was sent", func(t *testing.T) {
		t.Parallel()
		f := newFake(time.Now())
		c := newTestCheckout(t, f)
		ctx, abort := context.WithCancel(t.Context())
		abort()
		p, err := c.Collect(ctx, sale())
		require.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, p)
		pays, _, _ := f.calls()
		assert.Zero(t, pays)
	})
}

func TestCollectNotify(t *testing.T) {
	t.Parallel()
	t.Run("a notification by request id wakes the inquiry early", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{answer(StatusPending, "pay_1")}
			f.inquire = []fakeCall{answer(StatusPending, "pay_1"), answer(StatusPending, "pay_1"), answer(StatusSucceeded, "pay_1")}
			c := newTestCheckout(t, f)
			time.AfterFunc(time.Second, func() { assert.True(t, c.Notify("sale-1")) })
			time.AfterFunc(3500*time.Millisecond, func() { assert.True(t, c.Notify("pay_1")) })

			p, err := c.Collect(t.Context(), sale())
			require.NoError(t, err)
			assert.Equal(t, StatusSucceeded, p.Status)
			// Woken at 1 s, then the inquiry due at 2 s (it is a second
			// after), then woken by the payment id at 3.5 s.
			assert.Equal(t, seconds(1, 2, 3.5), f.inquireAt)
			assert.False(t, c.Notify("sale-1"), "nothing waits once Collect returned")
			assert.False(t, c.Notify("pay_1"))
		})
	})
	t.Run("the notification is a hint: the inquiry decides", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{answer(StatusPending, "pay_1")}
			f.inquire = []fakeCall{declined("payment_cancelled")}
			c := newTestCheckout(t, f)
			time.AfterFunc(time.Second, func() { c.Notify("sale-1") })

			p, err := c.Collect(t.Context(), sale())
			require.NoError(t, err)
			assert.Equal(t, StatusFailed, p.Status)
		})
	})
	t.Run("a late success after the cancel was sent changes nothing", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{answer(StatusPending, "pay_1")}
			f.inquire = []fakeCall{answer(StatusPending, "pay_1")}
			f.cancel = []fakeCall{unknown, answer(StatusCancelled, "pay_1")}
			c := newTestCheckout(t, f)
			time.AfterFunc(39*time.Second, func() { c.Notify("pay_1") })

			p, err := c.Collect(t.Context(), sale())
			require.NoError(t, err)
			assert.Equal(t, StatusCancelled, p.Status)
			assert.Len(t, f.inquireAt, 9, "no inquiry after the cancel began")
			assert.Equal(t, seconds(38, 40), f.cancelAt)
		})
	})
}

func TestCollectRefusesInputBeforeSending(t *testing.T) {
	t.Parallel()
	f := newFake(time.Now())
	only, err := NewCheckout(WithRoute(WalletAlipay, f, MethodAlipayPlusUPM))
	require.NoError(t, err)
	tests := []struct {
		name    string
		req     *CollectRequest
		wantErr error
	}{
		{"nil request", nil, ErrInvalidRequest},
		{"letters in the code", &CollectRequest{Code: "28x234567890123456", Amount: Money{10000, THB}}, ErrInvalidPaymentCode},
		{"unknown wallet", &CollectRequest{Code: "991234567890123456", Amount: Money{10000, THB}}, ErrUnknownWallet},
		{"no route for the wallet", &CollectRequest{Code: testWeChatCode, Amount: Money{10000, THB}}, ErrNoRoute},
		{"under the minimum", &CollectRequest{Code: testAlipayCode, Amount: Money{1999, THB}}, ErrAmountTooSmall},
		{"zero", &CollectRequest{Code: testAlipayCode, Amount: Money{0, THB}}, ErrAmountTooSmall},
		{"over the maximum", &CollectRequest{Code: testAlipayCode, Amount: Money{15000001, THB}}, ErrAmountTooLarge},
		{"currency the method does not take", &CollectRequest{Code: testAlipayCode, Amount: Money{10000, JPY}}, ErrCurrencyNotSupported},
		{"request id too long", &CollectRequest{Code: testAlipayCode, Amount: Money{10000, THB}, RequestID: string(bytes.Repeat([]byte("a"), 65))}, ErrInvalidRequest},
		{"request id with a space", &CollectRequest{Code: testAlipayCode, Amount: Money{10000, THB}, RequestID: "sale 1"}, ErrInvalidRequest},
	}
	for _, tt := range tests {
		p, err := only.Collect(t.Context(), tt.req)
		require.ErrorIs(t, err, tt.wantErr, tt.name)
		assert.Nil(t, p, tt.name)
		if tt.req != nil {
			assert.NotContains(t, err.Error(), tt.req.Code[2:], "%s: the code never appears in an error", tt.name)
		}
	}
	pays, _, _ := f.calls()
	assert.Zero(t, pays, "refused input never reaches an acquirer")
}

func TestCollectFillsRequestID(t *testing.T) {
	t.Parallel()
	f := newFake(time.Now())
	f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")}
	c := newTestCheckout(t, f)
	req := sale()
	req.RequestID = ""
	req.Code = "2812 3456-7890\r\n123456"
	req.Metadata = map[string]string{"order": "A-17"}

	p, err := c.Collect(t.Context(), req)
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{32}$`, p.RequestID)
	require.Len(t, f.payReqs, 1)
	got := f.payReqs[0]
	assert.Equal(t, p.RequestID, got.RequestID)
	assert.Equal(t, testAlipayCode, got.Code.Digits)
	assert.Equal(t, MethodAlipayPlusUPM, got.Method)
	assert.Equal(t, req.Store, got.Store)
	assert.Equal(t, req.Metadata, got.Metadata)
	assert.Equal(t, Money{10000, THB}, got.Amount)
}

// collectTwiceInFlight runs a sale that is paid on its first inquiry and,
// while it waits for that inquiry, a second Collect under the same request
// id. Inside the caller's synctest bubble, it returns the fake and what the
// second Collect returned, once the first has ended.
func collectTwiceInFlight(t *testing.T) (*fakeAcquirer, *Payment, error) {
	t.Helper()
	f := newFake(time.Now())
	f.pay = []fakeCall{answer(StatusPending, "pay_1")}
	f.inquire = []fakeCall{answer(StatusSucceeded, "pay_1")}
	c := newTestCheckout(t, f)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, err := c.Collect(t.Context(), sale())
		assert.NoError(t, err)
	}()
	synctest.Wait() // the first Collect waits for its first inquiry
	p, err := c.Collect(t.Context(), sale())
	<-done
	return f, p, err
}

func TestCollectRefusesADuplicateInFlight(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f, _, err := collectTwiceInFlight(t)
		require.ErrorIs(t, err, ErrRequestInProgress)
		pays, _, _ := f.calls()
		assert.Equal(t, 1, pays)
	})
}

func TestCollectProgressAndLogs(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusPending, "pay_1")}
		f.inquire = []fakeCall{answer(StatusPending, "pay_1"), answer(StatusSucceeded, "pay_1")}
		var steps []Progress
		var logs bytes.Buffer
		c := newTestCheckout(t, f,
			WithProgress(func(p Progress) { steps = append(steps, p) }),
			WithCheckoutLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		)

		_, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		var got []string
		for _, s := range steps {
			got = append(got, fmt.Sprintf("%s/%d/%s/%s", s.Step, s.Attempt, s.Status, s.Elapsed))
		}
		assert.Equal(t, []string{
			"classified/0/unknown/0s",
			"paying/0/unknown/0s",
			"pending/0/pending/0s",
			"inquiring/1/pending/2s",
			"inquiring/2/pending/5s",
			"final/0/succeeded/5s",
		}, got)
		assert.Contains(t, logs.String(), "step=inquiring")
		assert.Contains(t, logs.String(), "request_id=sale-1")
		assert.NotContains(t, logs.String(), testAlipayCode[4:14])
	})
}

func TestCollectCustomSchedule(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now())
		f.pay = []fakeCall{unknown}
		f.inquire = []fakeCall{answer(StatusPending, "")}
		f.cancel = []fakeCall{answer(StatusCancelled, "")}
		c := newTestCheckout(t, f, WithSchedule(Schedule{Inquiry: seconds(1, 1), Cancel: seconds(1)}))

		p, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		assert.Equal(t, StatusCancelled, p.Status)
		assert.Equal(t, seconds(1, 2), f.inquireAt)
		assert.Equal(t, seconds(2), f.cancelAt)
	})
}

// scheduledFake brings its own schedule, as the PPRO adapter does.
type scheduledFake struct{ *fakeAcquirer }

func (scheduledFake) Schedule() Schedule { return Schedule{Inquiry: seconds(5, 5)} }

func TestCollectAcquirerSchedule(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusPending, "tx_1")}
		f.inquire = []fakeCall{answer(StatusPending, "tx_1"), answer(StatusSucceeded, "tx_1")}
		c, err := NewCheckout(WithRoute(WalletAlipay, scheduledFake{f}, MethodPPROAlipay))
		require.NoError(t, err)
		req := sale()
		req.Amount = Money{Amount: 500, Currency: CHF}

		p, err := c.Collect(t.Context(), req)
		require.NoError(t, err)
		assert.Equal(t, StatusSucceeded, p.Status)
		assert.Equal(t, seconds(5, 10), f.inquireAt)
	})
}

func TestNewCheckoutRejectsBadOptions(t *testing.T) {
	t.Parallel()
	f := newFake(time.Now())
	other := &namedFake{fakeAcquirer: newFake(time.Now())}
	for name, opts := range map[string][]CheckoutOption{
		"no route":              nil,
		"nil acquirer":          {WithRoute(WalletAlipay, nil, MethodAlipayPlusUPM)},
		"empty method":          {WithRoute(WalletAlipay, f, "")},
		"same name twice":       {WithRoute(WalletAlipay, f, MethodAlipayPlusUPM), WithRoute(WalletWeChatPay, other, MethodWeChatPayUPM)},
		"nil limits":            {WithRoute(WalletAlipay, f, MethodAlipayPlusUPM), WithLimits(nil)},
		"negative wait":         {WithRoute(WalletAlipay, f, MethodAlipayPlusUPM), WithSchedule(Schedule{Inquiry: seconds(-1)})},
		"zero pay timeout":      {WithRoute(WalletAlipay, f, MethodAlipayPlusUPM), WithPayTimeout(0)},
		"zero fakeCall timeout": {WithRoute(WalletAlipay, f, MethodAlipayPlusUPM), WithCallTimeout(0)},
	} {
		_, err := NewCheckout(opts...)
		require.ErrorIs(t, err, ErrInvalidConfig, name)
	}
}

type namedFake struct{ *fakeAcquirer }

func TestRefund(t *testing.T) {
	t.Parallel()
	f := newFake(time.Now())
	f.refund = []fakeCall{answer(StatusSucceeded, "rfnd_1")}
	c := newTestCheckout(t, f)
	paid := &Payment{Acquirer: "fake", ID: "pay_1", RequestID: "sale-1", Status: StatusSucceeded, Amount: Money{10000, THB}}

	r, err := c.Refund(t.Context(), paid, Money{2500, THB})
	require.NoError(t, err)
	assert.Equal(t, "rfnd_1", r.ID)
	assert.Equal(t, []Money{{2500, THB}}, f.refundAmounts)
	require.Len(t, f.refundIDs, 1)
	assert.Regexp(t, `^[0-9a-f]{32}$`, f.refundIDs[0])

	pending := *paid
	pending.Status = StatusPending
	elsewhere := *paid
	elsewhere.Acquirer = "other"
	for name, tc := range map[string]struct {
		p       *Payment
		amount  Money
		wantErr error
	}{
		"nil payment":      {nil, Money{1, THB}, ErrInvalidRequest},
		"not succeeded":    {&pending, Money{1, THB}, ErrInvalidRequest},
		"other currency":   {paid, Money{1, SGD}, ErrInvalidRequest},
		"zero":             {paid, Money{0, THB}, ErrInvalidRequest},
		"more than paid":   {paid, Money{10001, THB}, ErrInvalidRequest},
		"unknown acquirer": {&elsewhere, Money{1, THB}, ErrNoRoute},
	} {
		_, err := c.Refund(t.Context(), tc.p, tc.amount)
		require.ErrorIs(t, err, tc.wantErr, name)
	}
	assert.Len(t, f.refundAmounts, 1, "refused refunds are not sent")
}
