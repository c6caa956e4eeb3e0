package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/instorepay/instore"
)

// Record implements [instore.Journal]: the sale and its first history row,
// in one transaction.
func (s *Store) Record(ctx context.Context, sale *instore.Sale) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.insertSale, s.saleArgs(sale, 1)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return instore.ErrSaleExists
		}
		return s.insertEvent(ctx, tx, sale, 1)
	})
	if err != nil {
		return fmt.Errorf("journal: record sale: %w", err)
	}
	sale.Version = 1
	return nil
}

// Update implements [instore.Journal]: a compare-and-swap on the version,
// and the history row of the write, in one transaction.
func (s *Store) Update(ctx context.Context, sale *instore.Sale) error {
	next := sale.Version + 1
	err := s.write(ctx, func(tx *sql.Tx) error {
		args := slices.Concat(s.saleArgs(sale, next)[1:], []any{sale.RequestID, sale.Version})
		res, err := tx.ExecContext(ctx, s.q.updateSale, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return missingOr(ctx, tx, s.q.saleExists, sale.RequestID, instore.ErrSaleNotFound)
		}
		return s.insertEvent(ctx, tx, sale, next)
	})
	if err != nil {
		return fmt.Errorf("journal: update sale: %w", err)
	}
	sale.Version = next
	return nil
}

// missingOr tells why a compare-and-swap wrote nothing: notFound when no
// row has the id, else ErrJournalConflict (the version moved on).
func missingOr(ctx context.Context, tx *sql.Tx, exists, id string, notFound error) error {
	var one int
	switch err := tx.QueryRowContext(ctx, exists, id).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return notFound
	case err != nil:
		return err
	}
	return instore.ErrJournalConflict
}

// insertEvent appends the history row of the write that brought sale to
// version v.
func (s *Store) insertEvent(ctx context.Context, tx *sql.Tx, sale *instore.Sale, v int64) error {
	_, err := tx.ExecContext(ctx, s.q.insertEvent, sale.RequestID, v, s.dialect.timeArg(sale.UpdatedAt),
		string(sale.State), sale.PaymentID, sale.Owner)
	return err
}

// Sale implements [instore.Journal]: the sale, its refunds and its history
// as one snapshot.
func (s *Store) Sale(ctx context.Context, requestID string) (*instore.Sale, error) {
	var sale *instore.Sale
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		sale, err = scanSale(tx.QueryRowContext(ctx, s.q.selectSale, requestID))
		if errors.Is(err, sql.ErrNoRows) {
			return instore.ErrSaleNotFound
		} else if err != nil {
			return err
		}
		if sale.Refunds, err = s.saleRefunds(ctx, tx, requestID); err != nil {
			return err
		}
		sale.History, err = s.history(ctx, tx, requestID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("journal: read sale: %w", err)
	}
	return sale, nil
}

// history reads a sale's history, oldest first.
func (s *Store) history(ctx context.Context, tx *sql.Tx, requestID string) ([]instore.SaleEvent, error) {
	rows, err := tx.QueryContext(ctx, s.q.selectEvents, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []instore.SaleEvent
	for rows.Next() {
		var e instore.SaleEvent
		if err := rows.Scan(timeScanner{&e.At}, &e.State, &e.PaymentID, &e.Owner); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Stale implements [instore.Journal]. It is a plain read: a fleet calling
// it at once sees the same candidates, and the compare-and-swap of Update
// gives each sale to one of them. See the package doc.
func (s *Store) Stale(ctx context.Context, now time.Time, limit int) ([]*instore.Sale, error) {
	if limit <= 0 {
		return nil, nil
	}
	sales, err := s.querySales(ctx, s.q.stale, s.dialect.timeArg(now), limit)
	if err != nil {
		return nil, fmt.Errorf("journal: stale sales: %w", err)
	}
	return sales, nil
}

// Sales implements [instore.SaleLister].
func (s *Store) Sales(ctx context.Context, q instore.SaleQuery) ([]*instore.Sale, error) {
	var where []string
	var args []any
	if !q.From.IsZero() {
		where = append(where, "created_at >= ?")
		args = append(args, s.dialect.timeArg(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "created_at < ?")
		args = append(args, s.dialect.timeArg(q.To))
	}
	if len(q.States) > 0 {
		where = append(where, "state IN ("+params(len(q.States))+")")
		for _, st := range q.States {
			args = append(args, string(st))
		}
	}
	if q.Acquirer != "" {
		where = append(where, "acquirer = ?")
		args = append(args, q.Acquirer)
	}
	if q.StoreID != "" {
		where = append(where, "store_id = ?")
		args = append(args, q.StoreID)
	}
	query := s.q.listSales
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY created_at DESC, request_id DESC"
	if q.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, q.Limit)
	}
	sales, err := s.querySales(ctx, s.dialect.bind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("journal: list sales: %w", err)
	}
	return sales, nil
}

// querySales reads the sales a query selects, without refunds or history.
func (s *Store) querySales(ctx context.Context, query string, args ...any) ([]*instore.Sale, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*instore.Sale
	for rows.Next() {
		sale, err := scanSale(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sale)
	}
	return out, rows.Err()
}

// saleArgs are the values of saleColumns for sale at version v.
func (s *Store) saleArgs(sale *instore.Sale, v int64) []any {
	d := s.dialect
	return []any{
		sale.RequestID, string(sale.Kind), sale.Acquirer, sale.PaymentID, string(sale.Method), string(sale.Wallet),
		sale.Amount.Amount, string(sale.Amount.Currency),
		sale.Store.ID, sale.Store.Name, sale.Store.MCC, sale.Store.TerminalID,
		sale.MaskedCode, string(sale.State), sale.FailureCode, sale.FailureMessage,
		d.timeArg(sale.CreatedAt), d.nullTimeArg(sale.AcquirerTime), d.timeArg(sale.UpdatedAt),
		sale.Owner, d.nullTimeArg(sale.LeaseUntil), v,
	}
}

// scanSale reads the saleColumns of a row.
func scanSale(row interface{ Scan(dest ...any) error }) (*instore.Sale, error) {
	var sale instore.Sale
	err := row.Scan(
		&sale.RequestID, &sale.Kind, &sale.Acquirer, &sale.PaymentID, &sale.Method, &sale.Wallet,
		&sale.Amount.Amount, &sale.Amount.Currency,
		&sale.Store.ID, &sale.Store.Name, &sale.Store.MCC, &sale.Store.TerminalID,
		&sale.MaskedCode, &sale.State, &sale.FailureCode, &sale.FailureMessage,
		timeScanner{&sale.CreatedAt}, timeScanner{&sale.AcquirerTime}, timeScanner{&sale.UpdatedAt},
		&sale.Owner, timeScanner{&sale.LeaseUntil}, &sale.Version,
	)
	if err != nil {
		return nil, err
	}
	return &sale, nil
}
