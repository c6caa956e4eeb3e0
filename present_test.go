package instore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// presentCall is one answer a fake presenter gives to Present.
type presentCall func(ctx context.Context) (*Payment, *QRCode, error)

// shown answers a pending payment with a QR code to show.
func shown(id string) presentCall {
	return func(context.Context) (*Payment, *QRCode, error) {
		return &Payment{ID: id, Status: StatusPending}, &QRCode{Content: "qr-" + id, ImageURI: "https://img.example/" + id}, nil
	}
}

// presentAnswer wraps a fakeCall, with no QR code.
func presentAnswer(c fakeCall) presentCall {
	return func(ctx context.Context) (*Payment, *QRCode, error) {
		p, err := c(ctx)
		return p, nil, err
	}
}

// fakePresenter is a fakeAcquirer that also presents, and fetches images.
type fakePresenter struct {
	*fakeAcquirer
	present     []presentCall
	presentAt   []time.Duration
	presentReqs []*PayRequest
	fetched     []string
}

func newFakePresenter(start time.Time) *fakePresenter {
	return &fakePresenter{fakeAcquirer: newFake(start)}
}

func (f *fakePresenter) Present(ctx context.Context, req *PayRequest) (*Payment, *QRCode, error) {
	f.mu.Lock()
	f.presentAt = append(f.presentAt, time.Since(f.start))
	f.presentReqs = append(f.presentReqs, req)
	var c presentCall = func(context.Context) (*Payment, *QRCode, error) {
		return nil, nil, errors.New("fake: unscripted present")
	}
	if len(f.present) > 0 {
		c = f.present[0]
		if len(f.present) > 1 {
			f.present = f.present[1:]
		}
	}
	f.mu.Unlock()
	return c(ctx)
}

func (f *fakePresenter) FetchQRImage(_ context.Context, uri string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetched = append(f.fetched, uri)
	return []byte("<svg/>"), nil
}

// plainPresenter presents but fetches no images: embedding the interface
// hides the fake's FetchQRImage.
type plainPresenter struct{ Presenter }

// declinedAs is declined with the payment's own id.
func declinedAs(id, code string) fakeCall {
	return func(context.Context) (*Payment, error) {
		return &Payment{ID: id, Status: StatusFailed, FailureCode: code}, nil
	}
}

func newPresentCheckout(t *testing.T, f Presenter, opts ...CheckoutOption) *Checkout {
	t.Helper()
	opts = append([]CheckoutOption{
		WithPresentRoute(WalletAlipay, f, MethodAlipayPlusMPM),
		WithPresentRoute(WalletWeChatPay, f, MethodWeChatPayMPM),
	}, opts...)
	c, err := NewCheckout(opts...)
	require.NoError(t, err)
	return c
}

func qrSale() *PresentRequest {
	return &PresentRequest{
		Wallet:    WalletAlipay,
		Amount:    Money{Amount: 150000, Currency: THB},
		RequestID: "qr-1",
		Store:     Store{ID: "BKK-01", Name: "Sukhumvit", TerminalID: "T1"},
	}
}

// every3s returns the times of the first n inquiries of the default
// present schedule.
func every3s(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * 3 * time.Second
	}
	return out
}

func TestDefaultPresentSchedule(t *testing.T) {
	t.Parallel()
	s := DefaultPresentSchedule()
	require.Len(t, s.Inquiry, 40)
	var total time.Duration
	for _, d := range s.Inquiry {
		assert.Equal(t, 3*time.Second, d)
		total += d
	}
	assert.Equal(t, 2*time.Minute, total)
	assert.Equal(t, DefaultSchedule().Cancel, s.Cancel)
	s.Inquiry[0] = time.Hour
	assert.Equal(t, 3*time.Second, DefaultPresentSchedule().Inquiry[0], "a fresh schedule on each call")
}

