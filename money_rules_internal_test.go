package instore

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The money rules of issue 12 that a scripted acquirer can show; the ones
// that need a simulator's faults are in money_rules_test.go.

// Rule 5: an answer about another payment is never taken as the sale's
// result. Each of these answers would have been "succeeded 100.00 THB".
func TestRuleAnswersAboutAnotherPaymentAreIgnored(t *testing.T) {
	t.Parallel()
	foreign := []struct {
		name string
		p    Payment
	}{
		{"another amount", Payment{ID: "pay_1", RequestID: "sale-1", Status: StatusSucceeded, Amount: Money{12500, THB}}},
		{"another currency", Payment{ID: "pay_1", RequestID: "sale-1", Status: StatusSucceeded, Amount: Money{10000, SGD}}},
		{"another sale's request id", Payment{ID: "pay_1", RequestID: "sale-2", Status: StatusSucceeded, Amount: Money{10000, THB}}},
		{"a negative amount", Payment{ID: "pay_1", RequestID: "sale-1", Status: StatusSucceeded, Amount: Money{-10000, THB}}},
		{"a status that is no payment status", Payment{ID: "pay_1", RequestID: "sale-1", Status: "paid-ish", Amount: Money{10000, THB}}},
	}
	for _, tc := range foreign {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFake(time.Now())
				bad := tc.p
				f.pay = []fakeCall{func(context.Context) (*Payment, error) { p := bad; return &p, nil }}
				// The truth, once asked: pending, then declined.
				f.inquire = []fakeCall{answer(StatusPending, "pay_1"), declined("USER_BALANCE_NOT_ENOUGH")}
				var logs bytes.Buffer
				c := newTestCheckout(t, f, WithCheckoutLogger(slog.New(slog.NewTextHandler(&logs, nil))))

				p, err := c.Collect(t.Context(), sale())
				require.NoError(t, err)
				assert.Equal(t, StatusFailed, p.Status, "the foreign answer was not the result")
				assert.Equal(t, Money{10000, THB}, p.Amount)
				assert.Len(t, f.inquireAt, 2, "the sale was inquired about instead")
				assert.Contains(t, logs.String(), "untrustworthy answer ignored")
				assert.NotContains(t, logs.String(), "12500", "the anomaly names the mismatch, not the values")
			})
		})
	}
	t.Run("another payment id, once the sale's is known", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{answer(StatusPending, "pay_1")}
			f.inquire = []fakeCall{answer(StatusSucceeded, "pay_2"), answer(StatusPending, "pay_1"), declined("ORDER_IS_CLOSED")}
			c := newTestCheckout(t, f)

			p, err := c.Collect(t.Context(), sale())
			require.NoError(t, err)
			assert.Equal(t, StatusFailed, p.Status)
			assert.Equal(t, "pay_1", p.ID)
		})
	})
	t.Run("another payment id under the sale's request id: taken when two answers in a row agree", func(t *testing.T) {
		t.Parallel()
		ours := func(status PaymentStatus, id string) fakeCall {
			return func(context.Context) (*Payment, error) {
				return &Payment{ID: id, RequestID: "sale-1", Status: status, Amount: Money{10000, THB}}, nil
			}
		}
		tests := []struct {
			name      string
			inquire   []fakeCall
			status    PaymentStatus
			id        string
			inquiries int
		}{
			// One answer naming pay_2 proves nothing: the next, about
			// pay_1, is the sale's.
			{"once", []fakeCall{ours(StatusSucceeded, "pay_2"), ours(StatusPending, "pay_1"), ours(StatusFailed, "pay_1")}, StatusFailed, "pay_1", 3},
			// Two in a row: the id held was the wrong one.
			{"twice", []fakeCall{ours(StatusPending, "pay_2"), ours(StatusSucceeded, "pay_2")}, StatusSucceeded, "pay_2", 2},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					f := newFake(time.Now())
					f.pay = []fakeCall{answer(StatusPending, "pay_1")}
					f.inquire = tt.inquire
					p, err := newTestCheckout(t, f).Collect(t.Context(), sale())
					require.NoError(t, err)
					assert.Equal(t, tt.status, p.Status)
					assert.Equal(t, tt.id, p.ID)
					assert.Len(t, f.inquireAt, tt.inquiries)
				})
			})
		}
	})
	t.Run("a cancel answered about another payment is not a cancel", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{answer(StatusPending, "pay_1")}
			f.inquire = []fakeCall{answer(StatusPending, "pay_1")}
			f.cancel = []fakeCall{
				func(context.Context) (*Payment, error) {
					return &Payment{ID: "pay_9", Status: StatusCancelled}, nil
				},
				answer(StatusSucceeded, "pay_1"),
			}
			c := newTestCheckout(t, f)

			p, err := c.Collect(t.Context(), sale())
			require.NoError(t, err)
			assert.Equal(t, StatusSucceeded, p.Status, "the second cancel's answer, about this sale, decides")
			assert.Len(t, f.cancelAt, 2)
		})
	})
}

