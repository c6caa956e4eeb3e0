// Package redact keeps secrets and payment codes out of what the SDK prints.
// It holds the one sanitiser every client runs text from an acquirer
// through (Text), the masking of a payment code (Code), and the helper the
// exported types print their masked copies with (Format).
//
// The rule it serves, from the design: a key, a signature, a password or a
// full payment code never reaches a log line, an error string or a printed
// value. Text from an acquirer is anyone's text: a decline message may
// echo the code, hide it between invisible characters, or carry bidi
// controls that make a log line read differently from what it holds.
package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Redacted replaces a secret in text.
const Redacted = "[redacted]"

// MinCodeDigits is the shortest run of digits Text masks as a payment code.
// Wallet codes are 16 to 24 digits; 12 leaves a margin for a code cut short
// and still spares amounts, dates and most ids.
const MinCodeDigits = 12

// keepDigits is how many digits a mask keeps at each end of a code: the
// first four tell the wallet, the last four match a receipt.
const keepDigits = 4

// Caps for acquirer text, in bytes, before the "..." that marks a cut.
const (
	// MaxMessage caps a message (Omise failure_message and error message,
	// Alipay+ resultMessage, PPRO ERRMSG). The longest documented ones are
	// well under 200 bytes; PPRO caps ERRMSG at 128 characters.
	MaxMessage = 256
	// MaxCode caps a code or a reason (failure_code, resultCode,
	// FAILREASON): documented ones are upper-case words under 40 bytes.
	MaxCode = 64
)

// ellipsis marks text that was cut.
const ellipsis = "..."

// Text returns s fit for a Payment, an error string or a log line:
//
//   - each secret given, and every token shaped like an Omise key (skey_...,
//     pkey_...), is replaced with [Redacted]. Secrets are replaced both
//     before and after the cleaning: before, so that one the cleaning would
//     alter (a password holding a tab, a double space or an invisible
//     character) is still found as given; after, so that no invisible
//     character can split one past the match;
//   - invalid UTF-8 is replaced with U+FFFD;
//   - whitespace (tabs, line breaks, Unicode spaces) becomes one ASCII space,
//     and leading and trailing space is dropped;
//   - control characters, bidi controls (U+202A-U+202E, U+2066-U+2069,
//     U+200E, U+200F, U+061C) and every other invisible format, private-use
//     or unassigned character are removed;
//   - every run of MinCodeDigits or more digits is masked like a payment
//     code, its first and last four digits kept and the rest '*'. A single
//     space or '-' between digits does not end a run, so a code printed in
//     groups is masked too;
//   - the result is cut to at most maxLen bytes on a character boundary,
//     then "..." is appended; masking comes first, so a cut never leaves a
//     code unmasked.
//
// Text never fails and never panics, whatever s holds.
func Text(s string, maxLen int, secrets ...string) string {
	if s == "" {
		return ""
	}
	// Twice, as the doc says: each pass finds secrets the other cannot.
	s = replaceSecrets(s, secrets)
	s = clean(s)
	s = replaceSecrets(s, secrets)
	// Key shapes only once the text is clean: a bidi control inside a key
	// would otherwise end the token early and leave the rest of the key.
	s = redactKeyShapes(s)
	s = maskDigitRuns(s)
	return cut(s, maxLen)
}

func replaceSecrets(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Redacted)
		}
	}
	return s
}

// redactKeyShapes replaces every token that starts like an Omise key
// ("skey_" or "pkey_", the test and live forms alike) up to the end of its
// run of letters, digits and underscores: a key the caller did not name (a
// proxy quoting another merchant's) is still a key.
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
			b.WriteString(Redacted)
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

// IsBidi reports the bidi controls that can reorder how a line displays.
// They are all format characters, which clean removes anyway; the list is
// what the removal must at least cover.
func IsBidi(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return r == 0x200E || r == 0x200F || r == 0x061C
}

// clean applies the character rules of Text: invalid UTF-8 replaced,
// whitespace collapsed, invisible characters removed.
func clean(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			// One replacement for each run of invalid bytes.
			for i < len(s) {
				r2, size2 := utf8.DecodeRuneInString(s[i:])
				if r2 != utf8.RuneError || size2 > 1 {
					break
				}
				i++
			}
			r = utf8.RuneError
		} else {
			i += size
		}
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case !unicode.IsGraphic(r) || IsBidi(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isPlain reports text that clean would return unchanged: printable ASCII
// without leading, trailing or doubled spaces. Most acquirer text is.
func isPlain(s string) bool {
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || c == ' ' && s[i+1] == ' ' {
			return false
		}
	}
	return true
}

// maskDigitRuns masks every run of MinCodeDigits or more ASCII digits,
// where a single space or '-' between two digits continues the run.
func maskDigitRuns(s string) string {
	var b []byte
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		start, digits, end := i, 0, i
		for j := i; j < len(s); j++ {
			switch {
			case isDigit(s[j]):
				digits++
				end = j + 1
				continue
			case (s[j] == ' ' || s[j] == '-') && j+1 < len(s) && isDigit(s[j+1]):
				// s[j-1] is a digit: the run starts on one, and passes a
				// separator only when a digit follows it.
				continue
			}
			break
		}
		if digits >= MinCodeDigits {
			if b == nil {
				b = []byte(s)
			}
			n := 0
			for k := start; k < end; k++ {
				if isDigit(b[k]) {
					n++
					if n > keepDigits && n <= digits-keepDigits {
						b[k] = '*'
					}
				}
			}
		}
		i = end
	}
	if b == nil {
		return s
	}
	return string(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// cut returns s whole when it fits in maxLen bytes, else its longest prefix
// that does and ends on a character boundary, followed by "...".
func cut(s string, maxLen int) string {
	if len(s) <= maxLen {
		return s
	}
	maxLen = max(maxLen, 0)
	for maxLen > 0 && !utf8.RuneStart(s[maxLen]) {
		maxLen--
	}
	return strings.TrimRight(s[:maxLen], " ") + ellipsis
}

// Code masks a payment code for printing: its first and last four
// characters with a '*' for each one between, and all stars when it is
// shorter than 16 characters (no wallet issues such a code), so that the
// hidden part is never the smaller.
func Code(code string) string {
	const minKeep = 4 * keepDigits
	if !isASCII(code) {
		return strings.Repeat("*", utf8.RuneCountInString(code))
	}
	b := []byte(strings.Repeat("*", len(code)))
	if len(code) >= minKeep {
		copy(b, code[:keepDigits])
		copy(b[len(code)-keepDigits:], code[len(code)-keepDigits:])
	}
	return string(b)
}

// Secret is what a secret prints as: [Redacted] when it is set, "" when it
// is not, so that a printed value still tells whether it was configured.
func Secret(s string) string {
	if s == "" {
		return ""
	}
	return Redacted
}
