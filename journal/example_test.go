package journal_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/journal"
)

// A sale as a Checkout writes it: recorded before its pay is sent, then
// updated as the acquirer answers, each write at the version last read.
func ExampleOpenSQLite() {
	dir, err := os.MkdirTemp("", "journal-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	j, err := journal.OpenSQLite(ctx, filepath.Join(dir, "journal.db"), journal.WithOwner("till-07"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close()

	now := time.Now()
	sale := &instore.Sale{
		RequestID:  "3f2a9c4e8b7d4c1a9e0f5b6a7c8d9e0f",
		Kind:       instore.SaleCollect,
		Acquirer:   "omise",
		Method:     instore.MethodAlipayPlusUPM,
		Wallet:     instore.WalletAlipay,
		Amount:     instore.Money{Amount: 150000, Currency: instore.THB},
		MaskedCode: "2860••••••••5678",
		State:      instore.SaleRecorded,
		CreatedAt:  now,
		UpdatedAt:  now,
		Owner:      j.Owner(),
		LeaseUntil: now.Add(j.Lease()),
	}
	if err := j.Record(ctx, sale); err != nil {
		fmt.Println(err)
		return
	}
	// ... the pay is sent; the acquirer answers with a final status ...
	sale.State, sale.PaymentID = instore.SaleSucceeded, "chrg_test_5xuy4w91xqz7d1w9u0t"
	sale.UpdatedAt, sale.LeaseUntil = time.Now(), time.Time{}
	if err := j.Update(ctx, sale); err != nil {
		fmt.Println(err) // ErrJournalConflict: another process took the sale over
		return
	}

	got, err := j.Sale(ctx, sale.RequestID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.State, got.Amount, "version", got.Version)
	for _, e := range got.History {
		fmt.Println(e.State, e.Owner)
	}
	// Output:
	// succeeded 1,500.00 THB version 2
	// recorded till-07
	// succeeded till-07
}
