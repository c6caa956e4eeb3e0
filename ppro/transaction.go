package ppro

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/instorepay/instore"
)

// Tag is the channel member tag of Alipay in-store consumer barcode
// payments (seed document, payment method properties).
const Tag = "alipayconsumerbarcode"

// Wire limits checked before sending. Each is a fact that may need
// correcting; the source is named beside it.
const (
	// MaxMerchantTxIDLen: PPRO did not publish merchanttxid's format; the
	// sibling merchantrefundid is at most 40 of [a-zA-Z0-9.,-_] (REFUND
	// input table), so merchanttxid is kept within the same (reference
	// ppro.md §3.1, [L]).
	MaxMerchantTxIDLen = 40
	// MaxStoreIDLen: specin.storeid is at most 32 of [0-9a-zA-Z-_] (seed
	// document, specific input parameters).
	MaxStoreIDLen = 32
	// maxAmount: REFUND documents amount as an int32 of minor units; the
	// same type is assumed for TRANSACTION.
	maxAmount = math.MaxInt32
	// maxTextLen caps the free-text fields the SDK sends (store name,
	// descriptor, account holder): PPRO's limits for them were not
	// captured, and ERRMSG's 128 characters suggest their size.
	maxTextLen = 255
)

// Countries and currencies of the method: the POS's country CH or GB, and
// the processing currency CHF or GBP (seed document). The reference reads
// them as pairs; a mismatch is refused before sending.
func countryCurrency(country string) (instore.Currency, bool) {
	switch country {
	case "CH":
		return instore.CHF, true
	case "GB":
		return instore.GBP, true
	}
	return "", false
}

// countryOf is the country that goes with a processing currency.
func countryOf(c instore.Currency) string {
	switch c {
	case instore.CHF:
		return "CH"
	case instore.GBP:
		return "GB"
	}
	return ""
}

// TransactionRequest is a TRANSACTION with tag alipayconsumerbarcode: the
// cashier scanned the customer's Alipay code.
type TransactionRequest struct {
	// MerchantTxID is the merchant's id for the sale: required, unique, at
	// most 40 letters, digits, '.', ',', '-' and '_'. PPRO compares it
	// without regard to case and does not enforce uniqueness; it is what
	// finds the transaction when the answer to the TRANSACTION is lost.
	MerchantTxID string
	// CountryCode is the POS's country, CH or GB; empty means the one that
	// goes with Amount's currency.
	CountryCode string
	// Amount in CHF or GBP minor units, positive.
	Amount instore.Money
	// BuyerIdentityCode is the scanned code (specin.buyeridentitycode):
	// 16 to 24 digits. It is never logged or quoted in an error.
	BuyerIdentityCode string
	// StoreID is the store as boarded with Alipay (specin.storeid): at most
	// 32 letters, digits, '-' and '_'.
	StoreID string
	// StoreName is the store's name as boarded with Alipay
	// (specin.storename).
	StoreName string
	// NotificationURL receives PPRO's notification when the transaction
	// becomes SUCCEEDED or FAILED; mount NotificationHandler there. PPRO
	// makes notifications mandatory.
	NotificationURL string
	// DynamicDescriptor is the text on the customer's proof of payment
	// (specin.dynamicdescriptor), optional; PPRO may shorten it.
	DynamicDescriptor string
	// AccountHolderName and MerchantRedirectURL are standard inputs this
	// flow does not need; they are sent when set.
	AccountHolderName   string
	MerchantRedirectURL string
}

// TransactionResponse is the answer to a TRANSACTION, and the transaction
// part of the answer to the status and cancel calls.
type TransactionResponse struct {
	// Status is PENDING, SUCCEEDED or FAILED (the seed's SUCCESSFUL is read
	// as SUCCEEDED); an undocumented value is kept as sent. A FAILED
	// transaction whose FailReason is not Definitive may still turn
	// SUCCEEDED.
	Status Status
	// TxID is PPRO's id for the transaction. It is empty when PPRO created
	// none (it sends TXID=0 on severe errors, such as failed
	// authentication).
	TxID         string
	MerchantTxID string
	FundsStatus  FundsStatus
	// FailReason is set when Status is FAILED.
	FailReason FailReason
	// ErrMsg is PPRO's free text (at most 128 characters), with long digit
	// runs masked; never decide anything on it.
	ErrMsg  string
	Channel string
	Tag     string
	// RedirectURL and RedirectSecret belong to redirect flows, not to this
	// one; RedirectSecret is a secret, keep it out of logs.
	RedirectURL    string
	RedirectSecret string
	// SpecOut holds every SPECOUT.* key without its prefix
	// (ALIPAYBUYERUSERID, ALIPAYMERCHANTID, CNYAMOUNT, ...).
	SpecOut map[string]string
	// Other holds the keys no field above takes: the opaque RAND<digits>
	// key, FLAGS, and anything PPRO adds.
	Other map[string]string
}