func TestPresentWaitStateMachine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		inquire, cancel []fakeCall
		wantStatus      PaymentStatus
		wantCode        string
		wantErr         error
		wantInquireAt   []time.Duration
		wantCancelAt    []time.Duration
	}{
		{
			name:       "the customer pays: found on the third inquiry",
			inquire:    []fakeCall{answer(StatusPending, "chrg_1"), answer(StatusPending, "chrg_1"), answer(StatusSucceeded, "chrg_1")},
			wantStatus: StatusSucceeded, wantInquireAt: every3s(3),
		},
		{
			name:       "the customer declines in the app",
			inquire:    []fakeCall{answer(StatusPending, "chrg_1"), declinedAs("chrg_1", "payment_rejected")},
			wantStatus: StatusFailed, wantCode: "payment_rejected", wantInquireAt: every3s(2),
		},
		{
			name:    "never scanned: expired after two minutes",
			inquire: []fakeCall{answer(StatusPending, "chrg_1")},
			cancel: []fakeCall{func(context.Context) (*Payment, error) {
				return &Payment{ID: "chrg_1", Status: StatusCancelled, FailureCode: "expired"}, nil
			}},
			wantStatus: StatusCancelled, wantCode: "expired",
			wantInquireAt: every3s(40), wantCancelAt: seconds(120),
		},
		{
			name:       "paid after the cancel was sent: the acquirer's answer wins",
			inquire:    []fakeCall{answer(StatusPending, "chrg_1")},
			cancel:     []fakeCall{answer(StatusSucceeded, "chrg_1")},
			wantStatus: StatusSucceeded, wantInquireAt: every3s(40), wantCancelAt: seconds(120),
		},
		{
			name:       "paid and then cancelled (Alipay+ refunds a paid payment it cancels)",
			inquire:    []fakeCall{answer(StatusPending, "chrg_1")},
			cancel:     []fakeCall{unknown, answer(StatusCancelled, "chrg_1")},
			wantStatus: StatusCancelled, wantInquireAt: every3s(40), wantCancelAt: seconds(120, 122),
		},
		{
			name:       "inquiries fail; the cancel finds it closed by the acquirer",
			inquire:    []fakeCall{unknown},
			cancel:     []fakeCall{declinedAs("chrg_1", "ORDER_IS_CLOSED")},
			wantStatus: StatusFailed, wantCode: "ORDER_IS_CLOSED", wantInquireAt: every3s(40), wantCancelAt: seconds(120),
		},
		{
			name:       "cancel never confirmed: unresolved",
			inquire:    []fakeCall{answer(StatusPending, "chrg_1")},
			cancel:     []fakeCall{unknown, answer(StatusPending, "chrg_1")},
			wantStatus: StatusUnknown, wantErr: ErrPaymentUnresolved,
			wantInquireAt: every3s(40), wantCancelAt: seconds(120, 122, 125, 128, 133, 138),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFakePresenter(time.Now())
				f.present = []presentCall{shown("chrg_1")}
				f.inquire, f.cancel = tt.inquire, tt.cancel
				c := newPresentCheckout(t, f)

				pm, err := c.Present(t.Context(), qrSale())
				require.NoError(t, err)
				assert.Equal(t, StatusPending, pm.Payment.Status)
				assert.Equal(t, "chrg_1", pm.Payment.ID)
				assert.Equal(t, "qr-chrg_1", pm.QR.Content)

				p, err := pm.Wait(t.Context())
				if tt.wantErr != nil {
					require.ErrorIs(t, err, tt.wantErr)
				} else {
					require.NoError(t, err)
				}
				require.NotNil(t, p)
				assert.Equal(t, tt.wantStatus, p.Status)
				assert.Equal(t, tt.wantCode, p.FailureCode)
				assert.Equal(t, "qr-1", p.RequestID)
				assert.Equal(t, "chrg_1", p.ID)
				assert.Equal(t, Money{Amount: 150000, Currency: THB}, p.Amount)
				assert.Equal(t, WalletAlipay, p.Wallet)
				assert.Equal(t, MethodAlipayPlusMPM, p.Method)
				assert.Equal(t, StatusPending, pm.Payment.Status, "the presentment's copy is not changed")
				assert.Equal(t, seconds(0), f.presentAt, "presented once, never again")
				assert.Equal(t, tt.wantInquireAt, f.inquireAt)
				if tt.wantCancelAt != nil {
					assert.Equal(t, tt.wantCancelAt, f.cancelAt)
				} else {
					assert.Empty(t, f.cancelAt)
				}
				for _, q := range f.inquiredPayments {
					assert.Equal(t, "chrg_1", q.ID, "inquired by the id the acquirer gave")
				}
			})
		})
	}
}

