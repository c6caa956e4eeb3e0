package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/instorepay/instore"
)

// Reconcile tuning.
const (
	// reconcileWorkers is how many sales are asked about at once: a day of
	// a busy shop in a minute, without flooding an acquirer's rate limit.
	reconcileWorkers = 8
	// inquiryTimeout bounds the inquiry about one sale, the client's own
	// retries included.
	inquiryTimeout = 30 * time.Second
	// chargePage is the page size of the Omise charge list (Omise's most).
	chargePage = 100
)

// class is what reconcile found about one sale or one payment, in the
// order the report lists them.
type class int

const (
	// classMatched: the acquirer's state is the journal's.
	classMatched class = iota
	// classStateDiffers: the acquirer settled the sale otherwise than the
	// journal holds it (or for another amount, or as another payment).
	classStateDiffers
	// classUnresolved: the journal's sale is not final, and the acquirer
	// does not settle it either.
	classUnresolved
	// classMissing: the journal holds a payment at the acquirer that the
	// acquirer does not have.
	classMissing
	// classOrphan: an Omise charge made for a request id the journal does
	// not hold (money taken with no sale recorded), or a second charge for
	// a sale the journal holds with another.
	classOrphan
	// classOutside: an Omise charge with no instore_request_id, made by
	// something other than instore (the dashboard, another integration).
	classOutside
	// classUnchecked: the acquirer is not configured, or could not be
	// asked; nothing is known either way.
	classUnchecked
	numClasses
)

// classNames are each class's name for machines (JSON, CSV) and for
// people (the table).
var classNames = [numClasses]struct{ key, text string }{
	classMatched:      {"matched", "matched"},
	classStateDiffers: {"state_differs", "state differs"},
	classUnresolved:   {"unresolved", "unresolved"},
	classMissing:      {"missing_at_acquirer", "missing at the acquirer"},
	classOrphan:       {"orphan_at_acquirer", "orphan at the acquirer"},
	classOutside:      {"outside_instore", "taken outside instore"},
	classUnchecked:    {"not_checked", "not checked"},
}

func (c class) key() string    { return classNames[c].key }
func (c class) String() string { return classNames[c].text }

// finding is one line of the report: a journal sale, or an Omise charge
// the journal does not account for.
type finding struct {
	class     class
	requestID string
	acquirer  string
	paymentID string
	// journalState is the sale's state in the journal, "" for a charge the
	// journal does not hold; acquirerState is the payment's status at the
	// acquirer, "" when it has none.
	journalState  string
	acquirerState string
	amount        instore.Money
	// createdAt is when the sale was recorded, or the charge created.
	createdAt time.Time
	detail    string
}

// report is the outcome of one reconcile.
type report struct {
	from, to time.Time
	// counts counts every sale and charge by class; findings lists all but
	// the matched, in class order, then by time.
	counts   [numClasses]int
	findings []finding
	// notes say what could not be looked at (Omise's charges when Omise is
	// not configured).
	notes []string
}

// discrepancies counts the findings that are not matched.
func (r *report) discrepancies() int { return len(r.findings) }

// reconciler compares a journal with the acquirers' own records.
type reconciler struct {
	w *world
	// progress, when set, is told how far the check has got: a line to
	// show, and whether it is the last of its phase.
	progress func(line string, last bool)
}

// run reconciles the sales recorded in [from, to) and, for Omise, the
// charges created in it.
func (rc *reconciler) run(ctx context.Context, from, to time.Time) (*report, error) {
	sales, err := rc.w.reader.Sales(ctx, instore.SaleQuery{From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("reading the journal: %w", err)
	}
	rep := &report{from: from, to: to}
	found := rc.checkSales(ctx, sales)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rc.w.omise != nil {
		charges, err := rc.checkCharges(ctx, from, to, sales)
		if err != nil {
			return nil, fmt.Errorf("listing omise charges: %w", err)
		}
		found = append(found, charges...)
	} else {
		rep.notes = append(rep.notes, "omise is not configured: its charges were not listed, so no orphan can be found there")
	}
	for i := range found {
		rep.counts[found[i].class]++
		if found[i].class != classMatched {
			rep.findings = append(rep.findings, found[i])
		}
	}
	slices.SortStableFunc(rep.findings, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.class, b.class), a.createdAt.Compare(b.createdAt),
			cmp.Compare(a.requestID, b.requestID), cmp.Compare(a.paymentID, b.paymentID))
	})
	return rep, nil
}