// Created reports whether PPRO created a transaction (TXID not 0).
func (r *TransactionResponse) Created() bool { return r.TxID != "" }

// Transaction sends a TRANSACTION: it asks PPRO to charge the scanned code.
// The answer is usually PENDING (the customer may have to confirm in the
// Alipay app); follow it with Status, or wait for the notification.
//
// It is sent at most once. An error matching instore.ErrOutcomeUnknown means
// the transaction may exist: look it up with StatusByMerchantTxID (not
// found means not arrived yet), never send it again, since PPRO would
// create a second one. Any other error means nothing was created. A FAILED
// answer is returned as a response with a nil error.
func (c *Client) Transaction(ctx context.Context, req *TransactionRequest) (*TransactionResponse, error) {
	form, err := c.transactionForm(req)
	if err != nil {
		return nil, err
	}
	f, err := c.post(ctx, opTransaction, form, req.MerchantTxID, true, true)
	if err != nil {
		return nil, err
	}
	r := reader{f}
	if !r.has("STATUS") {
		return nil, c.malformed(ctx, opTransaction, req.MerchantTxID, "no STATUS", true)
	}
	resp := decodeTransaction(r)
	switch {
	case resp.Status != StatusFailed && !resp.Created():
		// Pending or paid, but no id to follow it by: a cut answer.
		return nil, c.malformed(ctx, opTransaction, req.MerchantTxID, "no TXID", true)
	case resp.MerchantTxID != "" && !strings.EqualFold(resp.MerchantTxID, req.MerchantTxID):
		return nil, &Error{Op: opTransaction, StatusCode: 200, OutcomeUnknown: true, Err: ErrMismatchedResponse}
	}
	return resp, nil
}

func (c *Client) malformed(ctx context.Context, op, requestID, why string, unknown bool) error {
	err := fmt.Errorf("%w: %s", ErrMalformedResponse, why)
	c.logUntrusted(ctx, op, requestID, 200, err)
	return &Error{Op: op, StatusCode: 200, OutcomeUnknown: unknown, Err: err}
}

// decodeTransaction takes the transaction keys out of r.
func decodeTransaction(r reader) *TransactionResponse {
	resp := &TransactionResponse{
		Status:         parseStatus(r.take("STATUS")),
		TxID:           txID(r.take("TXID")),
		MerchantTxID:   r.take("MERCHANTTXID"),
		FundsStatus:    parseFundsStatus(r.take("FUNDSSTATUS")),
		FailReason:     parseFailReason(r.take("FAILREASON")),
		ErrMsg:         scrub(r.take("ERRMSG"), ""),
		Channel:        r.take("CHANNEL"),
		Tag:            r.take("TAG"),
		RedirectURL:    r.take("REDIRECTURL"),
		RedirectSecret: r.take("REDIRECTSECRET"),
	}
	resp.SpecOut, resp.Other = r.rest()
	return resp
}

// txID reads TXID or REFUNDID: "0" means none.
func txID(v string) string {
	if v == "0" {
		return ""
	}
	return v
}

