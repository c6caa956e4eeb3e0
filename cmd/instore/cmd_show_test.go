package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestShowOutputs(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		for _, tc := range []struct {
			golden string
			args   []string
		}{
			// A WeChat Pay sale with a partial refund.
			{"show.txt", []string{"show", "--simulate", "sale-0008"}},
			{"show.json", []string{"show", "--simulate", "--json", "sale-0008"}},
			// The unresolved sale: looked up at Omise, still pending there.
			{"show_unresolved.txt", []string{"show", "--simulate", "sale-0025"}},
		} {
			r := d.run(tc.args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Empty(t, r.stderr)
			d.golden(tc.golden, r.stdout)
		}
	})
}

func TestShowJSON(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	r := d.run("show", "--simulate", "--json", "sale-0008")
	require.Equal(t, exitOK, r.code)
	require.Len(t, lines(r.stdout), 1, "one object on one line")
	var out showOutput
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
	assert.Equal(t, "sale-0008", out.Sale.RequestID)
	assert.Equal(t, "succeeded", out.Sale.State)
	assert.Equal(t, int64(163300), out.Sale.Amount)
	assert.Equal(t, "1300**********0700", out.Sale.MaskedCode, "the code, masked")
	require.Len(t, out.Refunds, 1)
	assert.Equal(t, "refund-sale-0008", out.Refunds[0].RefundRequestID)
	assert.Equal(t, int64(16330), out.Refunds[0].Amount)
	assert.Equal(t, []string{"recorded", "succeeded"}, []string{out.History[0].State, out.History[1].State})
	assert.Equal(t, lookupJSON{Status: "succeeded", Note: "final in the journal; not asked again"}, out.Lookup)
}

// TestShowLookupRecords: a sale the acquirer has settled since is looked
// up, recorded final, and shown with the write in its history.
func TestShowLookupRecords(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		s, err := d.sim.store.Sale(t.Context(), "sale-0025")
		require.NoError(t, err)
		require.Equal(t, instore.SaleUnresolved, s.State)
		// The customer's wallet gives up at last: the charge fails.
		_, err = d.w.omise.Charges.MarkAsFailed(t.Context(), s.PaymentID)
		require.NoError(t, err)

		r := d.run("show", "--simulate", "--json", "sale-0025")
		require.Equal(t, exitOK, r.code, r.stderr)
		var out showOutput
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &out))
		assert.Equal(t, lookupJSON{Asked: true, Status: "failed"}, out.Lookup)
		assert.Equal(t, "failed", out.Sale.State, "recorded by the lookup")
		require.Len(t, out.History, len(s.History)+1)
		assert.Equal(t, "failed", out.History[len(out.History)-1].State)
	})
}

func TestShowErrors(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	for _, tc := range []struct {
		name   string
		mod    func(*world)
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{name: "no such sale", args: []string{"show", "--simulate", "sale-9999"}, code: exitError,
			stderr: "instore show: the journal holds no sale sale-9999\n"},
		{name: "no id", args: []string{"show", "--simulate"}, code: exitUsage, stderr: "instore show: missing arguments\n"},
		{name: "two ids", args: []string{"show", "--simulate", "sale-0001", "sale-0002"}, code: exitUsage,
			stderr: "instore show: too many arguments: 2 given, 1 expected\n"},
		{name: "no csv", args: []string{"show", "--simulate", "--csv", "sale-0001"}, code: exitUsage,
			stderr: "instore show: flag provided but not defined: -csv\n"},
		{name: "acquirer not configured", mod: func(w *world) { delete(w.acquirers, instore.OmiseAcquirerName) },
			args: []string{"show", "--simulate", "sale-0025"}, code: exitOK,
			stdout: "lookup       unknown (acquirer not configured: omise)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := d.runWith(tc.mod, tc.args...)
			assert.Equal(t, tc.code, r.code)
			// Contains with "" holds for anything: a stream a row expects
			// nothing on must be empty.
			if tc.stderr == "" {
				assert.Empty(t, r.stderr)
			} else {
				assert.Contains(t, r.stderr, tc.stderr)
			}
			if tc.stdout == "" {
				assert.Empty(t, r.stdout, "errors go to stderr")
			} else {
				assert.Contains(t, r.stdout, tc.stdout)
			}
		})
	}
}
