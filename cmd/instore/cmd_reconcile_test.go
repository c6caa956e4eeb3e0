package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// reconcileJSON parses reconcile --json output: the discrepancies, then
// the summary.
func reconcileJSON(t *testing.T, out string) ([]findingJSON, summaryJSON) {
	t.Helper()
	ls := lines(out)
	require.NotEmpty(t, ls)
	var found []findingJSON
	for _, l := range ls[:len(ls)-1] {
		var f findingJSON
		require.NoError(t, json.Unmarshal([]byte(l), &f), l)
		require.Equal(t, "discrepancy", f.Kind)
		found = append(found, f)
	}
	var sum summaryJSON
	require.NoError(t, json.Unmarshal([]byte(ls[len(ls)-1]), &sum))
	require.Equal(t, "summary", sum.Kind)
	return found, sum
}

// seededKey is what identifies a discrepancy in a report.
type seededKey struct{ class, requestID, paymentID string }

// assertFindsSeeded checks that the report holds every discrepancy the day
// was seeded with and nothing else.
func assertFindsSeeded(t *testing.T, sim *simulation, found []findingJSON, sum summaryJSON) {
	t.Helper()
	var want, got []seededKey
	perClass := map[string]int{}
	for _, s := range sim.seeded {
		want = append(want, seededKey{s.class.key(), s.requestID, s.paymentID})
		perClass[s.class.key()]++
	}
	for i := range found {
		got = append(got, seededKey{found[i].Class, found[i].RequestID, found[i].PaymentID})
	}
	assert.ElementsMatch(t, want, got)
	for _, c := range []class{classStateDiffers, classUnresolved, classMissing, classOrphan, classOutside} {
		assert.Positive(t, perClass[c.key()], "the day holds a %s", c)
		assert.Equal(t, perClass[c.key()], sum.Counts[c.key()], c.String())
	}
	inJournal := perClass[classStateDiffers.key()] + perClass[classUnresolved.key()] + perClass[classMissing.key()]
	assert.Equal(t, sim.sales-inJournal, sum.Counts[classMatched.key()])
	assert.Zero(t, sum.Counts[classUnchecked.key()])
	assert.Equal(t, len(sim.seeded), sum.Discrepancies)
}

func TestReconcileOutputs(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		d.goldenOutputs("reconcile", exitAttention)
		found, sum := reconcileJSON(t, d.run("reconcile", "--simulate", "--json").stdout)
		assertFindsSeeded(t, d.sim, found, sum)
		assert.Equal(t, "2026-03-02T00:00:00Z", sum.From)
		assert.Equal(t, "2026-03-03T00:00:00Z", sum.To)
	})
}

// TestReconcileThousandSales reconciles a day of 1,000 sales with five
// discrepancies of every class: the report finds each one, and nothing
// else.
func TestReconcileThousandSales(t *testing.T) {
	t.Parallel()
	onEachBackend(t, 1000, func(t *testing.T, d *day) {
		require.Equal(t, 1000, d.sim.sales)
		require.Len(t, d.sim.seeded, 25)
		r := d.run("reconcile", "--simulate", "--json", "--from", "2026-03-02", "--to", "2026-03-03")
		require.Equal(t, exitAttention, r.code, r.stderr)
		found, sum := reconcileJSON(t, r.stdout)
		assertFindsSeeded(t, d.sim, found, sum)
		assert.Equal(t, 985, sum.Counts["matched"], "1,000 sales, 15 of them discrepancies")
	})
}

func TestReconcileAllMatched(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	// The first hour holds two plain sales.
	r := d.run("reconcile", "--simulate", "--from", "2026-03-02T00:00:00Z", "--to", "2026-03-02T01:00:00Z")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "no discrepancies: everything matched")
	_, sum := reconcileJSON(t, d.run("reconcile", "--simulate", "--json", "--from", "2026-03-02T00:00:00Z", "--to", "2026-03-02T01:00:00Z").stdout)
	assert.Equal(t, 2, sum.Counts["matched"])
	assert.Zero(t, sum.Discrepancies)
}

// TestReconcileAfterRecover: recover settles the unresolved sale (its
// charge expired), after which it matches.
func TestReconcileAfterRecover(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	require.Equal(t, exitOK, d.run("recover", "--simulate").code)
	found, sum := reconcileJSON(t, d.run("reconcile", "--simulate", "--json").stdout)
	assert.Zero(t, sum.Counts["unresolved"])
	assert.Len(t, found, len(d.sim.seeded)-1)
	assert.Equal(t, d.sim.sales-2, sum.Counts["matched"])
}

