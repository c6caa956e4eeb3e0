package ppro

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/instorepay/instore"
)

// AcquirerName is the name an Acquirer gives its payments
// (instore.Payment.Acquirer).
const AcquirerName = "ppro"

// Polling. The seed document advises polling "at least 5 seconds between
// retries, with a timeout of e.g. 180 seconds", the method's 3-minute
// session timeout. The test system allows 1000 GETTXSTATUS and 50
// GETTXSTATUSBYMERCHANTTXID calls per 12 hours (reference ppro.md §7), so a
// longer interval may suit it better.
const (
	// MinPollInterval is the shortest wait between inquiries accepted.
	MinPollInterval = 5 * time.Second
	// DefaultPollInterval is the wait between inquiries: 36 in a session.
	DefaultPollInterval = 5 * time.Second
	// DefaultSessionTimeout is the Alipay in-store session timeout: after
	// it the payment is cancelled.
	DefaultSessionTimeout = 3 * time.Minute
)

// cancelRetries are the waits before each repeat of a cancel that got no
// answer: at least 5 s apart, then 10 s, as PPRO asks after errors.
func cancelRetries() []time.Duration {
	return []time.Duration{5 * time.Second, 10 * time.Second, 10 * time.Second, 10 * time.Second}
}

// AcquirerConfig configures an Acquirer.
type AcquirerConfig struct {
	// NotificationURL is sent with every TRANSACTION; PPRO makes
	// notifications mandatory. Mount Client.NotificationHandler there and
	// call Checkout.Notify from it. Required.
	NotificationURL string
	// CountryCode is the POS's country, CH or GB; empty means the one that
	// goes with the sale's currency.
	CountryCode string
	// StoreID and StoreName are used when a sale's instore.Store leaves
	// them empty: the store as boarded with Alipay.
	StoreID, StoreName string
	// PollInterval is the wait between inquiries: at least MinPollInterval;
	// zero means DefaultPollInterval.
	PollInterval time.Duration
	// SessionTimeout is how long a payment is inquired about before it is
	// cancelled; zero means DefaultSessionTimeout. A FAILED transaction
	// whose reason is not definitive is reported pending until it has
	// passed (see the package documentation).
	SessionTimeout time.Duration
}

// Acquirer is the PPRO client as an instore.Acquirer and instore.Scheduler,
// for instore.Checkout: Pay is TRANSACTION, with the sale's RequestID as the
// merchanttxid; Inquire is GETTXSTATUS, or GETTXSTATUSBYMERCHANTTXID when
// the TRANSACTION's answer was lost; Cancel is CANCELTX; Refund is REFUND.
// It is safe for concurrent use.
type Acquirer struct {
	client   *Client
	cfg      AcquirerConfig
	schedule instore.Schedule
}

var (
	_ instore.Acquirer  = (*Acquirer)(nil)
	_ instore.Scheduler = (*Acquirer)(nil)
)

