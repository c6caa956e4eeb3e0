package instoreotel

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
)

// NewTransport wraps base (http.DefaultTransport when nil) with otelhttp,
// for the *http.Client given to the SDK's clients: each HTTP attempt is a
// client span, a child of the acquirer call's span. It keeps the evidence
// the clients' retry rule depends on (see the package documentation).
//
// Before opts, it sets two defaults of its own: no span for a request whose
// URL carries a secret (an Omise document download, whose path holds a
// download token that otelhttp would record in url.full), and no trace
// context sent to the acquirers, which are third parties. Give
// otelhttp.WithPropagators to send it anyway. The tracer and meter
// providers default to the globals; spans follow the provider of the span
// in the request's context when none is given (otelhttp's rule).
func NewTransport(base http.RoundTripper, opts ...otelhttp.Option) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	all := append([]otelhttp.Option{
		otelhttp.WithFilter(noSecretInURL),
		otelhttp.WithPropagators(propagation.NewCompositeTextMapPropagator()),
	}, opts...)
	return otelhttp.NewTransport(base, all...)
}

// noSecretInURL reports whether a request's URL may be recorded: not an
// Omise document download (GET /charges/{id}/documents/{id}/downloads/
// {token}), whose last segment is a bearer token.
func noSecretInURL(r *http.Request) bool {
	return !strings.Contains(r.URL.Path, "/downloads/")
}
