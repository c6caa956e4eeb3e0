package journal

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/journal/journaltest"
)

// countingJournal counts the writes a Checkout makes.
type countingJournal struct {
	instore.Journal
	writes atomic.Int64
}

func (j *countingJournal) Record(ctx context.Context, s *instore.Sale) error {
	j.writes.Add(1)
	return j.Journal.Record(ctx, s)
}

func (j *countingJournal) Update(ctx context.Context, s *instore.Sale) error {
	j.writes.Add(1)
	return j.Journal.Update(ctx, s)
}

// BenchmarkCollect is a whole sale through Checkout on the in-process
// Omise simulator, with each journal: the in-memory one a Checkout keeps
// without WithJournal, SQLite and PostgreSQL. "paid" is paid at once;
// "pending" is pending, then paid on the first inquiry. writes/op is the
// journal writes per sale (each a durable commit on SQLite and
// PostgreSQL).
func BenchmarkCollect(b *testing.B) {
	journals := []struct {
		name string
		open func(b *testing.B) instore.Journal
	}{
		{"memory", func(*testing.B) instore.Journal { return instore.NewMemoryJournal(0, 0) }},
		{"sqlite", func(b *testing.B) instore.Journal { return openSQLite(b, tempPath(b)) }},
		{"postgres", func(b *testing.B) instore.Journal {
			s, _ := openPostgres(b, journaltest.PostgresDSN(b))
			return s
		}},
	}
	for _, sale := range []struct {
		name    string
		outcome instoretest.Outcome
	}{{"paid", instoretest.Succeed}, {"pending", instoretest.ConfirmOnInquiry(1)}} {
		for _, jn := range journals {
			b.Run(sale.name+"/"+jn.name, func(b *testing.B) {
				benchmarkCollect(b, jn.open(b), sale.outcome)
			})
		}
	}
}

func benchmarkCollect(b *testing.B, j instore.Journal, outcome instoretest.Outcome) {
	sim := instoretest.NewOmiseT(b)
	client, err := sim.Client()
	if err != nil {
		b.Fatal(err)
	}
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	counted := &countingJournal{Journal: j}
	c, err := instore.NewCheckout(
		instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM),
		instore.WithJournal(counted),
		instore.WithSchedule(instore.Schedule{Inquiry: []time.Duration{0, 0, 0}, Cancel: []time.Duration{0}}),
	)
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		p, err := c.Collect(ctx, &instore.CollectRequest{
			Code: instoretest.AlipayCode(outcome, uint64(i)), Amount: instore.Money{Amount: 10_000, Currency: instore.THB},
			RequestID: fmt.Sprintf("bench-%08d", i),
		})
		if err != nil || p.Status != instore.StatusSucceeded {
			b.Fatalf("sale %d: %v %v", i, p, err)
		}
	}
	b.ReportMetric(float64(counted.writes.Load())/float64(i), "writes/op")
}
