package instore

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/instorepay/instore/internal/redact"
)

// Errors returned by [ClassifyPaymentCode]. They are wrapped with a short
// reason that never contains the code; match them with [errors.Is].
var (
	// ErrInvalidPaymentCode reports input that is not a payment code at all:
	// empty, or holding something other than digits once spaces, tabs, CR,
	// LF and dashes are removed (a URL, a QR payload, a stray character from
	// the scanner).
	ErrInvalidPaymentCode = errors.New("instore: invalid payment code")
	// ErrUnknownWallet reports a code made of digits that matches no wallet
	// the SDK knows, such as a Japanese domestic code or a loyalty card.
	ErrUnknownWallet = errors.New("instore: payment code of an unknown wallet")
)

// Wallet is the family of wallets a payment code belongs to, which decides
// the acquirer and the payment method that can charge it.
type Wallet string

// Wallet families [ClassifyPaymentCode] recognises.
const (
	// WalletAlipay is Alipay CN, Alipay HK and the Alipay+ partner wallets
	// (KakaoPay, GCash, Touch 'n Go, TrueMoney, ...). Their codes share one
	// prefix space and cannot be told apart from the digits, so every
	// acquirer takes them under one method (Omise alipayplus_upm).
	WalletAlipay Wallet = "alipay"
	// WalletWeChatPay is WeChat Pay, mainland and Hong Kong users.
	WalletWeChatPay Wallet = "wechat_pay"
	// WalletUnionPay is UnionPay QuickPass (云闪付).
	WalletUnionPay Wallet = "unionpay"
)

// CodeFormat names the documented layout a payment code matched. It is
// metadata for logs and reports; route payments by [Wallet], not by it.
type CodeFormat string

// Code layouts [ClassifyPaymentCode] recognises.
const (
	// CodeFormatWeChatPay is a WeChat Pay Quick Pay code: 18 digits
	// starting 10 to 15, where 15 marks a WeChat Pay HK user.
	CodeFormatWeChatPay CodeFormat = "wechat_pay"
	// CodeFormatAlipay is any other Alipay-family code of 16 to 24 digits
	// starting 25 to 30: AlipayCN, AlipayHK or a legacy Alipay+ layout.
	// These layouts overlap, so the digits alone cannot say which.
	CodeFormatAlipay CodeFormat = "alipay"
	// CodeFormatAlipayPlus19 is the Alipay+ 19-digit code: 289, ten digits,
	// a 6, five digits (for example 2893612204263667830).
	CodeFormatAlipayPlus19 CodeFormat = "alipayplus_19"
	// CodeFormatAlipayPlusCGCP is the 24-digit Alipay+ mainstream (CGCP)
	// code: a 6-digit code issuer identifier whose digits 4 to 6 are the
	// routing number of the wallet, a 2-digit business type, and a 16-digit
	// user number.
	CodeFormatAlipayPlusCGCP CodeFormat = "alipayplus_cgcp"
	// CodeFormatUnionPay is a UnionPay QuickPass code: 19 digits starting 62.
	CodeFormatUnionPay CodeFormat = "unionpay"
)

// Bounds of the Alipay-family rule. The Alipay+ specification allows codes of
// 17 to 32 digits but reserves 20-23 and 25-32 for future use, and AlipayCN
// codes may have 16: 16 to 24 is every length in use today. Widen it here when
// Alipay+ starts issuing longer codes.
const (
	minAlipayDigits = 16
	maxAlipayDigits = 24
	maxCodeDigits   = maxAlipayDigits // the longest code any rule accepts
)