func TestPresentCashierAbort(t *testing.T) {
	t.Parallel()
	cancelOwnContext := func(ctx context.Context) (*Payment, error) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return &Payment{ID: "chrg_1", Status: StatusCancelled}, nil
	}
	t.Run("during the wait: cancelled at once, with Wait's own context", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.inquire = []fakeCall{answer(StatusPending, "chrg_1")}
			f.cancel = []fakeCall{cancelOwnContext}
			c := newPresentCheckout(t, f)
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)
			ctx, abort := context.WithCancel(t.Context())
			time.AfterFunc(10*time.Second, abort)

			p, err := pm.Wait(ctx)
			require.NoError(t, err)
			assert.Equal(t, StatusCancelled, p.Status)
			assert.Equal(t, every3s(3), f.inquireAt)
			assert.Equal(t, seconds(10), f.cancelAt)
		})
	})
	t.Run("before Wait: cancelled without an inquiry", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.cancel = []fakeCall{cancelOwnContext}
			c := newPresentCheckout(t, f)
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)
			ctx, abort := context.WithCancel(t.Context())
			abort()

			p, err := pm.Wait(ctx)
			require.NoError(t, err)
			assert.Equal(t, StatusCancelled, p.Status)
			assert.Empty(t, f.inquireAt)
			assert.Equal(t, seconds(0), f.cancelAt)
		})
	})
	t.Run("the customer paid before the abort reached the acquirer", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.inquire = []fakeCall{answer(StatusPending, "chrg_1")}
			f.cancel = []fakeCall{answer(StatusSucceeded, "chrg_1")}
			c := newPresentCheckout(t, f)
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)
			ctx, abort := context.WithTimeout(t.Context(), 4*time.Second)
			defer abort()

			p, err := pm.Wait(ctx)
			require.NoError(t, err)
			assert.Equal(t, StatusSucceeded, p.Status, "reported as the acquirer says, never as cancelled")
			assert.Equal(t, seconds(4), f.cancelAt)
		})
	})
}

func TestPresentNotify(t *testing.T) {
	t.Parallel()
	t.Run("a webhook wakes the wait, by request id or payment id", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.inquire = []fakeCall{answer(StatusPending, "chrg_1"), answer(StatusSucceeded, "chrg_1")}
			c := newPresentCheckout(t, f)
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)
			time.AfterFunc(time.Second, func() { assert.True(t, c.Notify("qr-1")) })
			time.AfterFunc(2500*time.Millisecond, func() { assert.True(t, c.Notify("chrg_1")) })

			p, err := pm.Wait(t.Context())
			require.NoError(t, err)
			assert.Equal(t, StatusSucceeded, p.Status)
			assert.Equal(t, seconds(1, 2.5), f.inquireAt)
			assert.False(t, c.Notify("qr-1"), "nothing waits once Wait returned")
			assert.False(t, c.Notify("chrg_1"))
		})
	})
	t.Run("a webhook before Wait is kept for it", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.inquire = []fakeCall{answer(StatusSucceeded, "chrg_1")}
			c := newPresentCheckout(t, f)
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)
			assert.True(t, c.Notify("chrg_1"))
			<-time.After(time.Second) // the till shows the code; the customer pays at once

			p, err := pm.Wait(t.Context())
			require.NoError(t, err)
			assert.Equal(t, StatusSucceeded, p.Status)
			assert.Equal(t, seconds(1), f.inquireAt, "inquired as soon as Wait began")
		})
	})
	t.Run("after the cancel was sent, a webhook changes nothing", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.inquire = []fakeCall{answer(StatusPending, "chrg_1")}
			f.cancel = []fakeCall{unknown, answer(StatusCancelled, "chrg_1")}
			c := newPresentCheckout(t, f, WithPresentSchedule(Schedule{Inquiry: seconds(3, 3), Cancel: seconds(5)}))
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)
			time.AfterFunc(7*time.Second, func() { c.Notify("chrg_1") })

			p, err := pm.Wait(t.Context())
			require.NoError(t, err)
			assert.Equal(t, StatusCancelled, p.Status)
			assert.Equal(t, seconds(3, 6), f.inquireAt, "no inquiry after the cancel began")
			assert.Equal(t, seconds(6, 11), f.cancelAt)
		})
	})
}