// Rule 6: a burst of notifications ends nothing early. Nine notifications
// in 180 ms used to spend the nine inquiry slots and cancel a sale the
// customer confirmed at 6 s.
func TestRuleNotificationBurstKeepsTheWindow(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		f := newFake(start)
		f.pay = []fakeCall{answer(StatusPending, "pay_1")}
		f.inquire = []fakeCall{func(context.Context) (*Payment, error) {
			if time.Since(start) >= 6*time.Second {
				return &Payment{ID: "pay_1", Status: StatusSucceeded}, nil
			}
			return &Payment{ID: "pay_1", Status: StatusPending}, nil
		}}
		c := newTestCheckout(t, f)
		for i := range 9 {
			time.AfterFunc(100*time.Millisecond+time.Duration(i)*20*time.Millisecond, func() { c.Notify("sale-1") })
		}

		p, err := c.Collect(t.Context(), sale())
		require.NoError(t, err)
		assert.Equal(t, StatusSucceeded, p.Status)
		assert.Empty(t, f.cancelAt, "no cancel: the window is time, not a count of wake-ups")
		// One inquiry for the burst at 0.1 s, the next a second later (held
		// back by the minimum interval, and serving the one due at 2 s),
		// then the schedule: 5 s, 8 s (paid).
		assert.Equal(t, seconds(0.1, 1.1, 5, 8), f.inquireAt)
	})
}

// Rule 6, the other half: wake-ups bring inquiries forward no faster than
// the schedule's minimum interval (PPRO asks for 5 s between polls).
func TestRuleWakeUpsRespectTheMinimumInterval(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now())
		f.pay = []fakeCall{answer(StatusPending, "tx_1")}
		f.inquire = []fakeCall{answer(StatusPending, "tx_1")}
		f.cancel = []fakeCall{answer(StatusCancelled, "tx_1")}
		c := newTestCheckout(t, f, WithSchedule(Schedule{Inquiry: seconds(5, 5, 5, 5), MinInterval: 5 * time.Second}))
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-tick.C:
					c.Notify("sale-1")
				case <-done:
					return
				}
			}
		}()

		p, err := c.Collect(t.Context(), sale())
		close(done)
		require.NoError(t, err)
		assert.Equal(t, StatusCancelled, p.Status)
		require.NotEmpty(t, f.inquireAt)
		for i := 1; i < len(f.inquireAt); i++ {
			assert.GreaterOrEqual(t, f.inquireAt[i]-f.inquireAt[i-1], 5*time.Second, "inquiry %d", i)
		}
		// The wake-ups served the inquiries due at 5, 10 and 15 s early, but
		// not the last: it went at 20.1 s, a minimum interval after the one
		// at 15.1 s, and only then the cancel.
		assert.Equal(t, seconds(0.1, 5.1, 10.1, 15.1, 20.1), f.inquireAt)
		assert.Equal(t, seconds(20.1), f.cancelAt, "the window was not shortened")
	})
}

// Rule 9: an acquirer left nil by an unchecked constructor error is refused
// when the Checkout is built, not at the first sale.
func TestRuleTypedNilAcquirerIsRefused(t *testing.T) {
	t.Parallel()
	var omise *OmiseAcquirer // as left by `omise, err := NewOmiseAcquirer(...)` with err ignored
	_, err := NewCheckout(WithRoute(WalletAlipay, omise, MethodAlipayPlusUPM))
	require.Error(t, err)
	_, err = NewCheckout(WithPresentRoute(WalletAlipay, omise, MethodAlipayPlusMPM))
	require.Error(t, err)
	var fake *fakeAcquirer
	_, err = NewCheckout(WithRoute(WalletAlipay, fake, MethodAlipayPlusUPM))
	require.Error(t, err)
}

