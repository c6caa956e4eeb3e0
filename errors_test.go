package instore_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// barcodeCharge is a valid charge with an inline barcode source.
func barcodeCharge() *instore.ChargeParams {
	return &instore.ChargeParams{
		Amount:   400000,
		Currency: instore.THB,
		Source:   &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: "281234567890123456", StoreID: "BKK_SUK_001"},
		Metadata: map[string]string{"request_id": "9f1c2b7a"},
	}
}

// mutatingCalls are the calls that may change state, each a POST.
var mutatingCalls = []struct {
	name string
	call func(context.Context, *instore.Client) (any, error)
}{
	{"charges create", func(ctx context.Context, c *instore.Client) (any, error) {
		return c.Charges.Create(ctx, barcodeCharge())
	}},
	{"charges expire", func(ctx context.Context, c *instore.Client) (any, error) { return c.Charges.Expire(ctx, "chrg_1") }},
	{"charges mark as paid", func(ctx context.Context, c *instore.Client) (any, error) { return c.Charges.MarkAsPaid(ctx, "chrg_1") }},
	{"charges mark as failed", func(ctx context.Context, c *instore.Client) (any, error) {
		return c.Charges.MarkAsFailed(ctx, "chrg_1")
	}},
	{"refunds create", func(ctx context.Context, c *instore.Client) (any, error) {
		return c.Refunds.Create(ctx, "chrg_1", &instore.RefundParams{Amount: 100})
	}},
	{"sources create", func(ctx context.Context, c *instore.Client) (any, error) {
		return c.Sources.Create(ctx, &instore.SourceParams{Type: instore.SourceAlipayPlusMPM, Amount: 100, Currency: instore.THB})
	}},
}

// readCalls are calls that change nothing, each a GET.
var readCalls = []struct {
	name string
	call func(context.Context, *instore.Client) (any, error)
}{
	{"charges get", func(ctx context.Context, c *instore.Client) (any, error) { return c.Charges.Get(ctx, "chrg_1") }},
	{"charges list", func(ctx context.Context, c *instore.Client) (any, error) { return c.Charges.List(ctx, nil) }},
	{"sources get", func(ctx context.Context, c *instore.Client) (any, error) { return c.Sources.Get(ctx, "src_1") }},
	{"refunds get", func(ctx context.Context, c *instore.Client) (any, error) {
		return c.Refunds.Get(ctx, "chrg_1", "rfnd_1")
	}},
	{"refunds list", func(ctx context.Context, c *instore.Client) (any, error) { return c.Refunds.List(ctx, "chrg_1", nil) }},
	{"events get", func(ctx context.Context, c *instore.Client) (any, error) { return c.Events.Get(ctx, "evnt_1") }},
	{"events list", func(ctx context.Context, c *instore.Client) (any, error) { return c.Events.List(ctx, nil) }},
}

func TestAPIErrorFromOmiseErrorBodies(t *testing.T) {
	t.Parallel()
	sentinels := []error{instore.ErrNotFound, instore.ErrAuthentication, instore.ErrInvalidRequest, instore.ErrRateLimited}
	tests := []struct {
		fixture string
		status  int
		code    string
		message string
		matches error
	}{
		{"error_not_found", http.StatusNotFound, "not_found", "charge chrg_test_missing was not found", instore.ErrNotFound},
		{"error_authentication_failure", http.StatusUnauthorized, "authentication_failure", "authentication failed", instore.ErrAuthentication},
		{"error_bad_request", http.StatusBadRequest, "bad_request", "amount must be greater than or equal to 2000", instore.ErrInvalidRequest},
		{"error_invalid_charge", http.StatusBadRequest, "invalid_charge", "currency is currently not supported", instore.ErrInvalidRequest},
		{"error_failed_expire", http.StatusBadRequest, "failed_expire", "expire failed", nil},
		{"error_bad_request", http.StatusTooManyRequests, "bad_request", "amount must be greater than or equal to 2000", instore.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, tt.status, tt.fixture)
			ch, err := f.client(t, instore.WithMaxRetries(0)).Charges.Get(t.Context(), "chrg_1")
			assert.Nil(t, ch)
			var apiErr *instore.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.True(t, strings.HasPrefix(apiErr.Location, "https://www.omise.co/api-errors#"), apiErr.Location)
			assert.Equal(t, "req-0001", apiErr.RequestID)
			assert.False(t, apiErr.OutcomeUnknown)
			require.NotErrorIs(t, err, instore.ErrOutcomeUnknown)
			for _, s := range sentinels {
				if errors.Is(tt.matches, s) || (errors.Is(s, instore.ErrInvalidRequest) && tt.code == "bad_request") {
					require.ErrorIs(t, err, s)
				} else {
					require.NotErrorIs(t, err, s)
				}
			}
			assert.True(t, strings.HasPrefix(err.Error(), "instore: omise: "), err.Error())
			assert.Contains(t, err.Error(), tt.code)
		})
	}
}