// PaymentCode is a classified consumer-presented payment code.
//
// A payment code is a one-time secret: whoever holds it can spend from the
// customer's wallet until it expires. A PaymentCode prints masked, showing at
// most its first and last four digits, through String (so fmt's %v, %+v, %s,
// %q, %x and %X, also inside other structs and slices), GoString (%#v),
// slog and encoding/json or any other text encoder. Only the Digits field
// holds the code, for the acquirer call: never log Digits itself, and print
// a PaymentCode with those verbs only. (It cannot implement [fmt.Formatter],
// since its Format field takes that method's name, so a verb that makes no
// sense for it, such as %d, prints the raw fields; go vet reports that
// misuse.)
type PaymentCode struct {
	// Digits is the normalised code: digits only, with the spaces, dashes,
	// tabs and scanner CR/LF of the raw input removed.
	Digits string
	Wallet Wallet
	Format CodeFormat
	// RoutingNumber is digits 4 to 6 of a 24-digit Alipay+ (CGCP) code,
	// which identify the wallet to Alipay+, and "" for other formats.
	RoutingNumber string
}

// ClassifyPaymentCode normalises a scanned payment code and tells which
// wallet issued it. Normalising drops ASCII spaces, tabs, CR, LF and dashes;
// what is left must be ASCII digits, or the error matches
// [ErrInvalidPaymentCode]. The first rule that matches wins:
//
//   - WeChat Pay: 18 digits starting 10 to 15;
//   - Alipay family: 16 to 24 digits starting 25 to 30, with [PaymentCode.Format]
//     telling the documented layout (Alipay+ 19-digit, 24-digit CGCP with its
//     routing number, or generic);
//   - UnionPay QuickPass: 19 digits starting 62.
//
// Digits that match no rule are [ErrUnknownWallet]; that includes the WeChat
// "fusion wallet" codes starting 160 and Alipay+ lengths reserved for future
// use. No checksum is applied: none of these codes has one.
//
// ClassifyPaymentCode is pure, never panics and does not allocate when the
// input needs no normalising beyond trimming.
func ClassifyPaymentCode(raw string) (PaymentCode, error) {
	if allDigits(raw) {
		return classifyDigits(raw) // the common case: nothing to normalise
	}
	// Separators around the code, such as a scanner's CR/LF suffix, are cut
	// off without copying: the code stays a substring of raw.
	start, end := 0, len(raw)
	for start < end && isSeparator(raw[start]) {
		start++
	}
	for end > start && isSeparator(raw[end-1]) {
		end--
	}
	s := raw[start:end]
	if allDigits(s) {
		return classifyDigits(s)
	}

	// Separators inside the code, or something that is not a code.
	var buf [maxCodeDigits]byte
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			if n < len(buf) {
				buf[n] = c
			}
			n++
		case !isSeparator(c):
			return PaymentCode{}, fmt.Errorf("%w: unexpected character at offset %d", ErrInvalidPaymentCode, start+i)
		}
	}
	switch {
	case n == 0:
		return PaymentCode{}, fmt.Errorf("%w: no digits", ErrInvalidPaymentCode)
	case n > len(buf):
		return PaymentCode{}, unknownWallet(n)
	}
	return classifyDigits(string(buf[:n]))
}

// isSeparator reports whether normalising drops c.
func isSeparator(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-'
}

// allDigits reports whether s is non-empty and all ASCII digits. It tests
// eight bytes at a time: every byte has the high nibble 3, and adding 6
// carries no low nibble into the high one, so each low nibble is at most 9.
// The last eight bytes are tested as one word even when that overlaps the
// word before, which leaves no byte-by-byte tail for codes of 8 digits or
// more.
func allDigits(s string) bool {
	if len(s) < 8 {
		for i := 0; i < len(s); i++ {
			if s[i]-'0' > 9 {
				return false
			}
		}
		return s != ""
	}
	for i := 0; i+8 < len(s); i += 8 {
		if !digitWord(s[i : i+8]) {
			return false
		}
	}
	return digitWord(s[len(s)-8:])
}

// digitWord reports whether the 8 bytes of w are ASCII digits. The
// compiler merges the byte loads into one.
func digitWord(w string) bool {
	const (
		high  = 0xF0F0F0F0F0F0F0F0
		zeros = 0x3030303030303030
		sixes = 0x0606060606060606
	)
	_ = w[7]
	x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	return x&high == zeros && (x+sixes)&high == zeros
}