// checkSales asks the acquirer about every sale, a few at a time.
func (rc *reconciler) checkSales(ctx context.Context, sales []*instore.Sale) []finding {
	out := make([]finding, len(sales))
	var mu sync.Mutex
	done := 0
	sem := make(chan struct{}, reconcileWorkers)
	var wg sync.WaitGroup
	for i, s := range sales {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = rc.checkSale(ctx, s)
			mu.Lock()
			done++
			if rc.progress != nil {
				rc.progress(fmt.Sprintf("reconcile: %d/%d sales checked", done, len(sales)), done == len(sales))
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// checkSale asks the sale's acquirer for its own state and compares it
// with the journal's.
func (rc *reconciler) checkSale(ctx context.Context, s *instore.Sale) finding {
	f := finding{
		requestID: s.RequestID, acquirer: s.Acquirer, paymentID: s.PaymentID,
		journalState: string(s.State), amount: s.Amount, createdAt: s.CreatedAt,
	}
	acq, err := rc.w.acquirer(s.Acquirer)
	if err != nil {
		f.class, f.detail = classUnchecked, errNotConfigured.Error()
		return f
	}
	ictx, cancel := context.WithTimeout(ctx, inquiryTimeout)
	defer cancel()
	got, err := acq.Inquire(ictx, s.Payment())
	if err != nil {
		f.class, f.detail = classUnchecked, "the acquirer could not be asked: "+err.Error()
		return f
	}
	if got.ID != "" {
		f.paymentID = got.ID
	}
	if has(got) {
		f.acquirerState = string(got.Status)
	}
	f.class, f.detail = classify(s, got)
	return f
}

// has reports whether the acquirer's answer is about a payment it holds:
// an acquirer that does not know a payment reports it pending with no id
// (see instore.Acquirer).
func has(got *instore.Payment) bool { return got.ID != "" || got.Status.Final() }

// classify compares the acquirer's answer got with the journal's sale s.
func classify(s *instore.Sale, got *instore.Payment) (class, string) {
	journal := s.Payment().Status
	if !has(got) {
		switch {
		case s.PaymentID != "" || s.State == instore.SaleSucceeded:
			return classMissing, "the journal holds a payment the acquirer does not have"
		case s.State.Final():
			return classMatched, "" // refused or cancelled before the acquirer had it
		default:
			return classUnresolved, "the acquirer has no payment for it yet; instore recover settles it"
		}
	}
	switch {
	case got.Amount != (instore.Money{}) && got.Amount != s.Amount:
		return classStateDiffers, "the acquirer's payment is for " + got.Amount.String()
	case s.PaymentID != "" && got.ID != s.PaymentID:
		return classStateDiffers, "the acquirer's payment is " + got.ID + ", the journal's " + s.PaymentID
	case s.State.Final() && got.Status == journal:
		return classMatched, ""
	case s.State.Final():
		return classStateDiffers, "the journal holds it " + string(s.State) + ", the acquirer " + string(got.Status)
	case got.Status.Final():
		return classStateDiffers, "the acquirer settled it; instore recover records it"
	default:
		return classUnresolved, "not final at the acquirer either; instore recover settles it"
	}
}

// checkCharges lists the Omise charges created in [from, to) and reports
// those the journal does not account for: with a request id it does not
// hold (or holds for another charge), or with none.
func (rc *reconciler) checkCharges(ctx context.Context, from, to time.Time, sales []*instore.Sale) ([]finding, error) {
	known := make(map[string]*instore.Sale, len(sales))
	for _, s := range sales {
		known[s.RequestID] = s
	}
	var out []finding
	params := &instore.ListParams{From: from, To: to, Order: instore.OrderChronological, Limit: chargePage}
	listed := 0
	for ch, err := range rc.w.omise.Charges.All(ctx, params) {
		if err != nil {
			return nil, err
		}
		if listed++; rc.progress != nil {
			rc.progress(fmt.Sprintf("reconcile: %d omise charges listed", listed), false)
		}
		if ch.CreatedAt.Before(from) || !ch.CreatedAt.Before(to) {
			continue // Omise's bounds are inclusive; ours end before to
		}
		f, err := rc.checkCharge(ctx, ch, known)
		if err != nil {
			return nil, err
		}
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

// checkCharge reports ch when the journal does not account for it, and
// nil when it is a journal sale's charge (checked as that sale).
func (rc *reconciler) checkCharge(ctx context.Context, ch *instore.Charge, known map[string]*instore.Sale) (*finding, error) {
	f := &finding{
		acquirer: instore.OmiseAcquirerName, paymentID: ch.ID, acquirerState: chargeState(ch.Status),
		amount: instore.Money{Amount: ch.Amount, Currency: ch.Currency}, createdAt: ch.CreatedAt.UTC(),
	}
	id, _ := ch.Metadata.String(instore.RequestIDMetadataKey)
	if id == "" {
		f.class, f.detail = classOutside, "no "+instore.RequestIDMetadataKey+": made outside instore"
		return f, nil
	}
	f.requestID = id
	s, ok := known[id]
	if !ok {
		var err error
		s, err = rc.w.reader.Sale(ctx, id) // recorded in another period
		switch {
		case errors.Is(err, instore.ErrSaleNotFound):
			f.class, f.detail = classOrphan, "the journal holds no sale "+id
			return f, nil
		case err != nil:
			return nil, err
		}
	}
	f.journalState = string(s.State)
	switch {
	case s.Acquirer != instore.OmiseAcquirerName:
		f.class, f.detail = classOrphan, "the journal's sale "+id+" went to "+s.Acquirer
	case s.PaymentID != "" && s.PaymentID != ch.ID:
		f.class, f.detail = classOrphan, "a second charge for sale "+id+"; the journal holds "+s.PaymentID
	default:
		return nil, nil
	}
	return f, nil
}

// chargeState is an Omise charge status as a payment status, as the Omise
// acquirer reports it (ChargeStatus.PaymentStatus: an expired or reversed
// charge took no money). A status the SDK does not know is shown as Omise
// gave it rather than as "unknown", so the operator sees what Omise said.
func chargeState(st instore.ChargeStatus) string {
	if ps := st.PaymentStatus(); ps != instore.StatusUnknown {
		return string(ps)
	}
	return string(st)
}