func TestAPIErrorFromAProxyPage(t *testing.T) {
	t.Parallel()
	page := "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n" +
		"<hr><center>nginx</center>\n" + strings.Repeat("<!-- padding -->\n", 100) + "</body>\n</html>\n"
	f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(page))
	})
	c := f.client(t, instore.WithMaxRetries(0))

	_, err := c.Charges.Get(t.Context(), "chrg_1")
	var apiErr *instore.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	assert.Empty(t, apiErr.Code)
	assert.Equal(t, "502 Bad Gateway 502 Bad Gateway nginx", apiErr.Message)
	assert.False(t, apiErr.OutcomeUnknown, "a GET changes nothing")
	for _, s := range []error{instore.ErrNotFound, instore.ErrAuthentication, instore.ErrInvalidRequest, instore.ErrOutcomeUnknown} {
		require.NotErrorIs(t, err, s)
	}

	_, err = c.Charges.Create(t.Context(), barcodeCharge())
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, apiErr.OutcomeUnknown, "a 5xx to a POST: the charge may exist")
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	assert.Contains(t, err.Error(), "outcome unknown")
}

func TestAPIErrorSnippetIsShortAndPrintable(t *testing.T) {
	t.Parallel()
	body := "\x00\x1b[31mpanic: runtime error\x7f\n\tgoroutine 1 [running]:\n" + strings.Repeat("é\xff", 500)
	f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(body))
	})
	_, err := f.client(t, instore.WithMaxRetries(0)).Events.Get(t.Context(), "evnt_1")
	var apiErr *instore.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.LessOrEqual(t, len(apiErr.Message), 200)
	assert.True(t, strings.HasPrefix(apiErr.Message, "[31mpanic: runtime error goroutine 1 [running]: é"), apiErr.Message)
	assert.True(t, strings.HasSuffix(apiErr.Message, "..."))
	for _, r := range err.Error() {
		assert.True(t, unicode.IsPrint(r), "printable: %q", r)
	}
}

func TestServerErrorOnEveryPostIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout} {
		for _, tt := range mutatingCalls {
			f := newFake(t, status, "error_bad_request")
			got, err := tt.call(t.Context(), f.client(t))
			require.Error(t, err, tt.name)
			assert.Nil(t, got, tt.name)
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "%s %d", tt.name, status)
			assert.Len(t, f.requests(), 1, "%s %d: a POST answered with a 5xx is not sent again", tt.name, status)
		}
	}
	// A 4xx is a refusal: the state did not change.
	for _, tt := range mutatingCalls {
		f := newFake(t, http.StatusBadRequest, "error_failed_expire")
		_, err := tt.call(t.Context(), f.client(t))
		require.Error(t, err)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, tt.name)
	}
}

func TestUnreadableSuccessIsADecodeError(t *testing.T) {
	t.Parallel()
	full := string(fixture(t, "charge_pending"))
	bodies := []struct {
		name string
		body string
	}{
		{"truncated", full[:len(full)/2]},
		{"empty", ""},
		{"html", "<html>welcome to the hotel wifi</html>"},
		{"an object without an id", `{"object":"charge","amount":400000}`},
		{"another object", `{"object":"refund","id":"rfnd_1"}`},
		{"an error object with 200", `{"object":"error","code":"not_found","message":"x"}`},
		{"wrong types", `{"id":"chrg_1","amount":"400000"}`},
		{"a bad time", `{"id":"chrg_1","created_at":"yesterday"}`},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
				w.Header().Set("X-Request-Id", "req-7")
				_, _ = w.Write([]byte(b.body))
			})
			c := f.client(t)
			ch, err := c.Charges.Create(t.Context(), barcodeCharge())
			assert.Nil(t, ch, "no half-filled charge")
			var de *instore.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, http.StatusOK, de.StatusCode)
			assert.Equal(t, "req-7", de.RequestID)
			assert.True(t, de.OutcomeUnknown)
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown, "the charge exists but could not be read")

			ch, err = c.Charges.Get(t.Context(), "chrg_1")
			assert.Nil(t, ch)
			require.ErrorAs(t, err, &de)
			require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "a GET changes nothing")
			assert.Len(t, f.requests(), 2, "decode errors are not retried")
		})
	}
}

func TestUnreadableListIsADecodeError(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"id":"chrg_1"}`,
		`{"object":"list","total":1,"data":[null]}`,
		`{"object":"list","total":1,"data":[{"object":"charge"}]}`,
	} {
		f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) { _, _ = w.Write([]byte(body)) })
		l, err := f.client(t).Charges.List(t.Context(), nil)
		assert.Nil(t, l)
		var de *instore.DecodeError
		require.ErrorAs(t, err, &de, body)
	}
}

func TestErrorsMatchWithErrorsAs(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusNotFound, "error_not_found")
	_, err := f.client(t).Refunds.Get(t.Context(), "chrg_1", "rfnd_1")
	wrapped := errors.Join(errors.New("refund lookup"), err)
	var apiErr *instore.APIError
	require.ErrorAs(t, wrapped, &apiErr)
	require.ErrorIs(t, wrapped, instore.ErrNotFound)
}
