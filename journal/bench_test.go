package journal

import (
	"fmt"
	"testing"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/journal/journaltest"
)

// BenchmarkRecordUpdate measures what the journal costs a successful sale:
// one Record and two Updates (pending, then succeeded), each one durable
// commit. The in-memory journal is the baseline.
func BenchmarkRecordUpdate(b *testing.B) {
	b.Run("memory", func(b *testing.B) {
		benchmarkRecordUpdate(b, instore.NewMemoryJournal(0, 0))
	})
	b.Run("sqlite", func(b *testing.B) {
		benchmarkRecordUpdate(b, openSQLite(b, tempPath(b)))
	})
	b.Run("postgres", func(b *testing.B) {
		s, _ := openPostgres(b, journaltest.PostgresDSN(b))
		benchmarkRecordUpdate(b, s)
	})
}

func benchmarkRecordUpdate(b *testing.B, j instore.Journal) {
	ctx := b.Context()
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		s := &instore.Sale{
			RequestID: fmt.Sprintf("bench-%08d", i), Kind: instore.SaleCollect, Acquirer: "omise",
			Method: instore.MethodAlipayPlusUPM, Wallet: instore.WalletAlipay,
			Amount:     instore.Money{Amount: 150000, Currency: instore.THB},
			MaskedCode: "2860••••••••5678", State: instore.SaleRecorded,
			CreatedAt: now, UpdatedAt: now, Owner: "bench", LeaseUntil: now.Add(DefaultLease),
		}
		if err := j.Record(ctx, s); err != nil {
			b.Fatal(err)
		}
		s.State, s.PaymentID = instore.SalePending, "chrg_test_5xuy4w91xqz7d1w9u0t"
		if err := j.Update(ctx, s); err != nil {
			b.Fatal(err)
		}
		s.State, s.LeaseUntil = instore.SaleSucceeded, time.Time{}
		if err := j.Update(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
}