// TestReconcileChargesForJournalSales: a second charge under a sale's
// request id, and a charge under the request id of a sale that went to
// another acquirer, are both money the journal does not account for.
func TestReconcileChargesForJournalSales(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	s1, err := d.sim.store.Sale(t.Context(), "sale-0001") // Omise
	require.NoError(t, err)
	require.Equal(t, instore.OmiseAcquirerName, s1.Acquirer)
	s13, err := d.sim.store.Sale(t.Context(), "sale-0014") // Alipay+
	require.NoError(t, err)
	require.Equal(t, alipayplus.AcquirerName, s13.Acquirer)
	var extra []string
	for _, id := range []string{s1.RequestID, s13.RequestID} {
		d.sim.clock.Set(simulatedDay.Add(3 * time.Hour))
		ch, err := d.w.omise.Charges.Create(t.Context(), &instore.ChargeParams{
			Amount: 10000, Currency: instore.THB, Metadata: map[string]string{instore.RequestIDMetadataKey: id},
			Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: instoretest.AlipayCode(instoretest.Succeed, 777)},
		})
		require.NoError(t, err)
		extra = append(extra, ch.ID)
	}
	d.sim.clock.Set(simulatedMorning)
	found, sum := reconcileJSON(t, d.run("reconcile", "--simulate", "--json").stdout)
	assert.Equal(t, 3, sum.Counts["orphan_at_acquirer"])
	details := map[string]string{}
	for _, f := range found {
		details[f.PaymentID] = f.Detail
	}
	assert.Contains(t, details[extra[0]], "a second charge for sale sale-0001; the journal holds "+s1.PaymentID)
	assert.Contains(t, details[extra[1]], "went to alipayplus")
}

// TestReconcileUnchecked: sales of an acquirer that is not configured, or
// that does not answer, are not checked, and say so; without Omise no
// charge is listed, and the report notes it.
func TestReconcileUnchecked(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	d.sim.alipayPlus.InjectFault(instoretest.AlipayPlusInquiryPayment, 1000, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 503})
	r := d.runWith(func(w *world) {
		delete(w.acquirers, instore.OmiseAcquirerName)
		w.omise = nil
	}, "reconcile", "--simulate", "--json")
	require.Equal(t, exitAttention, r.code, r.stderr)
	found, sum := reconcileJSON(t, r.stdout)
	assert.Zero(t, sum.Counts["orphan_at_acquirer"]+sum.Counts["outside_instore"])
	require.Len(t, sum.Notes, 1)
	assert.Contains(t, sum.Notes[0], "omise is not configured")
	byAcquirer := map[string]int{}
	for _, f := range found {
		if f.Class != "not_checked" {
			continue
		}
		byAcquirer[f.Acquirer]++
		switch f.Acquirer {
		case instore.OmiseAcquirerName:
			assert.Equal(t, "acquirer not configured", f.Detail)
		case alipayplus.AcquirerName:
			assert.True(t, strings.HasPrefix(f.Detail, "the acquirer could not be asked: "), f.Detail)
		}
	}
	assert.Positive(t, byAcquirer[instore.OmiseAcquirerName])
	assert.Positive(t, byAcquirer[alipayplus.AcquirerName])
	assert.Zero(t, byAcquirer["ppro"], "PPRO answered")
	assert.Equal(t, byAcquirer[instore.OmiseAcquirerName]+byAcquirer[alipayplus.AcquirerName], sum.Counts["not_checked"])
}

func TestReconcileProgressOnTerminal(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	r := d.run("reconcile", "--simulate", "--csv")
	require.Equal(t, exitAttention, r.code)
	assert.Empty(t, r.stderr, "no progress line when stderr is not a terminal")
	r = d.runTTY("reconcile", "--simulate", "--csv")
	require.Equal(t, exitAttention, r.code)
	assert.Contains(t, r.stderr, "\rreconcile: 40/40 sales checked\x1b[K")
	assert.True(t, strings.HasSuffix(r.stderr, "\r\x1b[K"), "the line is erased at the end: %q", r.stderr)
	assert.NotContains(t, r.stdout, "\r", "progress never reaches stdout")
}

func TestReconcileNoAcquirer(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	r := d.run("reconcile", "--journal", d.journalArg)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "no acquirer is configured")
	assert.Empty(t, r.stdout)
}
