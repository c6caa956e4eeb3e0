package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// refunds counts the refunds the acquirer of sale id made for it.
func (d *day) refunds(id string) int {
	d.t.Helper()
	s, err := d.sim.store.Sale(d.t.Context(), id)
	require.NoError(d.t, err)
	var entries []instoretest.RefundEntry
	switch s.Acquirer {
	case instore.OmiseAcquirerName:
		entries = d.sim.omise.Refunds(id)
	case "alipayplus":
		entries = d.sim.alipayPlus.Refunds(id)
	case "ppro":
		entries = d.sim.ppro.Refunds(id)
	}
	return len(entries)
}

// TestRefundOutputs refunds a sale of each acquirer, in each format, and
// retries each with the same refund id: the same refund comes back, and
// none is made twice.
func TestRefundOutputs(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		// One format per acquirer, in the order of outputFormats.
		for i, tc := range []struct{ sale, amount string }{
			{"sale-0001", "50"},       // Omise
			{"sale-0014", "2.50 SGD"}, // Alipay+
			{"sale-0017", "5.00"},     // PPRO
		} {
			f := outputFormats[i]
			args := append([]string{"refund", "--simulate", tc.sale, tc.amount, "--refund-id", "r-" + tc.sale}, f.flags...)
			r := d.run(args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Empty(t, r.stderr)
			d.golden("refund."+f.ext, r.stdout)
			require.Equal(t, 1, d.refunds(tc.sale))

			again := d.run(args...)
			require.Equal(t, exitOK, again.code, again.stderr)
			assert.Equal(t, r.stdout, again.stdout, "a retry answers with the refund made")
			assert.Equal(t, 1, d.refunds(tc.sale), "and makes none")

			s, err := d.sim.store.Sale(t.Context(), tc.sale)
			require.NoError(t, err)
			require.Len(t, s.Refunds, 1)
			assert.Equal(t, instore.RefundSucceeded, s.Refunds[0].State)
			assert.Equal(t, "r-"+tc.sale, s.Refunds[0].RefundRequestID)
		}
	})
}

// TestRefundGeneratedID: without --refund-id the id made is printed
// before the refund is sent, and retrying with it is safe.
func TestRefundGeneratedID(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	r := d.run("refund", "--simulate", "--json", "sale-0001", "20")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "instore refund: refund request id generated-1 (to retry this refund, give --refund-id generated-1)\n", r.stderr)
	var got refundResultJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Equal(t, "generated-1", got.RefundRequestID)
	assert.Equal(t, int64(2000), got.Amount)
	assert.Equal(t, "succeeded", got.Status)

	again := d.run("refund", "--simulate", "--json", "sale-0001", "20", "--refund-id", "generated-1")
	require.Equal(t, exitOK, again.code)
	assert.Equal(t, r.stdout, again.stdout)
	assert.Equal(t, 1, d.refunds("sale-0001"))
}

// TestRefundOutcomeUnknown: a refund whose answer is lost is reported as
// not final, with the id to retry with; the retry never sends a second
// refund while the first may still land.
func TestRefundOutcomeUnknown(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		d.sim.omise.InjectFault(instoretest.OmiseCreateRefund, 1, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 503})
		r := d.run("refund", "--simulate", "sale-0001", "30")
		assert.Equal(t, exitAttention, r.code)
		assert.Contains(t, r.stderr, "retry with --refund-id generated-1, never with a new id")
		assert.Empty(t, r.stdout)

		again := d.run("refund", "--simulate", "sale-0001", "30", "--refund-id", "generated-1")
		assert.Equal(t, exitAttention, again.code, "not at Omise yet, and it may still land")
		assert.Zero(t, d.refunds("sale-0001"), "no second refund is sent")
		s, err := d.sim.store.Sale(t.Context(), "sale-0001")
		require.NoError(t, err)
		require.Len(t, s.Refunds, 1)
		assert.Equal(t, instore.RefundPending, s.Refunds[0].State)
	})
}

func TestRefundRefused(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"a failed sale", []string{"sale-0006", "10"}, exitError, "instore refund: sale sale-0006 is failed: only a succeeded sale can be refunded\n"},
		{"more than the sale", []string{"sale-0001", "100000"}, exitUsage, "instore refund: AMOUNT must be more than zero and at most the sale's"},
		{"zero", []string{"sale-0001", "0"}, exitUsage, "AMOUNT must be more than zero"},
		{"past the refunds made", []string{"sale-0008", "1,633.00"}, exitUsage, "refunds of sale sale-0008 would exceed its amount"},
		{"another currency", []string{"sale-0001", "10 SGD"}, exitUsage, "instore refund: the sale is in THB\n"},
		{"not an amount", []string{"sale-0001", "ten"}, exitUsage, "instore refund: AMOUNT: "},
		{"too many decimals", []string{"sale-0001", "1.005"}, exitUsage, "instore refund: AMOUNT: "},
		{"no such sale", []string{"sale-9999", "10"}, exitError, "instore refund: the journal holds no sale sale-9999\n"},
		{"no amount", []string{"sale-0001"}, exitUsage, "instore refund: missing arguments\n"},
		{"a bad refund id", []string{"sale-0001", "10", "--refund-id", "no spaces"}, exitUsage, "instore refund: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := d.run(append([]string{"refund", "--simulate"}, tc.args...)...)
			assert.Equal(t, tc.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tc.stderr)
			assert.Empty(t, r.stdout)
		})
	}
	assert.Zero(t, d.refunds("sale-0001"))
	assert.Equal(t, 1, d.refunds("sale-0008"), "the seeded refund only")
}

func TestRefundNotConfigured(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	r := d.runWith(func(w *world) { delete(w.acquirers, "ppro") }, "refund", "--simulate", "sale-0017", "1")
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "instore refund: sale sale-0017: acquirer not configured: ppro\n", r.stderr)
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{in: "50", want: 5000},
		{in: "50.5", want: 5050},
		{in: "1,500.00", want: 150000},
		{in: "1,500.00 THB", want: 150000},
		{in: "1,500.00 thb", want: 150000},
		{in: "1,500.00 SGD", bad: true},
		{in: "-5", bad: true},
		{in: "5 THB extra", bad: true},
		{in: "", bad: true},
	} {
		m, err := parseAmount(tc.in, instore.THB)
		if tc.bad {
			require.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, instore.Money{Amount: tc.want, Currency: instore.THB}, m)
	}
}
