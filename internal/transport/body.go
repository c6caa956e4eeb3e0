package transport

import (
	"io"
)

// readBody reads a response body of at most limit bytes. A body that says or
// turns out to be larger is ErrBodyTooLarge, and at most limit+1 bytes are ever
// held: a hostile or broken server cannot make the client allocate what it
// sends.
func readBody(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if contentLength > limit {
		return nil, ErrBodyTooLarge
	}
	if contentLength >= 0 {
		// net/http stops a body with a Content-Length at that length and
		// reports a short one as io.ErrUnexpectedEOF, so one exact read is
		// enough.
		b := make([]byte, contentLength)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}