func (c *Client) transactionForm(req *TransactionRequest) (url.Values, error) {
	bad := func(field, reason string) error {
		return &ValidationError{Op: opTransaction, Field: field, Reason: reason}
	}
	if req == nil {
		return nil, bad("request", "nil")
	}
	if err := checkMerchantID(opTransaction, "MerchantTxID", req.MerchantTxID); err != nil {
		return nil, err
	}
	country := req.CountryCode
	if country == "" {
		country = countryOf(req.Amount.Currency)
	}
	want, ok := countryCurrency(country)
	switch {
	case !ok:
		return nil, bad("CountryCode", "must be CH or GB")
	case req.Amount.Currency != want:
		return nil, bad("Amount.Currency", "must be "+string(want)+" for "+country)
	case req.Amount.Amount <= 0 || req.Amount.Amount > maxAmount:
		return nil, bad("Amount.Amount", "must be positive and fit PPRO's 32-bit amount")
	}
	if !validCode(req.BuyerIdentityCode) {
		return nil, bad("BuyerIdentityCode", "must be 16 to 24 digits")
	}
	if err := checkStoreID(opTransaction, req.StoreID); err != nil {
		return nil, err
	}
	if err := checkText(opTransaction, "StoreName", req.StoreName, true); err != nil {
		return nil, err
	}
	if err := checkText(opTransaction, "DynamicDescriptor", req.DynamicDescriptor, false); err != nil {
		return nil, err
	}
	if err := checkText(opTransaction, "AccountHolderName", req.AccountHolderName, false); err != nil {
		return nil, err
	}
	if err := checkURL("NotificationURL", req.NotificationURL, true); err != nil {
		return nil, err
	}
	if err := checkURL("MerchantRedirectURL", req.MerchantRedirectURL, false); err != nil {
		return nil, err
	}
	form := c.form(opTransaction)
	form.Set("channel", c.cred.Channel)
	form.Set("tag", Tag)
	form.Set("countrycode", country)
	form.Set("currency", string(req.Amount.Currency))
	form.Set("amount", strconv.FormatInt(req.Amount.Amount, 10))
	form.Set("merchanttxid", req.MerchantTxID)
	form.Set("notificationurl", req.NotificationURL)
	form.Set("specin.buyeridentitycode", req.BuyerIdentityCode)
	form.Set("specin.storeid", req.StoreID)
	form.Set("specin.storename", req.StoreName)
	setIf(form, "specin.dynamicdescriptor", req.DynamicDescriptor)
	setIf(form, "accountholdername", req.AccountHolderName)
	setIf(form, "merchantredirecturl", req.MerchantRedirectURL)
	return form, nil
}

func setIf(form url.Values, key, v string) {
	if v != "" {
		form.Set(key, v)
	}
}

// checkMerchantID checks a merchanttxid or merchantrefundid: 1 to 40
// letters, digits, '.', ',', '-' and '_'. PPRO writes the set as the class
// [a-zA-Z0-9.,-_]; read as a regular expression ",-_" would be a range
// taking in '/', ':', '@', '[' and more, so the literal characters are
// allowed, the safe reading.
func checkMerchantID(op, field, id string) error {
	if id == "" || len(id) > MaxMerchantTxIDLen || !allChars(id, ".,-_") {
		return &ValidationError{Op: op, Field: field, Reason: "must be 1 to 40 letters, digits, '.', ',', '-' and '_'"}
	}
	return nil
}

// checkStoreID checks a store id (specin.storeid): 1 to MaxStoreIDLen
// letters, digits, '-' and '_'.
func checkStoreID(op, id string) error {
	if id == "" || len(id) > MaxStoreIDLen || !allChars(id, "-_") {
		return &ValidationError{Op: op, Field: "StoreID", Reason: "must be 1 to 32 letters, digits, '-' and '_'"}
	}
	return nil
}

// allChars reports whether s holds only ASCII letters, digits and the
// characters in extra.
func allChars(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

// validCode accepts what an Alipay payment code can be: 16 to 24 digits.
func validCode(s string) bool {
	if len(s) < 16 || len(s) > 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func checkText(op, field, v string, required bool) error {
	switch {
	case v == "" && required:
		return &ValidationError{Op: op, Field: field, Reason: "required"}
	case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
		return &ValidationError{Op: op, Field: field, Reason: "must be UTF-8 text without control characters"}
	case utf8.RuneCountInString(v) > maxTextLen:
		return &ValidationError{Op: op, Field: field, Reason: "longer than 255 characters"}
	}
	return nil
}

func checkURL(field, v string, required bool) error {
	if v == "" {
		if required {
			return &ValidationError{Op: opTransaction, Field: field, Reason: "required"}
		}
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return &ValidationError{Op: opTransaction, Field: field, Reason: "must be an absolute http(s) URL without credentials"}
	}
	return nil
}
