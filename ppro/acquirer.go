package ppro

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// NewAcquirer returns an Acquirer paying through c. Its errors match
// ErrInvalidConfig.
func NewAcquirer(c *Client, cfg AcquirerConfig) (*Acquirer, error) {
	if c == nil {
		return nil, invalidConfig(errors.New("ppro: nil client"))
	}
	if err := cfg.check(); err != nil {
		return nil, invalidConfig(err)
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.SessionTimeout == 0 {
		cfg.SessionTimeout = DefaultSessionTimeout
	}
	switch {
	case cfg.PollInterval < MinPollInterval:
		return nil, invalidConfig(fmt.Errorf("ppro: acquirer: poll interval must be at least %s", MinPollInterval))
	case cfg.SessionTimeout < cfg.PollInterval:
		return nil, invalidConfig(errors.New("ppro: acquirer: session timeout must be at least one poll interval"))
	}
	n := int(cfg.SessionTimeout / cfg.PollInterval)
	// A notification brings an inquiry forward no sooner than a poll
	// interval after the last: PPRO counts every status call.
	s := instore.Schedule{Inquiry: make([]time.Duration, n), Cancel: cancelRetries(), MinInterval: cfg.PollInterval}
	for i := range s.Inquiry {
		s.Inquiry[i] = cfg.PollInterval
	}
	return &Acquirer{client: c, cfg: cfg, schedule: s}, nil
}

// check refuses a configuration that would make every TRANSACTION fail, by
// the rules TRANSACTION is checked with: the notification URL, the country
// and, when they are set, the default store's id and name. A store left
// empty here must be named by every sale (instore.Store); a sale that does
// not is refused before sending, with an error matching
// instore.ErrInvalidRequest.
func (cfg *AcquirerConfig) check() error {
	field := func(err error) error {
		var ve *ValidationError
		if errors.As(err, &ve) {
			// A configuration error, not a request refused: it matches
			// ErrInvalidConfig alone.
			return errors.New("ppro: acquirer: " + ve.Field + ": " + ve.Reason)
		}
		return err
	}
	if err := checkURL("NotificationURL", cfg.NotificationURL, true); err != nil {
		return field(err)
	}
	if cfg.CountryCode != "" {
		if _, ok := countryCurrency(cfg.CountryCode); !ok {
			return errors.New("ppro: acquirer: country code must be CH or GB")
		}
	}
	if cfg.StoreID != "" {
		if err := checkStoreID("acquirer", cfg.StoreID); err != nil {
			return field(err)
		}
	}
	return field(checkText("acquirer", "StoreName", cfg.StoreName, false))
}

// Name returns AcquirerName.
func (a *Acquirer) Name() string { return AcquirerName }

// Schedule returns the inquiry and cancel schedule: an inquiry every poll
// interval until the session timeout, then a cancel repeated after 5, 10,
// 10 and 10 s. A schedule given to the Checkout (instore.WithSchedule)
// replaces it.
func (a *Acquirer) Schedule() instore.Schedule {
	return instore.Schedule{
		Inquiry:     append([]time.Duration(nil), a.schedule.Inquiry...),
		Cancel:      append([]time.Duration(nil), a.schedule.Cancel...),
		MinInterval: a.schedule.MinInterval,
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
	switch {
	case storeID == "":
		return nil, &ValidationError{Op: opTransaction, Field: "StoreID", Reason: "required: set the sale's Store.ID or AcquirerConfig.StoreID"}
	case storeName == "":
		return nil, &ValidationError{Op: opTransaction, Field: "StoreName", Reason: "required: set the sale's Store.Name or AcquirerConfig.StoreName"}
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
	p := a.answer(resp.MerchantTxID, req.RequestID)
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
	out := a.answer("", p.RequestID)
	out.Wallet = p.Wallet
	var st *StatusResponse
	var err error
	if p.ID != "" {
		st, err = a.client.Status(ctx, p.ID)
	}
	if p.ID == "" || errors.Is(err, ErrTxNotFound) {
		// No txid, or one PPRO does not know (taken from an answer about
		// another transaction): by the merchanttxid.
		st, err = a.client.StatusByMerchantTxID(ctx, p.RequestID)
		if errors.Is(err, ErrTxNotFound) {
			out.Status = instore.StatusPending
			return out, nil
		}
	}
	if err != nil {
		return nil, err
	}
	out.RequestID = a.echo(st.MerchantTxID, p.RequestID)
	a.apply(out, &st.TransactionResponse, p.CreatedAt, false)
	return out, nil
}

// Cancel cancels a pending payment. A payment that completed is succeeded,
// on PPRO's own answer: a refused cancel showing the transaction SUCCEEDED
// (ErrCannotCancel), or a status lookup after a refusal. A payment that
// failed is failed, whatever its reason: the session is over. A payment
// whose TRANSACTION cannot be found by its RequestID is a
// *instore.PaymentNotFoundError: PPRO cannot close a merchanttxid, so a
// TRANSACTION still in flight may land after it. Several transactions
// under the RequestID (TX_NOT_UNIQUE) are an error: none of them is
// cancelled, since some may be another sale's.
func (a *Acquirer) Cancel(ctx context.Context, p *instore.Payment) (*instore.Payment, error) {
	out := a.answer("", p.RequestID)
	out.Wallet, out.ID = p.Wallet, p.ID
	if out.ID == "" {
		st, err := a.client.StatusByMerchantTxID(ctx, p.RequestID)
		if errors.Is(err, ErrTxNotFound) {
			return nil, &instore.PaymentNotFoundError{Code: string(RequestFailTxNotFound), Message: "no transaction under this merchanttxid"}
		}
		if err != nil {
			return nil, err
		}
		out.RequestID = a.echo(st.MerchantTxID, p.RequestID)
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
// merchantrefundid. PPRO does not deduplicate it, so the refund is looked
// up by that id first and a refund already made is the answer; a REFUND is
// sent at most once per call. When its outcome is unknown it is looked up
// again, and if it cannot be found the error (matching
// instore.ErrOutcomeUnknown) is returned: retry later with the same id,
// never under a new one. The answer is the refund as a Payment.
func (a *Acquirer) Refund(ctx context.Context, p *instore.Payment, amount instore.Money, refundRequestID string) (*instore.Payment, error) {
	if found, err := a.FindRefund(ctx, p, amount, refundRequestID); !errors.Is(err, instore.ErrRefundNotFound) {
		return found, err
	}
	txID := p.ID
	if txID == "" {
		st, err := a.client.StatusByMerchantTxID(ctx, p.RequestID)
		if err != nil {
			return nil, err
		}
		txID = st.TxID
	}
	resp, err := a.client.Refund(ctx, &RefundRequest{TxID: txID, Amount: amount, MerchantRefundID: refundRequestID})
	if err != nil {
		if !errors.Is(err, instore.ErrOutcomeUnknown) {
			return nil, err
		}
		if found, lerr := a.FindRefund(ctx, p, amount, refundRequestID); lerr == nil {
			return found, nil
		}
		return nil, err
	}
	return a.refundPayment(resp, p, amount, refundRequestID), nil
}

// FindRefund looks the refund made under refundRequestID up without
// sending one; none found matches instore.ErrRefundNotFound.
func (a *Acquirer) FindRefund(ctx context.Context, p *instore.Payment, amount instore.Money, refundRequestID string) (*instore.Payment, error) {
	found, err := a.client.RefundStatusByMerchantRefundID(ctx, refundRequestID)
	if errors.Is(err, ErrRefundNotFound) {
		return nil, fmt.Errorf("%w: %w", instore.ErrRefundNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	return a.refundPayment(&found.RefundResponse, p, amount, refundRequestID), nil
}

// refundPayment maps a refund onto a Payment. PPRO echoes no amount, so
// the refund is the amount asked for.
func (a *Acquirer) refundPayment(resp *RefundResponse, p *instore.Payment, amount instore.Money, refundRequestID string) *instore.Payment {
	out := a.payment(a.echo(resp.MerchantRefundID, refundRequestID), amount)
	out.Wallet = p.Wallet
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
	return out
}

// answer is a Payment as PPRO described it: echoed is the MERCHANTTXID it
// sent back ("" when none), ours the request id asked about. PPRO states
// no amount.
func (a *Acquirer) answer(echoed, ours string) *instore.Payment {
	return a.payment(a.echo(echoed, ours), instore.Money{})
}

// echo is the request id an answer names: ours when PPRO echoed it (PPRO
// compares merchanttxids without regard to case, and may change it), the
// echo itself when it names another, "" when there was none.
func (a *Acquirer) echo(echoed, ours string) string {
	if strings.EqualFold(echoed, ours) {
		return ours
	}
	return echoed
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
