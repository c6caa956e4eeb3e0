package instore

import (
	"context"
	"errors"
	"iter"
	"time"
)

// Order is the order of a list, by creation time.
type Order string

// The orders Omise lists in. Omise's default is chronological.
const (
	OrderChronological        Order = "chronological"
	OrderReverseChronological Order = "reverse_chronological"
)

// ListParams selects a page of a list. Zero fields are not sent and take
// Omise's defaults: the first 20 objects since the epoch, oldest first.
type ListParams struct {
	// Limit is the page size; Omise allows at most 100.
	Limit int `url:"limit,omitempty"`
	// Offset is the number of objects to skip.
	Offset int `url:"offset,omitempty"`
	// From and To bound the creation time; they are sent in UTC.
	From time.Time `url:"from,omitempty"`
	To   time.Time `url:"to,omitempty"`
	// Order is OrderChronological or OrderReverseChronological.
	Order Order `url:"order,omitempty"`
}

func (p *ListParams) validate() error {
	switch {
	case p.Limit < 0:
		return invalidParams("limit must not be negative")
	case p.Offset < 0:
		return invalidParams("offset must not be negative")
	case !p.From.IsZero() && !p.To.IsZero() && p.From.After(p.To):
		return invalidParams("from must not be after to")
	case p.Order != "" && p.Order != OrderChronological && p.Order != OrderReverseChronological:
		return invalidParams("unknown order")
	}
	return nil
}

// query returns the URL query for p, without the '?'.
func (p *ListParams) query() (string, error) {
	if p == nil {
		return "", nil
	}
	if err := p.validate(); err != nil {
		return "", err
	}
	q := *p
	q.From, q.To = q.From.UTC(), q.To.UTC()
	b, err := encodeForm(&q)
	return string(b), err
}

// List is one page of an Omise list. Total counts every object between From
// and To, so a page is the last when Offset+len(Data) reaches Total.
type List[T any] struct {
	Object   string    `json:"object"`
	Location string    `json:"location"`
	Total    int       `json:"total"`
	Limit    int       `json:"limit"`
	Offset   int       `json:"offset"`
	Order    Order     `json:"order"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Data     []*T      `json:"data"`
}

// check rejects a 2xx body that is not a list of identified objects.
func (l *List[T]) check() error {
	if l.Object != "list" {
		return errors.New("instore: response is not a list")
	}
	for _, item := range l.Data {
		if item == nil {
			return errors.New("instore: list holds a null item")
		}
		if c, ok := any(item).(checker); ok {
			if err := c.check(); err != nil {
				return err
			}
		}
	}
	return nil
}

// all pages through a list with page, starting from a copy of p, which is
// never modified. It checks ctx before each page, yields an error once and
// then stops.
func all[T any](ctx context.Context, p *ListParams, page func(context.Context, *ListParams) (*List[T], error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		var q ListParams
		if p != nil {
			q = *p
		}
		for {
			if err := ctx.Err(); err != nil {
				yield(nil, &listError{err: err})
				return
			}
			l, err := page(ctx, &q)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, item := range l.Data {
				if !yield(item, nil) {
					return
				}
			}
			// The next offset is counted from what came back, not from the
			// limit asked for: Omise may cap a page below it.
			q.Offset += len(l.Data)
			if len(l.Data) == 0 || q.Offset >= l.Total {
				return
			}
		}
	}
}

// listError is a context that ended between two pages of a list.
type listError struct{ err error }

func (e *listError) Error() string { return "instore: listing stopped: " + e.err.Error() }

func (e *listError) Unwrap() error { return e.err }
