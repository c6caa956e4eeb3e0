package instore_test

import (
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestNewClientRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
		opts []instore.Option
	}{
		{"empty key", "", nil},
		{"key with a newline", testSecretKey + "\n", nil},
		{"key with a colon", "skey_test_a:b", nil},
		{"key with a space", "skey test", nil},
		{"public key given as the secret key", testPublicKey, nil},
		{"nil option", testSecretKey, []instore.Option{nil}},
		{"empty public key", testSecretKey, []instore.Option{instore.WithPublicKey("")}},
		{"secret key given as the public key", testSecretKey, []instore.Option{instore.WithPublicKey(testSecretKey)}},
		{"nil http client", testSecretKey, []instore.Option{instore.WithHTTPClient(nil)}},
		{"http base URL", testSecretKey, []instore.Option{instore.WithBaseURL("http://api.omise.co")}},
		{"http on a LAN address", testSecretKey, []instore.Option{instore.WithBaseURL("http://192.168.1.10:8080")}},
		{"http on a look-alike host", testSecretKey, []instore.Option{instore.WithBaseURL("http://localhost.evil.example")}},
		{"ftp base URL", testSecretKey, []instore.Option{instore.WithBaseURL("ftp://127.0.0.1")}},
		{"relative base URL", testSecretKey, []instore.Option{instore.WithBaseURL("/v1")}},
		{"base URL with user info", testSecretKey, []instore.Option{instore.WithBaseURL("https://u:p@api.omise.co")}},
		{"base URL with a query", testSecretKey, []instore.Option{instore.WithBaseURL("https://api.omise.co/?x=1")}},
		{"base URL with a fragment", testSecretKey, []instore.Option{instore.WithBaseURL("https://api.omise.co/#x")}},
		{"unparsable base URL", testSecretKey, []instore.Option{instore.WithBaseURL("https://api.omise.co/%zz")}},
		{"empty API version", testSecretKey, []instore.Option{instore.WithAPIVersion("")}},
		{"API version with CRLF", testSecretKey, []instore.Option{instore.WithAPIVersion("2019-05-29\r\nX-Evil: 1")}},
		{"negative retries", testSecretKey, []instore.Option{instore.WithMaxRetries(-1)}},
		{"zero timeout", testSecretKey, []instore.Option{instore.WithTimeout(0)}},
		{"negative timeout", testSecretKey, []instore.Option{instore.WithTimeout(-time.Second)}},
		{"empty app name", testSecretKey, []instore.Option{instore.WithAppInfo("", "1.0")}},
		{"app name with a slash", testSecretKey, []instore.Option{instore.WithAppInfo("pos/x", "1.0")}},
		{"app version with a space", testSecretKey, []instore.Option{instore.WithAppInfo("pos", "1 0")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := instore.NewClient(tt.key, tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			require.ErrorIs(t, err, instore.ErrInvalidConfig)
			assert.NotContains(t, err.Error(), testSecretKey)
			assert.NotContains(t, err.Error(), testPublicKey)
		})
	}
}

func TestNewClientAcceptsBaseURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"https://api.omise.co",
		"https://api.omise.co/",
		"https://proxy.example.com/omise/",
		"HTTPS://API.OMISE.CO",
		"http://127.0.0.1:8080",
		"http://127.9.9.9",
		"http://[::1]:9000",
		"http://localhost:3000",
		"http://LOCALHOST",
	} {
		_, err := instore.NewClient(testSecretKey, instore.WithBaseURL(u))
		require.NoError(t, err, u)
	}
}

func TestClientHeadersAndBaseURLPrefix(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "charge_pending")
	c, err := instore.NewClient(testSecretKey,
		instore.WithBaseURL(f.srv.URL+"/omise/"),
		instore.WithAPIVersion("2017-11-02"),
		instore.WithAppInfo("till-server", "4.2.0"),
		instore.WithTimeout(5*time.Second),
		instore.WithMaxRetries(0),
		instore.WithLogger(nil),
	)
	require.NoError(t, err)
	_, err = c.Charges.Get(t.Context(), "chrg_test_61xq8k2hv0a7mf3nb2d")
	require.NoError(t, err)
	s := f.only(t)
	assert.Equal(t, "/omise/charges/chrg_test_61xq8k2hv0a7mf3nb2d", s.Path)
	assert.Equal(t, "2017-11-02", s.Header.Get("Omise-Version"))
	assert.Equal(t, "instore-go/"+instore.Version+" ("+runtime.Version()+") till-server/4.2.0", s.Header.Get("User-Agent"))
}

func TestWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "charge_pending")
	c := f.client(t)
	_, err := c.Charges.Create(t.Context(), &instore.ChargeParams{
		Amount: 400000, Currency: instore.THB, Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: "281234567890123456"},
	}, instore.WithIdempotencyKey("sale-1042-attempt-1"))
	require.NoError(t, err)
	s := f.only(t)
	assert.Equal(t, []string{"sale-1042-attempt-1"}, s.Header.Values("Idempotency-Key"))
	assert.Equal(t, testSecretKey, s.User)
	assert.Equal(t, "application/x-www-form-urlencoded", s.Header.Get("Content-Type"))

	// The shared headers of the client were not touched by the call.
	_, err = c.Charges.Get(t.Context(), "chrg_test_61xq8k2hv0a7mf3nb2d")
	require.NoError(t, err)
	assert.Empty(t, f.requests()[1].Header.Values("Idempotency-Key"))

	for _, bad := range []string{"", "has space", "new\nline", string(make([]byte, 256))} {
		_, err := c.Charges.Get(t.Context(), "chrg_1", instore.WithIdempotencyKey(bad))
		require.ErrorIs(t, err, instore.ErrInvalidParams)
	}
	_, err = c.Charges.Get(t.Context(), "chrg_1", nil)
	require.ErrorIs(t, err, instore.ErrInvalidParams)
	assert.Len(t, f.requests(), 2, "refused options send nothing")
}

func TestWithKeysPerCall(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "charge_pending")
	c := f.client(t)
	const merchantSecret = "skey_test_merchant2secret"
	_, err := c.Charges.Get(t.Context(), "chrg_1", instore.WithKeys(merchantSecret, "pkey_test_merchant2public"), instore.WithIdempotencyKey("k1"))
	require.NoError(t, err)
	_, err = c.Charges.Expire(t.Context(), "chrg_1", instore.WithKeys(merchantSecret, ""))
	require.NoError(t, err)
	_, err = c.Charges.Get(t.Context(), "chrg_1")
	require.NoError(t, err)
	reqs := f.requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, merchantSecret, reqs[0].User)
	assert.Equal(t, "k1", reqs[0].Header.Get("Idempotency-Key"))
	assert.Equal(t, merchantSecret, reqs[1].User)
	assert.Empty(t, reqs[1].Header.Get("Content-Type"))
	assert.Equal(t, testSecretKey, reqs[2].User, "the client's key again")

	for _, o := range []instore.RequestOption{
		instore.WithKeys("", "pkey_x"),
		instore.WithKeys("skey:x", ""),
		instore.WithKeys("skey_x", "pkey x"),
	} {
		_, err := c.Charges.Get(t.Context(), "chrg_1", o)
		require.ErrorIs(t, err, instore.ErrInvalidParams)
	}
	assert.Len(t, f.requests(), 3)
}

func TestClientNeverFollowsRedirects(t *testing.T) {
	t.Parallel()
	target := newFake(t, http.StatusOK, "charge_pending")
	redirect := newFakeFunc(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		http.Redirect(w, r, target.srv.URL+"/charges", http.StatusTemporaryRedirect)
	})
	// A caller's client that follows redirects is copied, not obeyed.
	hc := &http.Client{}
	c := redirect.client(t, instore.WithHTTPClient(hc))
	_, err := c.Charges.Create(t.Context(), &instore.ChargeParams{
		Amount: 400000, Currency: instore.THB, Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: "281234567890123456"},
	})
	var apiErr *instore.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	assert.Empty(t, target.requests(), "the charge was not replayed to another URL")
	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
}