func TestPresentWaitOnce(t *testing.T) {
	t.Parallel()
	t.Run("a later call returns the same answer without asking again", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.inquire = []fakeCall{answer(StatusSucceeded, "chrg_1")}
			c := newPresentCheckout(t, f)
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)

			first, err := pm.Wait(t.Context())
			require.NoError(t, err)
			second, err := pm.Wait(t.Context())
			require.NoError(t, err)
			assert.Equal(t, first, second)
			assert.NotSame(t, first, second, "a copy")
			_, inquiries, cancels := f.calls()
			assert.Equal(t, 1, inquiries)
			assert.Zero(t, cancels)
		})
	})
	t.Run("a concurrent call waits for the first", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.inquire = []fakeCall{answer(StatusPending, "chrg_1"), answer(StatusSucceeded, "chrg_1")}
			c := newPresentCheckout(t, f)
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)

			var wg sync.WaitGroup
			results := make([]*Payment, 2)
			for i := range results {
				wg.Go(func() {
					p, err := pm.Wait(t.Context())
					assert.NoError(t, err)
					results[i] = p
				})
			}
			wg.Wait()
			assert.Equal(t, StatusSucceeded, results[0].Status)
			assert.Equal(t, results[0], results[1])
			assert.Equal(t, every3s(2), f.inquireAt)
		})
	})
	t.Run("a second caller may stop waiting; the first goes on", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			f := newFakePresenter(time.Now())
			f.present = []presentCall{shown("chrg_1")}
			f.inquire = []fakeCall{answer(StatusPending, "chrg_1"), answer(StatusSucceeded, "chrg_1")}
			c := newPresentCheckout(t, f)
			pm, err := c.Present(t.Context(), qrSale())
			require.NoError(t, err)

			done := make(chan *Payment)
			go func() {
				p, err := pm.Wait(t.Context())
				assert.NoError(t, err)
				done <- p
			}()
			synctest.Wait()
			ctx, stop := context.WithTimeout(t.Context(), time.Second)
			defer stop()
			p, err := pm.Wait(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Nil(t, p)
			assert.Equal(t, StatusSucceeded, (<-done).Status, "no cancel: only the first caller's context is the cashier")
			_, _, cancels := f.calls()
			assert.Zero(t, cancels)
		})
	})
	t.Run("a Presentment not made by Present", func(t *testing.T) {
		t.Parallel()
		var pm Presentment
		_, err := pm.Wait(t.Context())
		require.ErrorIs(t, err, ErrInvalidRequest)
		var nilPM *Presentment
		_, err = nilPM.Wait(t.Context())
		require.ErrorIs(t, err, ErrInvalidRequest)
	})
}

func TestPresentHoldsTheRequestIDUntilWaitReturns(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakePresenter(time.Now())
		f.present = []presentCall{shown("chrg_1"), shown("chrg_2")}
		f.inquire = []fakeCall{answer(StatusSucceeded, "chrg_1"), answer(StatusSucceeded, "chrg_2")}
		c := newPresentCheckout(t, f, WithRoute(WalletAlipay, f, MethodAlipayPlusUPM))
		pm, err := c.Present(t.Context(), qrSale())
		require.NoError(t, err)

		_, err = c.Present(t.Context(), qrSale())
		require.ErrorIs(t, err, ErrRequestInProgress)
		_, err = c.Collect(t.Context(), &CollectRequest{Code: testAlipayCode, Amount: qrSale().Amount, RequestID: "qr-1"})
		require.ErrorIs(t, err, ErrRequestInProgress)

		_, err = pm.Wait(t.Context())
		require.NoError(t, err)
		// Free again once Wait returned, and idempotent: the same request id
		// is the same sale, paid, and nothing is presented again.
		pm2, err := c.Present(t.Context(), qrSale())
		require.NoError(t, err, "free again once Wait returned")
		p2, err := pm2.Wait(t.Context())
		require.NoError(t, err)
		assert.Equal(t, StatusSucceeded, p2.Status)
		assert.Equal(t, "chrg_1", p2.ID)
		assert.Len(t, f.presentAt, 1)
		pays, _, _ := f.calls()
		assert.Zero(t, pays)
	})
}

