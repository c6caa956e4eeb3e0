package instoretest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// pproField is one key=value pair of an answer.
type pproField struct{ key, value string }

// pproAnswer is an urlencodeext answer, in the order the keys are written.
type pproAnswer []pproField

// answerLocked writes a as PPRO does: key=value pairs joined by '&', values
// percent-encoded (spaces as %20, as in PPRO's examples), with a
// RAND<digits> key holding 40 hex characters. The keys come in an order
// that changes from answer to answer, the RAND key included, so that a
// client reading by position fails. p.mu is held (the draws come from the
// simulator's seeded source).
func (p *PPRO) answerLocked(a pproAnswer) reply {
	const hexDigits = "0123456789abcdef"
	var randValue [40]byte
	for i := range randValue {
		randValue[i] = hexDigits[p.rng.IntN(16)]
	}
	all := make(pproAnswer, 0, len(a)+1)
	all = append(all, a...)
	all = append(all, pproField{"RAND" + strconv.FormatUint(uint64(p.rng.Uint32()), 10), string(randValue[:])})
	p.rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var b strings.Builder
	for i, f := range all {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(f.key)
		b.WriteByte('=')
		b.WriteString(pproEscape(f.value))
	}
	h := make(http.Header)
	h.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
	return reply{status: http.StatusOK, header: h, body: []byte(b.String())}
}

// pproEscape percent-encodes an answer's value, spaces as %20 as in PPRO's
// examples.
func pproEscape(v string) string { return strings.ReplaceAll(url.QueryEscape(v), "+", "%20") }

// pproChars reports whether s holds only ASCII letters, digits and the
// characters in extra.
func pproChars(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

// pproMerchantID checks a merchanttxid or merchantrefundid: at most 40 of
// [a-zA-Z0-9.,-_], read as the literal characters (reference ppro.md §2.5).
func pproMerchantID(id string) bool {
	return id != "" && len(id) <= 40 && pproChars(id, ".,-_")
}

// pproAmount parses an amount: a positive int32 of minor units.
func pproAmount(s string) (int64, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil && v > 0 && v <= 1<<31-1
}

// pproCurrencyOf is the processing currency of each country of the Alipay
// in-store method (seed document: CH and GB; CHF and GBP).
func pproCurrencyOf(country string) string {
	switch country {
	case "CH":
		return "CHF"
	case "GB":
		return "GBP"
	}
	return ""
}