// classifyDigits applies the wallet rules to d, which holds ASCII digits
// only. The rules and their sources, in order:
//
//   - WeChat Pay ^1[0-5]\d{16}$: WeChat Pay Quick Pay API, auth_code
//     (pay.weixin.qq.com/wiki/doc/api/wxpay/en/pages/QuickPay.shtml).
//   - Alipay family ^(2[5-9]|30)\d{14,22}$: Alipay+ ACQP "Alipay+ payment
//     codes" (docs.alipayplus.com, integration_user_mode_acq/payment_codes)
//     and Alipay spot_pay buyer_identity_code ("16 - 24 digits ... starts
//     with 25-30"). Alipay+ 19-digit ^289\d{10}6\d{5}$ and the 24-digit CGCP
//     layout with its routing number come from the same page and the Alipay+
//     code format standard (code_scanning_payment_standards_acq/code_format).
//   - UnionPay QuickPass ^62\d{17}$: open-source POS code only (jeepay
//     JeepayKit.getPayWayCodeByBarCode); UnionPay publishes no rule.
//
// The prefix ranges 10-15, 25-30 and 62 are disjoint, so the order only
// matters for readers.
func classifyDigits(d string) (PaymentCode, error) {
	n := len(d)
	switch {
	case n == 18 && d[0] == '1' && d[1] <= '5':
		return PaymentCode{Digits: d, Wallet: WalletWeChatPay, Format: CodeFormatWeChatPay}, nil

	case n >= minAlipayDigits && n <= maxAlipayDigits &&
		((d[0] == '2' && d[1] >= '5') || (d[0] == '3' && d[1] == '0')):
		p := PaymentCode{Digits: d, Wallet: WalletAlipay, Format: CodeFormatAlipay}
		switch {
		case n == 24:
			p.Format = CodeFormatAlipayPlusCGCP
			p.RoutingNumber = d[3:6]
		case n == 19 && d[1] == '8' && d[2] == '9' && d[13] == '6':
			p.Format = CodeFormatAlipayPlus19
		}
		return p, nil

	case n == 19 && d[0] == '6' && d[1] == '2':
		return PaymentCode{Digits: d, Wallet: WalletUnionPay, Format: CodeFormatUnionPay}, nil
	}
	return PaymentCode{}, unknownWallet(n)
}

func unknownWallet(n int) error {
	return fmt.Errorf("%w: %d digits match no rule", ErrUnknownWallet, n)
}

// String returns the code masked for people and logs: its first four and
// last four digits with a '*' for each digit in between
// ("2893***********7830"). A code shorter than 16 characters, which no
// wallet issues, is all stars, so that the masked part is never the smaller.
func (p PaymentCode) String() string {
	return redact.Code(p.Digits)
}

// GoString is the %#v form: the struct literal with Digits masked.
func (p PaymentCode) GoString() string {
	return "instore.PaymentCode{Digits:" + strconv.Quote(p.String()) +
		", Wallet:" + strconv.Quote(string(p.Wallet)) +
		", Format:" + strconv.Quote(string(p.Format)) +
		", RoutingNumber:" + strconv.Quote(p.RoutingNumber) + "}"
}

// LogValue implements [slog.LogValuer]: a code logged as an attribute is a
// group of its masked digits, wallet, format and routing number, with every
// handler, JSON included.
func (p PaymentCode) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 4)
	attrs = append(attrs,
		slog.String("digits", p.String()),
		slog.String("wallet", string(p.Wallet)),
		slog.String("format", string(p.Format)))
	if p.RoutingNumber != "" {
		attrs = append(attrs, slog.String("routing_number", p.RoutingNumber))
	}
	return slog.GroupValue(attrs...)
}

// MarshalText implements [encoding.TextMarshaler] with the masked code, so
// that a PaymentCode inside a struct encoded to JSON or text for a log, a
// report or a queue never carries the digits. There is deliberately no
// UnmarshalText: a code is spent within minutes and must not be stored.
func (p PaymentCode) MarshalText() ([]byte, error) {
	return []byte(p.String()), nil
}