func TestPresentImage(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakePresenter(time.Now())
		f.present = []presentCall{
			shown("chrg_1"),
			func(context.Context) (*Payment, *QRCode, error) {
				return &Payment{ID: "pay_2", Status: StatusPending}, &QRCode{Content: "281666040093abc"}, nil
			},
			shown("chrg_3"),
		}
		c := newPresentCheckout(t, f)

		pm, err := c.Present(t.Context(), qrSale())
		require.NoError(t, err)
		b, err := pm.Image(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "<svg/>", string(b))
		assert.Equal(t, []string{"https://img.example/chrg_1"}, f.fetched)

		req := qrSale()
		req.RequestID = "qr-2"
		pm2, err := c.Present(t.Context(), req)
		require.NoError(t, err)
		_, err = pm2.Image(t.Context())
		require.ErrorIs(t, err, ErrNoQRImage, "content only")

		plain, err := NewCheckout(WithPresentRoute(WalletAlipay, plainPresenter{f}, MethodAlipayPlusMPM))
		require.NoError(t, err)
		req.RequestID = "qr-3"
		pm3, err := plain.Present(t.Context(), req)
		require.NoError(t, err)
		assert.NotEmpty(t, pm3.QR.ImageURI)
		_, err = pm3.Image(t.Context())
		require.ErrorIs(t, err, ErrNoQRImage, "the acquirer cannot fetch it")

		var nilPM *Presentment
		_, err = nilPM.Image(t.Context())
		require.ErrorIs(t, err, ErrNoQRImage)
	})
}

func TestPresentProgressAndLogs(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakePresenter(time.Now())
		f.present = []presentCall{shown("chrg_1")}
		f.inquire = []fakeCall{answer(StatusPending, "chrg_1"), answer(StatusSucceeded, "chrg_1")}
		var steps []string
		c := newPresentCheckout(t, f, WithProgress(func(p Progress) {
			steps = append(steps, fmt.Sprintf("%s/%d/%s/%s/%s", p.Step, p.Attempt, p.Status, p.Elapsed, p.RequestID))
		}))
		pm, err := c.Present(t.Context(), qrSale())
		require.NoError(t, err)
		_, err = pm.Wait(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []string{
			"paying/0/unknown/0s/qr-1",
			"presented/0/pending/0s/qr-1",
			"inquiring/1/pending/3s/qr-1",
			"inquiring/2/pending/6s/qr-1",
			"final/0/succeeded/6s/qr-1",
		}, steps)
	})
}

func TestPresentCustomScheduleAndOptions(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakePresenter(time.Now())
		f.present = []presentCall{shown("chrg_1")}
		f.inquire = []fakeCall{answer(StatusPending, "chrg_1")}
		f.cancel = []fakeCall{answer(StatusCancelled, "chrg_1")}
		// A scanned-code schedule does not change the presented one.
		c := newPresentCheckout(t, f, WithSchedule(Schedule{Inquiry: seconds(1)}), WithPresentSchedule(Schedule{Inquiry: seconds(5, 5)}))
		pm, err := c.Present(t.Context(), qrSale())
		require.NoError(t, err)
		p, err := pm.Wait(t.Context())
		require.NoError(t, err)
		assert.Equal(t, StatusCancelled, p.Status)
		assert.Equal(t, seconds(5, 10), f.inquireAt)
		assert.Equal(t, seconds(10), f.cancelAt)
	})

	f := newFakePresenter(time.Now())
	for name, opt := range map[string]CheckoutOption{
		"negative wait":   WithPresentSchedule(Schedule{Inquiry: seconds(-1)}),
		"nil presenter":   WithPresentRoute(WalletAlipay, nil, MethodAlipayPlusMPM),
		"no wallet":       WithPresentRoute("", f, MethodAlipayPlusMPM),
		"no method":       WithPresentRoute(WalletAlipay, f, ""),
		"name taken":      WithPresentRoute(WalletAlipay, newFakePresenter(time.Now()), MethodAlipayPlusMPM),
		"no route at all": WithPresentSchedule(DefaultPresentSchedule()),
	} {
		opts := []CheckoutOption{opt}
		if name == "name taken" {
			opts = append([]CheckoutOption{WithRoute(WalletAlipay, f, MethodAlipayPlusUPM)}, opts...)
		}
		_, err := NewCheckout(opts...)
		require.Error(t, err, name)
	}
	_, err := NewCheckout(WithPresentRoute(WalletWeChatPay, f, MethodWeChatPayMPM))
	require.NoError(t, err, "present routes alone make a checkout")
}
