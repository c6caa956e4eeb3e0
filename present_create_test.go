package instore

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPresentRefusesInputBeforeSending(t *testing.T) {
	t.Parallel()
	f := newFakePresenter(time.Now())
	c := newPresentCheckout(t, f)
	money := func(a int64, cur Currency) Money { return Money{Amount: a, Currency: cur} }
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		edit   func(*PresentRequest)
		nilReq bool
		want   error
	}{
		{name: "nil request", nilReq: true, want: ErrInvalidRequest},
		{name: "no wallet", edit: func(r *PresentRequest) { r.Wallet = "" }, want: ErrNoRoute},
		{name: "no route for the wallet", edit: func(r *PresentRequest) { r.Wallet = WalletUnionPay }, want: ErrNoRoute},
		// alipayplus_mpm: the seed's THB, SGD and MYR rows.
		{name: "THB under 20.00", edit: func(r *PresentRequest) { r.Amount = money(1999, THB) }, want: ErrAmountTooSmall},
		{name: "THB over 150,000.00", edit: func(r *PresentRequest) { r.Amount = money(15_000_001, THB) }, want: ErrAmountTooLarge},
		{name: "SGD under 1.00", edit: func(r *PresentRequest) { r.Amount = money(99, SGD) }, want: ErrAmountTooSmall},
		{name: "SGD over 20,000.00", edit: func(r *PresentRequest) { r.Amount = money(2_000_001, SGD) }, want: ErrAmountTooLarge},
		{name: "MYR over 30,000.00", edit: func(r *PresentRequest) { r.Amount = money(3_000_001, MYR) }, want: ErrAmountTooLarge},
		{name: "MYR under 1.00", edit: func(r *PresentRequest) { r.Amount = money(99, MYR) }, want: ErrAmountTooSmall},
		{name: "a currency alipayplus_mpm does not take", edit: func(r *PresentRequest) { r.Amount = money(100000, JPY) }, want: ErrCurrencyNotSupported},
		{name: "zero", edit: func(r *PresentRequest) { r.Amount = money(0, THB) }, want: ErrAmountTooSmall},
		// wechat_pay_mpm: THB only.
		{name: "WeChat Pay in SGD", edit: func(r *PresentRequest) { r.Wallet, r.Amount = WalletWeChatPay, money(10000, SGD) }, want: ErrCurrencyNotSupported},
		{name: "WeChat Pay under 20.00", edit: func(r *PresentRequest) { r.Wallet, r.Amount = WalletWeChatPay, money(1999, THB) }, want: ErrAmountTooSmall},
		{name: "bad request id", edit: func(r *PresentRequest) { r.RequestID = "sale 1" }, want: ErrInvalidRequest},
		{name: "expiry in the past", edit: func(r *PresentRequest) { r.ExpiresAt = time.Now().Add(-time.Second) }, want: ErrInvalidRequest},
		{name: "cashier gave up first", ctx: cancelled, want: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := qrSale()
			if tt.edit != nil {
				tt.edit(req)
			}
			if tt.nilReq {
				req = nil
			}
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			pm, err := c.Present(ctx, req)
			require.ErrorIs(t, err, tt.want)
			assert.Nil(t, pm)
		})
	}
	assert.Empty(t, f.presentAt, "refused input never reaches the acquirer")
	// The edges of the rows are accepted.
	for _, m := range []Money{money(2000, THB), money(15_000_000, THB), money(100, SGD), money(2_000_000, SGD), money(100, MYR), money(3_000_000, MYR)} {
		require.NoError(t, c.limits.Check(MethodAlipayPlusMPM, m), "%v", m)
	}
}

func TestPresentCreateOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		present        []presentCall
		cancel         []fakeCall
		wantPresented  bool
		wantStatus     PaymentStatus
		wantCode       string
		wantErrIs      []error
		wantErrIsNot   []error
		wantCancelAt   []time.Duration
		wantWaitStatus PaymentStatus
	}{
		{
			name:       "declined by the acquirer: failed, nothing to cancel",
			present:    []presentCall{presentAnswer(declinedAs("pay_1", "CURRENCY_NOT_SUPPORT"))},
			wantStatus: StatusFailed, wantCode: "CURRENCY_NOT_SUPPORT",
			wantErrIs: []error{ErrNotPresented}, wantErrIsNot: []error{ErrPaymentUnresolved},
		},
		{
			name:       "refused with an error: failed, the error kept",
			present:    []presentCall{presentAnswer(fails(errDeclinedByAPI))},
			wantStatus: StatusFailed, wantCode: FailureRefused,
			wantErrIs: []error{ErrNotPresented, errDeclinedByAPI},
		},
		{
			name:       "no trustworthy answer: cancelled at once",
			present:    []presentCall{presentAnswer(unknown)},
			cancel:     []fakeCall{answer(StatusCancelled, "")},
			wantStatus: StatusCancelled, wantCancelAt: seconds(0),
			wantErrIs: []error{ErrNotPresented}, wantErrIsNot: []error{ErrOutcomeUnknown, ErrPaymentUnresolved},
		},
		{
			name:       "no answer within the pay timeout: cancelled then",
			present:    []presentCall{presentAnswer(hang)},
			cancel:     []fakeCall{unknown, answer(StatusCancelled, "chrg_1")},
			wantStatus: StatusCancelled, wantCancelAt: seconds(5, 7),
			wantErrIs: []error{ErrNotPresented}, wantErrIsNot: []error{ErrOutcomeUnknown},
		},
		{
			name:       "pending but no code to show: cancelled",
			present:    []presentCall{presentAnswer(answer(StatusPending, "chrg_1"))},
			cancel:     []fakeCall{answer(StatusCancelled, "chrg_1")},
			wantStatus: StatusCancelled, wantCancelAt: seconds(0),
			wantErrIs: []error{ErrNotPresented},
		},
		{
			name:       "no answer, and the cancel never confirmed: unresolved",
			present:    []presentCall{presentAnswer(unknown)},
			cancel:     []fakeCall{unknown},
			wantStatus: StatusUnknown, wantCancelAt: seconds(0, 2, 5, 8, 13, 18),
			wantErrIs: []error{ErrPaymentUnresolved},
		},
		{
			name:          "no answer, and the cancel says it was paid: reported, never hidden",
			present:       []presentCall{presentAnswer(unknown)},
			cancel:        []fakeCall{answer(StatusSucceeded, "chrg_1")},
			wantPresented: true, wantStatus: StatusSucceeded, wantCancelAt: seconds(0),
			wantWaitStatus: StatusSucceeded,
		},
		{
			name: "paid at once: Wait returns it without asking",
			present: []presentCall{func(context.Context) (*Payment, *QRCode, error) {
				return &Payment{ID: "chrg_1", Status: StatusSucceeded}, nil, nil
			}},
			wantPresented: true, wantStatus: StatusSucceeded, wantWaitStatus: StatusSucceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFakePresenter(time.Now())
				f.present, f.cancel = tt.present, tt.cancel
				c := newPresentCheckout(t, f)

				pm, err := c.Present(t.Context(), qrSale())
				var got *Payment
				if tt.wantPresented {
					require.NoError(t, err)
					require.NotNil(t, pm)
					got = pm.Payment
				} else {
					require.Error(t, err)
					assert.Nil(t, pm)
					var pe *PresentError
					var ue *UnresolvedError
					switch {
					case errors.As(err, &pe):
						got = pe.Payment
					case errors.As(err, &ue):
						got = ue.Payment
					default:
						t.Fatalf("error %v carries no payment", err)
					}
					assert.Contains(t, err.Error(), "qr-1")
				}
				for _, e := range tt.wantErrIs {
					require.ErrorIs(t, err, e)
				}
				for _, e := range tt.wantErrIsNot {
					require.NotErrorIs(t, err, e)
				}
				assert.Equal(t, tt.wantStatus, got.Status)
				assert.Equal(t, tt.wantCode, got.FailureCode)
				assert.Equal(t, "qr-1", got.RequestID)
				assert.Equal(t, MethodAlipayPlusMPM, got.Method)
				if tt.wantCancelAt != nil {
					assert.Equal(t, tt.wantCancelAt, f.cancelAt)
				} else {
					assert.Empty(t, f.cancelAt)
				}
				assert.Len(t, f.presentAt, 1, "presented once")
				if pm != nil {
					p, err := pm.Wait(t.Context())
					require.NoError(t, err)
					assert.Equal(t, tt.wantWaitStatus, p.Status)
					assert.Empty(t, f.inquireAt, "a final payment is not inquired")
				}
				if !tt.wantPresented || tt.wantWaitStatus.Final() {
					assert.False(t, c.Notify("qr-1"), "the request id is released")
				}
			})
		})
	}
}

func TestPresentSendsTheSale(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFakePresenter(time.Now())
		f.present = []presentCall{shown("chrg_1")}
		f.inquire = []fakeCall{answer(StatusSucceeded, "chrg_1")}
		c := newPresentCheckout(t, f)
		req := qrSale()
		req.Wallet, req.Amount = WalletWeChatPay, Money{Amount: 4000, Currency: THB}
		req.RequestID, req.Description = "", "Iced tea"
		req.Metadata = map[string]string{"till": "3"}
		req.ExpiresAt = time.Now().Add(5 * time.Minute)

		pm, err := c.Present(t.Context(), req)
		require.NoError(t, err)
		require.Len(t, f.presentReqs, 1)
		sent := f.presentReqs[0]
		assert.Len(t, sent.RequestID, 32, "a generated request id")
		assert.Equal(t, pm.Payment.RequestID, sent.RequestID)
		assert.Equal(t, MethodWeChatPayMPM, sent.Method)
		assert.Equal(t, req.Amount, sent.Amount)
		assert.Equal(t, "Iced tea", sent.Description)
		assert.Equal(t, req.Store, sent.Store)
		assert.Equal(t, req.Metadata, sent.Metadata)
		assert.Equal(t, req.ExpiresAt, sent.ExpiresAt)
		assert.Equal(t, PaymentCode{}, sent.Code, "no code in a merchant-presented sale")
		assert.Equal(t, WalletWeChatPay, pm.Payment.Wallet)
		p, err := pm.Wait(t.Context())
		require.NoError(t, err)

		// A presented payment is refunded like any other.
		f.refund = []fakeCall{answer(StatusSucceeded, "rfnd_1")}
		r, err := c.Refund(t.Context(), p, Money{Amount: 1000, Currency: THB})
		require.NoError(t, err)
		assert.Equal(t, StatusSucceeded, r.Status)
	})
}
