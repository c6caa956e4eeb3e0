package instore

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// redacted replaces a secret in text taken from a server's answer.
const redacted = "[redacted]"

// minCodeDigits is the shortest digit run treated as a payment code. Wallet
// payment codes are 16 to 24 digits; amounts, timestamps and ids are shorter
// or not all digits.
const minCodeDigits = 16

// sanitize makes text from a server's answer (an error message, a body
// snippet, a header) safe for an error string and a log line: each secret
// given (the keys of the call, their Basic-auth form, a payment code) and
// anything shaped like an Omise key (skey_..., pkey_...) is replaced, digit
// runs as long as a payment code are masked, invalid UTF-8 and control
// characters are removed, whitespace is collapsed, and the result is cut to
// at most maxLen bytes, plus "..." when something was cut. Secrets are removed
// before cutting, so no prefix of one survives.
func sanitize(s string, maxLen int, secrets []string) string {
	if s == "" {
		return ""
	}
	s = strings.ToValidUTF8(s, "?")
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	s = redactKeyShapes(s)
	s = maskDigitRuns(s)

	var b strings.Builder
	b.Grow(min(len(s), maxLen+3))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError || !unicode.IsPrint(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			if b.Len()+1 > maxLen {
				break
			}
			b.WriteByte(' ')
			space = false
		}
		if b.Len()+utf8.RuneLen(r) > maxLen {
			b.WriteString("...")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// redactKeyShapes replaces every token that starts like an Omise key
// ("skey_" or "pkey_", the test and live forms alike) up to the end of its
// run of letters, digits and underscores.
func redactKeyShapes(s string) string {
	if !strings.Contains(s, "key_") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if i+5 <= len(s) && (s[i] == 's' || s[i] == 'p') && s[i+1:i+5] == "key_" && (i == 0 || !isKeyByte(s[i-1])) {
			j := i + 5
			for j < len(s) && isKeyByte(s[j]) {
				j++
			}
			b.WriteString(redacted)
			i = j
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isKeyByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// maskDigitRuns keeps the first and last four digits of every run of at
// least minCodeDigits digits, the way a masked payment code is shown.
func maskDigitRuns(s string) string {
	run := 0
	found := false
	for i := 0; i < len(s) && !found; i++ {
		if '0' <= s[i] && s[i] <= '9' {
			run++
			found = run >= minCodeDigits
		} else {
			run = 0
		}
	}
	if !found {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); {
		if b[i] < '0' || b[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(b) && '0' <= b[j] && b[j] <= '9' {
			j++
		}
		if j-i >= minCodeDigits {
			for k := i + 4; k < j-4; k++ {
				b[k] = '*'
			}
		}
		i = j
	}
	return string(b)
}
