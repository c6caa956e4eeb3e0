package alipayplus

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/instorepay/instore/internal/rsasig"
	"github.com/instorepay/instore/internal/transport"
)

// decodeFunc decodes a response body into the call's response, which it
// keeps, and returns its result and the request id the response echoes
// ("" when it echoes none). An error wraps ErrMalformedResponse.
type decodeFunc func(body []byte) (res *Result, echoedID string, err error)

// call signs body once, sends those exact bytes (and the same headers) on
// every attempt, and decides whether the answer can be trusted:
//
//   - a valid signature and a readable result: the result, whatever the
//     HTTP status (nil error);
//   - a Signature header that does not verify: ErrInvalidSignature;
//   - no signature: an S result is ErrUnsignedResponse; an F or U result is
//     an *UnverifiedResultError; an unreadable body is ErrUnexpectedStatus
//     (non-2xx) or ErrMalformedResponse;
//   - no answer at all: the network error or the context's.
//
// Errors of state-changing calls match ErrOutcomeUnknown whenever the
// request may have reached the gateway, on any attempt: once one attempt may
// have arrived, a later attempt that fails before it is written, or that is
// refused (a 429, a 5xx, an unsigned or unreadable body), says nothing of
// it. Only a signed, verified, readable result is trusted, even after an
// earlier attempt may have arrived: the gateway deduplicates by
// paymentRequestId and refundRequestId, so its answer speaks for the
// request id, not for the attempt.
func (c *Client) call(ctx context.Context, ep *endpoint, requestID, expectID string, body []byte, decode decodeFunc) error {
	reqTime := strconv.FormatInt(time.Now().UnixMilli(), 10)
	msg := rsasig.Message{Method: http.MethodPost, Path: ep.path, ClientID: c.clientID, Time: reqTime}
	sig, err := rsasig.Sign(c.key, &msg, body)
	if err != nil {
		return &Error{Op: ep.name, Err: err}
	}
	h := http.Header{
		rsasig.HeaderContentType: {rsasig.ContentType},
		rsasig.HeaderClientID:    {c.clientID},
		rsasig.HeaderRequestTime: {reqTime},
		rsasig.HeaderSignature:   {rsasig.FormatHeader(c.keyVersion, sig)},
	}
	resp, err := c.tr.Do(ctx, &transport.Request{
		Method:     http.MethodPost,
		URL:        ep.url,
		Header:     h,
		Body:       body,
		Idempotent: true, // by paymentRequestId / refundRequestId
		RequestID:  requestID,
	})
	if err != nil {
		var te *transport.Error
		if errors.As(err, &te) {
			// The transport counts a request as unsent only on httptrace's
			// evidence, which a RoundTripper other than net/http's may
			// never give, and only when no earlier attempt may have
			// arrived; otherwise the outcome is unknown.
			return &Error{Op: ep.name, Attempts: te.Attempts, OutcomeUnknown: ep.changesState && te.OutcomeUnknown, Err: te.Err}
		}
		// Not expected from transport; assume the worst.
		return &Error{Op: ep.name, OutcomeUnknown: ep.changesState, Err: err}
	}
	return c.interpret(ctx, ep, requestID, expectID, resp, decode)
}

// interpret decides whether resp can be trusted. It needs no look at
// resp.EarlierAttemptMayHaveArrived: an answer it does not trust is an
// unknown outcome for a state-changing call even on a first attempt, and
// one it trusts speaks for the request id.
func (c *Client) interpret(ctx context.Context, ep *endpoint, requestID, expectID string, resp *transport.Response, decode decodeFunc) error {
	fail := func(cause error) error {
		c.logUntrusted(ctx, ep, requestID, resp.StatusCode, cause)
		return &Error{Op: ep.name, StatusCode: resp.StatusCode, Attempts: resp.Attempts, OutcomeUnknown: ep.changesState, Err: cause}
	}
	ok2xx := resp.StatusCode >= 200 && resp.StatusCode < 300

	if _, signed := resp.Header[rsasig.HeaderSignature]; signed {
		if err := c.verifyResponse(ep, resp); err != nil {
			return fail(err)
		}
		res, echoed, err := decode(resp.Body)
		if err != nil {
			return fail(err)
		}
		if res.ResultStatus == ResultSuccess && !ok2xx {
			// A signed success under an error status contradicts itself;
			// let an inquiry settle it.
			return fail(ErrUnexpectedStatus)
		}
		if expectID != "" && echoed != "" && echoed != expectID {
			return fail(ErrMismatchedResponse)
		}
		return nil
	}

	res, _, err := decode(resp.Body)
	if err != nil {
		if !ok2xx {
			return fail(ErrUnexpectedStatus)
		}
		return fail(err)
	}
	if res.ResultStatus == ResultSuccess {
		return fail(ErrUnsignedResponse)
	}
	c.logUntrusted(ctx, ep, requestID, resp.StatusCode, ErrUnsignedResponse)
	return &UnverifiedResultError{Op: ep.name, StatusCode: resp.StatusCode, Result: *res, OutcomeUnknown: ep.changesState}
}

// verifyResponse checks the response signature over
// "POST <path>\n<Client-Id>.<Response-Time>.<body>". The Client-Id must be
// ours: a response signed for another client is not an answer to us.
func (c *Client) verifyResponse(ep *endpoint, resp *transport.Response) error {
	clientID := resp.Header.Get(rsasig.HeaderClientID)
	respTime := resp.Header.Get(rsasig.HeaderResponseTime)
	if clientID != c.clientID || respTime == "" {
		return ErrInvalidSignature
	}
	h, err := rsasig.ParseHeader(resp.Header.Get(rsasig.HeaderSignature))
	if err != nil {
		return ErrInvalidSignature
	}
	m := rsasig.Message{Method: http.MethodPost, Path: ep.path, ClientID: clientID, Time: respTime}
	if rsasig.Verify(c.alipayKey, &m, resp.Body, h.Signature) != nil {
		return ErrInvalidSignature
	}
	return nil
}

func (c *Client) logUntrusted(ctx context.Context, ep *endpoint, requestID string, status int, cause error) {
	if c.logger == nil {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelWarn, "alipayplus: untrusted response",
		slog.String("method", http.MethodPost),
		slog.String("path", ep.path),
		slog.Int("status", status),
		slog.String("request_id", requestID),
		slog.String("acquirer", "alipayplus"),
		slog.String("step", ep.name),
		slog.String("error", cause.Error()),
	)
}