// Rule 8 in the state machine: once the acquirer has shown another payment
// under the sale's request id, no cancel goes out by that id.
func TestRuleNoCancelByARequestIDAnotherPaymentHolds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFake(time.Now())
		f.pay = []fakeCall{unknown}
		f.inquire = []fakeCall{func(context.Context) (*Payment, error) {
			// The earlier sale under this id: paid, for another amount.
			return &Payment{ID: "pay_old", RequestID: "sale-1", Status: StatusSucceeded, Amount: Money{55000, THB}}, nil
		}}
		f.cancel = []fakeCall{answer(StatusCancelled, "pay_old")}
		c := newTestCheckout(t, f)

		p, err := c.Collect(t.Context(), sale())
		require.ErrorIs(t, err, ErrPaymentUnresolved)
		assert.Equal(t, StatusUnknown, p.Status)
		assert.Equal(t, FailureRequestIDReused, p.FailureCode)
		assert.Empty(t, f.cancelAt, "the other sale's payment was not cancelled")

		// Nor by a recovery, which goes straight to the cancel step.
		time.Sleep(time.Hour)
		report, err := c.Recover(t.Context())
		require.NoError(t, err)
		require.Len(t, report.Sales, 1)
		assert.False(t, report.Sales[0].Resolved())
		assert.Empty(t, f.cancelAt, "a recovery did not cancel it either")
	})
}

// Rule 2 in the state machine: "not found" in answer to a cancel is not a
// cancel. The cancel is sent again, the payment that lands meanwhile is
// cancelled, and nothing found at all is unresolved, until the arrival
// horizon has passed.
func TestRuleNotFoundIsNoCancel(t *testing.T) {
	t.Parallel()
	notFound := fails(&PaymentNotFoundError{Code: "charge_not_found"})
	t.Run("the pay lands after the first cancel", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{hang}
			f.cancel = []fakeCall{notFound, answer(StatusSucceeded, "chrg_1")}
			c := newTestCheckout(t, f)
			ctx, abort := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer abort()

			p, err := c.Collect(ctx, sale())
			require.NoError(t, err)
			assert.Equal(t, StatusSucceeded, p.Status, "the late charge completed: the customer paid")
			assert.Equal(t, seconds(0.2, 2.2), f.cancelAt)
		})
	})
	t.Run("never found: unresolved", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{hang}
			f.cancel = []fakeCall{notFound}
			c := newTestCheckout(t, f)
			ctx, abort := context.WithTimeout(t.Context(), 200*time.Millisecond)
			defer abort()

			p, err := c.Collect(ctx, sale())
			require.ErrorIs(t, err, ErrPaymentUnresolved)
			require.ErrorIs(t, err, ErrPaymentNotFound)
			assert.Equal(t, StatusUnknown, p.Status)
			assert.Len(t, f.cancelAt, 6, "the whole cancel schedule")
		})
	})
	t.Run("a lying replica past the horizon: found on the next answer", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{unknown}
			f.inquire = []fakeCall{answer(StatusPending, "")}
			f.cancel = []fakeCall{notFound, notFound, answer(StatusSucceeded, "chrg_1")}
			c := newTestCheckout(t, f, WithArrivalHorizon(time.Second))

			p, err := c.Collect(t.Context(), sale())
			require.NoError(t, err)
			assert.Equal(t, StatusSucceeded, p.Status, "two not-founds are not proof; the third answer found it paid")
		})
	})
	t.Run("never found, past the arrival horizon: cancelled", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFake(time.Now())
			f.pay = []fakeCall{unknown}
			f.inquire = []fakeCall{answer(StatusPending, "")}
			f.cancel = []fakeCall{notFound}
			c := newTestCheckout(t, f, WithArrivalHorizon(40*time.Second))

			p, err := c.Collect(t.Context(), sale())
			require.NoError(t, err)
			assert.Equal(t, StatusCancelled, p.Status)
			assert.Equal(t, "charge_not_found", p.FailureCode)
			// Not found at 38 s, before the horizon: nothing. At 40 and 43 s,
			// past it: the third in a row, 5 s after the first, is proof.
			assert.Equal(t, seconds(38, 40, 43), f.cancelAt)
		})
	})
}
