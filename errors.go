package instore

import "github.com/instorepay/instore/internal/transport"

// ErrOutcomeUnknown reports that a request which may change state (creating a
// charge, paying) may have been processed, but no answer that can be trusted
// came back: the connection dropped after the request was written, an attempt
// timed out, or the server failed with a 5xx. The caller must look the
// payment up, never send it again blindly.
var ErrOutcomeUnknown = transport.ErrOutcomeUnknown
