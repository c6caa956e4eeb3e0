package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	thb := func(n int64) instore.Money { return instore.Money{Amount: n, Currency: instore.THB} }
	sale := func(st instore.SaleState, paymentID string) *instore.Sale {
		return &instore.Sale{RequestID: "sale-1", Acquirer: "omise", PaymentID: paymentID, State: st, Amount: thb(10000)}
	}
	answer := func(st instore.PaymentStatus, id string) *instore.Payment {
		return &instore.Payment{Acquirer: "omise", ID: id, RequestID: "sale-1", Status: st, Amount: thb(10000)}
	}
	notFound := &instore.Payment{Acquirer: "omise", RequestID: "sale-1", Status: instore.StatusPending}
	for _, tc := range []struct {
		name string
		sale *instore.Sale
		got  *instore.Payment
		want class
	}{
		{"succeeded both", sale(instore.SaleSucceeded, "chrg_1"), answer(instore.StatusSucceeded, "chrg_1"), classMatched},
		{"failed both", sale(instore.SaleFailed, "chrg_1"), answer(instore.StatusFailed, "chrg_1"), classMatched},
		{"cancelled both", sale(instore.SaleCancelled, "chrg_1"), answer(instore.StatusCancelled, "chrg_1"), classMatched},
		{"journal failed, acquirer succeeded", sale(instore.SaleFailed, "chrg_1"), answer(instore.StatusSucceeded, "chrg_1"), classStateDiffers},
		{"journal succeeded, acquirer cancelled", sale(instore.SaleSucceeded, "chrg_1"), answer(instore.StatusCancelled, "chrg_1"), classStateDiffers},
		{"another amount", sale(instore.SaleSucceeded, "chrg_1"), &instore.Payment{ID: "chrg_1", Status: instore.StatusSucceeded, Amount: thb(1)}, classStateDiffers},
		{"another payment", sale(instore.SaleSucceeded, "chrg_1"), answer(instore.StatusSucceeded, "chrg_2"), classStateDiffers},
		{"journal unresolved, acquirer succeeded", sale(instore.SaleUnresolved, "chrg_1"), answer(instore.StatusSucceeded, "chrg_1"), classStateDiffers},
		{"journal pending, acquirer failed", sale(instore.SalePending, "chrg_1"), answer(instore.StatusFailed, "chrg_1"), classStateDiffers},
		{"unresolved, pending", sale(instore.SaleUnresolved, "chrg_1"), answer(instore.StatusPending, "chrg_1"), classUnresolved},
		{"cancelling, pending", sale(instore.SaleCancelling, "chrg_1"), answer(instore.StatusPending, "chrg_1"), classUnresolved},
		{"recorded, not at the acquirer", sale(instore.SaleRecorded, ""), notFound, classUnresolved},
		{"succeeded, not at the acquirer", sale(instore.SaleSucceeded, "chrg_1"), notFound, classMissing},
		{"succeeded with no id, not at the acquirer", sale(instore.SaleSucceeded, ""), notFound, classMissing},
		{"failed with an id, not at the acquirer", sale(instore.SaleFailed, "chrg_1"), notFound, classMissing},
		{"refused before sending", sale(instore.SaleFailed, ""), notFound, classMatched},
		{"cancelled before it landed", sale(instore.SaleCancelled, ""), notFound, classMatched},
		{"an amount the acquirer leaves out", sale(instore.SaleSucceeded, "chrg_1"), &instore.Payment{ID: "chrg_1", Status: instore.StatusSucceeded}, classMatched},
		{"an id the journal never learned", sale(instore.SaleSucceeded, ""), answer(instore.StatusSucceeded, "chrg_1"), classMatched},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, detail := classify(tc.sale, tc.got)
			assert.Equal(t, tc.want, got, "%s: %s", tc.want, got)
			if got == classMatched {
				assert.Empty(t, detail)
			} else {
				assert.NotEmpty(t, detail, "a discrepancy says why")
			}
		})
	}
}

func TestChargeState(t *testing.T) {
	t.Parallel()
	for st, want := range map[instore.ChargeStatus]string{
		instore.ChargeSuccessful: "succeeded", instore.ChargeFailed: "failed", instore.ChargeExpired: "cancelled",
		instore.ChargeReversed: "cancelled", instore.ChargePending: "pending", "mystery": "mystery",
	} {
		assert.Equal(t, want, chargeState(st), st)
	}
}

func TestPeriod(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 3, 8, 30, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name, from, to string
		wantFrom       time.Time
		wantTo         time.Time
		bad            bool
	}{
		{name: "yesterday by default", wantFrom: day(2), wantTo: day(3)},
		{name: "one day", from: "2026-02-27", to: "2026-02-28", wantFrom: time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC), wantTo: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)},
		{name: "from only", from: "2026-03-01", wantFrom: day(1), wantTo: day(2)},
		{name: "to only", to: "2026-03-01", wantFrom: time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC), wantTo: day(1)},
		{name: "times in another zone", from: "2026-03-02T09:00:00+07:00", to: "2026-03-02T10:00:00Z", wantFrom: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC), wantTo: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)},
		{name: "backwards", from: "2026-03-02", to: "2026-03-01", bad: true},
		{name: "empty", from: "2026-03-02", to: "2026-03-02", bad: true},
		{name: "not a date", from: "yesterday", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inv := &invocation{from: tc.from, to: tc.to}
			from, to, err := inv.period(now)
			if tc.bad {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantFrom, from)
			assert.Equal(t, tc.wantTo, to)
		})
	}
}
