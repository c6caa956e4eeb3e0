package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/instorepay/instore"
)

// RecordRefund implements [instore.Journal]. The sale refunded need not be
// in the journal (a sale taken before the journal was): the refund is kept
// under its refund request id all the same, and listed with its sale when
// the journal holds that.
func (s *Store) RecordRefund(ctx context.Context, r *instore.RefundRecord) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.insertRefund, s.refundArgs(r, 1)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return instore.ErrRefundExists
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("journal: record refund: %w", err)
	}
	r.Version = 1
	return nil
}

// UpdateRefund implements [instore.Journal]. A refund stays with the sale
// it was recorded for: r.RequestID is not written.
func (s *Store) UpdateRefund(ctx context.Context, r *instore.RefundRecord) error {
	next := r.Version + 1
	err := s.write(ctx, func(tx *sql.Tx) error {
		all := s.refundArgs(r, next)
		// refundColumns less refund_request_id and request_id, then the key
		// and the version read.
		args := slices.Concat(all[2:], []any{r.RefundRequestID, r.Version})
		res, err := tx.ExecContext(ctx, s.q.updateRefund, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return missingOr(ctx, tx, s.q.refundExists, r.RefundRequestID, instore.ErrRefundNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("journal: update refund: %w", err)
	}
	r.Version = next
	return nil
}

// Refund implements [instore.Journal].
func (s *Store) Refund(ctx context.Context, refundRequestID string) (*instore.RefundRecord, error) {
	r, err := scanRefund(s.db.QueryRowContext(ctx, s.q.selectRefund, refundRequestID))
	if errors.Is(err, sql.ErrNoRows) {
		err = instore.ErrRefundNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("journal: read refund: %w", err)
	}
	return r, nil
}

// saleRefunds reads the refunds of a sale, oldest first.
func (s *Store) saleRefunds(ctx context.Context, tx *sql.Tx, requestID string) ([]*instore.RefundRecord, error) {
	rows, err := tx.QueryContext(ctx, s.q.selectSaleRefunds, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*instore.RefundRecord
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// refundArgs are the values of refundColumns for r at version v.
func (s *Store) refundArgs(r *instore.RefundRecord, v int64) []any {
	d := s.dialect
	return []any{
		r.RefundRequestID, r.RequestID, r.Acquirer, r.RefundID,
		r.Amount.Amount, string(r.Amount.Currency), string(r.State), r.FailureCode, r.FailureMessage,
		d.timeArg(r.CreatedAt), d.timeArg(r.UpdatedAt), r.Owner, d.nullTimeArg(r.LeaseUntil), v,
	}
}

// scanRefund reads the refundColumns of a row.
func scanRefund(row interface{ Scan(dest ...any) error }) (*instore.RefundRecord, error) {
	var r instore.RefundRecord
	err := row.Scan(
		&r.RefundRequestID, &r.RequestID, &r.Acquirer, &r.RefundID,
		&r.Amount.Amount, &r.Amount.Currency, &r.State, &r.FailureCode, &r.FailureMessage,
		timeScanner{&r.CreatedAt}, timeScanner{&r.UpdatedAt}, &r.Owner, timeScanner{&r.LeaseUntil}, &r.Version,
	)
	if err != nil {
		return nil, err
	}
	return &r, nil
}
