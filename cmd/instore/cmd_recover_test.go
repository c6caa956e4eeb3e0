package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

func TestRecoverOutputs(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		for _, f := range outputFormats {
			t.Run(backend+"/recover."+f.ext, func(t *testing.T) {
				t.Parallel()
				d := newDay(t, backend, testSales) // recover changes the day
				r := d.run(append([]string{"recover", "--simulate"}, f.flags...)...)
				require.Equal(t, exitOK, r.code, r.stderr)
				assert.Empty(t, r.stderr)
				d.golden("recover."+f.ext, r.stdout)

				// The unresolved sale is cancelled, at Omise and in the
				// journal; a second recover finds nothing to do.
				s, err := d.sim.store.Sale(t.Context(), "sale-0025")
				require.NoError(t, err)
				assert.Equal(t, instore.SaleCancelled, s.State)
				entries := d.sim.omise.Payments("sale-0025")
				require.Len(t, entries, 1)
				assert.False(t, entries[0].Captured)
				again := d.run("recover", "--simulate")
				assert.Equal(t, exitOK, again.code)
				assert.Equal(t, "took over 0 sales: 0 settled, 0 unresolved; 0 sales in progress elsewhere\n", again.stdout)
			})
		}
	}
}

// TestRecoverUnresolved: while Omise refuses every cancel, the sale stays
// unresolved and the exit status says so; once Omise answers, it is
// settled.
func TestRecoverUnresolved(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		d.sim.omise.InjectFault(instoretest.OmiseExpireCharge, 1000, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 503})
		r := d.run("recover", "--simulate", "--json")
		require.Equal(t, exitAttention, r.code, r.stderr)
		var got recoveredJSON
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		assert.Equal(t, "sale-0025", got.RequestID)
		assert.Equal(t, "unresolved", got.From)
		assert.False(t, got.Resolved)
		assert.Equal(t, len(simSchedule.Cancel)+1, got.Cancels)
		assert.Contains(t, got.Error, "unresolved")

		text := d.run("recover", "--simulate")
		assert.Equal(t, exitAttention, text.code)
		assert.Contains(t, text.stdout, "took over 1 sale: 0 settled, 1 unresolved")

		d.sim.omise.ClearFaults()
		r = d.run("recover", "--simulate", "--json")
		require.Equal(t, exitOK, r.code, r.stderr)
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
		assert.True(t, got.Resolved)
		assert.Equal(t, "cancelled", got.Status)
	})
}

func TestRecoverLeavesWhatItCannot(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	// A sale a live till is working on: its lease runs past the morning.
	live := &instore.Sale{
		RequestID: "live-0001", Kind: instore.SaleCollect, Acquirer: instore.OmiseAcquirerName, Method: instore.MethodAlipayPlusUPM,
		Wallet: instore.WalletAlipay, Amount: instore.Money{Amount: 10000, Currency: instore.THB}, State: instore.SalePending,
		CreatedAt: simulatedMorning, UpdatedAt: simulatedMorning, Owner: "till-2", LeaseUntil: simulatedMorning.Add(time.Hour),
	}
	require.NoError(t, d.sim.store.Record(t.Context(), live))

	r := d.runWith(func(w *world) { delete(w.acquirers, instore.OmiseAcquirerName) }, "recover", "--simulate")
	assert.Equal(t, exitAttention, r.code, "the Omise sale is left unresolved")
	assert.Contains(t, r.stdout, "sale-0025   omise     unresolved  unknown")
	assert.Contains(t, r.stdout, "acquirer not configured")
	assert.Contains(t, r.stdout, "took over 1 sale: 0 settled, 1 unresolved; 1 sale in progress elsewhere\n")
	s, err := d.sim.store.Sale(t.Context(), "live-0001")
	require.NoError(t, err)
	assert.Equal(t, "till-2", s.Owner, "a live till's sale is not taken over")
}

func TestRecoverNoAcquirer(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	r := d.run("recover", "--journal", d.journalArg)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "instore recover: no acquirer is configured; set OMISE_SECRET_KEY")
}
