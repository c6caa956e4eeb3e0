package redact

// JSON returns raw JSON with the content of every string in it masked as
// Text masks (runs of MinCodeDigits or more digits, Omise key shapes), and
// nothing else changed: numbers, names and structure stay, so the result is
// still valid JSON when raw was. It is for JSON kept from a server and then
// printed: an Omise event's data holds the charge and the code it was paid
// with. raw itself is never modified; when nothing is masked it is returned
// as it is.
func JSON(raw []byte) []byte {
	var out []byte
	done := 0 // raw[:done] is in out
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		start, end := i+1, i+1
		for end < len(raw) && raw[end] != '"' {
			if raw[end] == '\\' {
				end++
			}
			end++
		}
		end = min(end, len(raw))
		s := string(raw[start:end])
		if m := redactKeyShapes(maskDigitRuns(s)); m != s {
			out = append(append(out, raw[done:start]...), m...)
			done = end
		}
		i = end
	}
	if out == nil {
		return raw
	}
	return append(out, raw[done:]...)
}