// NewAcquirer returns an Acquirer paying through c.
func NewAcquirer(c *Client, cfg AcquirerConfig) (*Acquirer, error) {
	if c == nil {
		return nil, errors.New("ppro: nil client")
	}
	if err := checkURL("NotificationURL", cfg.NotificationURL, true); err != nil {
		return nil, fmt.Errorf("ppro: acquirer: %w", err)
	}
	if cfg.CountryCode != "" {
		if _, ok := countryCurrency(cfg.CountryCode); !ok {
			return nil, errors.New("ppro: acquirer: country code must be CH or GB")
		}
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.SessionTimeout == 0 {
		cfg.SessionTimeout = DefaultSessionTimeout
	}
	switch {
	case cfg.PollInterval < MinPollInterval:
		return nil, fmt.Errorf("ppro: acquirer: poll interval must be at least %s", MinPollInterval)
	case cfg.SessionTimeout < cfg.PollInterval:
		return nil, errors.New("ppro: acquirer: session timeout must be at least one poll interval")
	}
	n := int(cfg.SessionTimeout / cfg.PollInterval)
	s := instore.Schedule{Inquiry: make([]time.Duration, n), Cancel: cancelRetries()}
	for i := range s.Inquiry {
		s.Inquiry[i] = cfg.PollInterval
	}
	return &Acquirer{client: c, cfg: cfg, schedule: s}, nil
}

// Name returns AcquirerName.
func (a *Acquirer) Name() string { return AcquirerName }

// Schedule returns the inquiry and cancel schedule: an inquiry every poll
// interval until the session timeout, then a cancel repeated after 5, 10,
// 10 and 10 s. A schedule given to the Checkout (instore.WithSchedule)
// replaces it.
func (a *Acquirer) Schedule() instore.Schedule {
	return instore.Schedule{
		Inquiry: append([]time.Duration(nil), a.schedule.Inquiry...),
		Cancel:  append([]time.Duration(nil), a.schedule.Cancel...),
	}
}

// Pay sends the sale as a TRANSACTION. A request id that PPRO cannot carry
// as a merchanttxid (over 40 characters), a code that is not Alipay's, or
// a store id outside PPRO's rules is refused before sending. PPRO compares
// merchanttxids without regard to case, so request ids must differ by more
// than case. An error
// matching instore.ErrOutcomeUnknown leaves the payment to be found by its
// RequestID; it is never sent again.
func (a *Acquirer) Pay(ctx context.Context, req *instore.PayRequest) (*instore.Payment, error) {
	if req == nil {
		return nil, &ValidationError{Op: opTransaction, Field: "request", Reason: "nil"}
	}
	if req.Method != "" && req.Method != instore.MethodPPROAlipay {
		return nil, &ValidationError{Op: opTransaction, Field: "Method", Reason: "PPRO takes only " + string(instore.MethodPPROAlipay)}
	}
	if req.Code.Wallet != "" && req.Code.Wallet != instore.WalletAlipay {
		return nil, &ValidationError{Op: opTransaction, Field: "Code", Reason: "PPRO's in-store method takes only Alipay codes"}
	}
	storeID, storeName := req.Store.ID, req.Store.Name
	if storeID == "" {
		storeID = a.cfg.StoreID
	}
	if storeName == "" {
		storeName = a.cfg.StoreName
	}
	sent := time.Now()
	resp, err := a.client.Transaction(ctx, &TransactionRequest{
		MerchantTxID:      req.RequestID,
		CountryCode:       a.cfg.CountryCode,
		Amount:            req.Amount,
		BuyerIdentityCode: req.Code.Digits,
		StoreID:           storeID,
		StoreName:         storeName,
		NotificationURL:   a.cfg.NotificationURL,
		DynamicDescriptor: req.Description,
	})
	if err != nil {
		return nil, err
	}
	p := a.payment(req.RequestID, req.Amount)
	p.Wallet = instore.WalletAlipay
	// PPRO answers with no time of its own: the session is counted from
	// the TRANSACTION.
	p.CreatedAt = sent
	a.apply(p, resp, sent, false)
	return p, nil
}

// Inquire asks where the payment stands: by txid, or by merchanttxid when
// the TRANSACTION's answer was lost. A payment PPRO does not know yet is
// pending, never failed. The session a FAILED payment with an uncertain
// reason is held pending for is counted from p.CreatedAt (set by Pay and by
// instore.Checkout); a zero CreatedAt counts as a session long over.
func (a *Acquirer) Inquire(ctx context.Context, p *instore.Payment) (*instore.Payment, error) {
	out := a.payment(p.RequestID, p.Amount)
	out.Wallet, out.ID = p.Wallet, p.ID
	var st *StatusResponse
	var err error
	if p.ID != "" {
		st, err = a.client.Status(ctx, p.ID)
	} else {
		st, err = a.client.StatusByMerchantTxID(ctx, p.RequestID)
		if errors.Is(err, ErrTxNotFound) {
			out.Status = instore.StatusPending
			return out, nil
		}
	}
	if err != nil {
		return nil, err
	}
	a.apply(out, &st.TransactionResponse, p.CreatedAt, false)
	return out, nil
}

// Cancel cancels a pending payment. A payment that completed is succeeded,
// on PPRO's own answer: a refused cancel showing the transaction SUCCEEDED
// (ErrCannotCancel), or a status lookup after a refusal. A payment that
// failed is failed, whatever its reason: the session is over. A payment
// whose TRANSACTION never arrived (not found by its RequestID after the
// whole session) is cancelled, as nothing was created.
func (a *Acquirer) Cancel(ctx context.Context, p *instore.Payment) (*instore.Payment, error) {
	out := a.payment(p.RequestID, p.Amount)
	out.Wallet, out.ID = p.Wallet, p.ID
	if out.ID == "" {
		st, err := a.client.StatusByMerchantTxID(ctx, p.RequestID)
		if errors.Is(err, ErrTxNotFound) {
			out.Status = instore.StatusCancelled
			out.FailureCode = string(RequestFailTxNotFound)
			out.FailureMessage = "no transaction was created under this merchanttxid"
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out.ID = st.TxID
		if st.Status != StatusPending {
			a.apply(out, &st.TransactionResponse, p.CreatedAt, true)
			return out, nil
		}
	}
	resp, err := a.client.Cancel(ctx, out.ID)
	if err == nil {
		a.apply(out, &resp.TransactionResponse, p.CreatedAt, true)
		return out, nil
	}
	var re *RequestError
	if !errors.As(err, &re) {
		return nil, err
	}
	if errors.Is(err, ErrCannotCancel) && re.Transaction != nil &&
		re.Transaction.Status == StatusSucceeded && re.Transaction.TxID == out.ID {
		out.Status = instore.StatusSucceeded
		return out, nil
	}
	// Refused for another reason, or without the status to show why: the
	// transaction's own status decides.
	st, serr := a.client.Status(ctx, out.ID)
	if serr != nil {
		return nil, serr
	}
	a.apply(out, &st.TransactionResponse, p.CreatedAt, true)
	return out, nil
}

// Refund refunds amount of the payment under refundRequestID, sent as the
// merchantrefundid. PPRO does not deduplicate it, so a REFUND is sent at
// most once: when its outcome is unknown the refund is looked up by that
// id, and if it cannot be found the error (matching
// instore.ErrOutcomeUnknown) is returned; look it up again before
// refunding under a new id. The answer is the refund as a Payment.
func (a *Acquirer) Refund(ctx context.Context, p *instore.Payment, amount instore.Money, refundRequestID string) (*instore.Payment, error) {
	txID := p.ID
	if txID == "" {
		st, err := a.client.StatusByMerchantTxID(ctx, p.RequestID)
		if err != nil {
			return nil, err
		}
		txID = st.TxID
	}
	out := a.payment(refundRequestID, amount)
	out.Wallet = p.Wallet
	resp, err := a.client.Refund(ctx, &RefundRequest{TxID: txID, Amount: amount, MerchantRefundID: refundRequestID})
	if err != nil {
		if !errors.Is(err, instore.ErrOutcomeUnknown) {
			return nil, err
		}
		found, lerr := a.client.RefundStatusByMerchantRefundID(ctx, refundRequestID)
		if lerr != nil {
			return nil, err
		}
		resp = &found.RefundResponse
	}
	out.ID = resp.RefundID
	switch resp.Status {
	case StatusSucceeded:
		out.Status = instore.StatusSucceeded
	case StatusFailed:
		out.Status = instore.StatusFailed
		out.FailureCode, out.FailureMessage = string(resp.FailReason), resp.ErrMsg
	default:
		out.Status = instore.StatusPending
	}
	return out, nil
}

func (a *Acquirer) payment(requestID string, amount instore.Money) *instore.Payment {
	return &instore.Payment{
		Acquirer:  AcquirerName,
		RequestID: requestID,
		Amount:    amount,
		Method:    instore.MethodPPROAlipay,
		Status:    instore.StatusUnknown,
	}
}

// apply maps a transaction's STATUS and FAILREASON onto p:
//
//   - SUCCEEDED is succeeded; PENDING, or a status PPRO has not documented,
//     is pending.
//   - FAILED with CANCELED is cancelled.
//   - FAILED with no transaction created (TXID=0) or a Definitive reason
//     is failed.
//   - FAILED with any other reason (a timeout, an error, none) may still
//     turn SUCCEEDED, so it is pending while the session lasts (since
//     createdAt) and failed after it. closing (the cancel step) makes it
//     failed at once: the session is over.
func (a *Acquirer) apply(p *instore.Payment, tx *TransactionResponse, createdAt time.Time, closing bool) {
	if tx.TxID != "" {
		p.ID = tx.TxID
	}
	switch tx.Status {
	case StatusSucceeded:
		p.Status = instore.StatusSucceeded
		return
	case StatusFailed:
	default:
		p.Status = instore.StatusPending
		return
	}
	switch {
	case tx.FailReason == FailCanceled:
		p.Status = instore.StatusCancelled
	case !tx.Created(), tx.FailReason.Definitive(), closing, createdAt.IsZero(),
		time.Since(createdAt) >= a.cfg.SessionTimeout:
		p.Status = instore.StatusFailed
	default:
		p.Status = instore.StatusPending
		return
	}
	p.FailureCode, p.FailureMessage = string(tx.FailReason), tx.ErrMsg
}
