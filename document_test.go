package instore_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

const testSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 25 25"><rect width="25" height="25"/></svg>`

func TestDocumentsDownload(t *testing.T) {
	t.Parallel()
	f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		w.Header().Set("Content-Type", "image/svg+xml")
		_, _ = w.Write([]byte(testSVG))
	})
	c := f.client(t)
	path := "/charges/chrg_test_1/documents/docu_test_1/downloads/5A1B2C3D4E5F6A7B"

	got, err := c.Documents.Download(t.Context(), f.srv.URL+path+"#frag")
	require.NoError(t, err)
	assert.Equal(t, testSVG, string(got))

	s := f.only(t)
	assertWire(t, s, http.MethodGet, path, testSecretKey, nil)
	assert.Equal(t, "*/*", s.Header.Get("Accept"), "a document is not JSON")
}

func TestDocumentsDownloadOnOmiseHost(t *testing.T) {
	t.Parallel()
	// The download host of Omise's own documents is accepted whatever the
	// base URL; the request goes there, with the secret key.
	var got *http.Request
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		resp := response(r, http.StatusOK, []byte(testSVG))
		resp.Header.Set("Content-Type", "image/svg+xml")
		return resp, nil
	})}
	c, err := instore.NewClient(testSecretKey, instore.WithBaseURL("https://proxy.example/omise"), instore.WithHTTPClient(hc))
	require.NoError(t, err)

	uri := "https://api.omise.co/charges/chrg_test_1/documents/docu_test_1/downloads/CD55F45389BEE2A9"
	b, err := c.Documents.Download(t.Context(), uri)
	require.NoError(t, err)
	assert.Equal(t, testSVG, string(b))
	require.NotNil(t, got)
	assert.Equal(t, uri, got.URL.String())
	user, pass, ok := got.BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, testSecretKey, user)
	assert.Empty(t, pass)

	// The proxy's own host is the base URL's: accepted too.
	_, err = c.Documents.Download(t.Context(), "https://proxy.example/charges/chrg_1/documents/docu_1/downloads/AB")
	require.NoError(t, err)
	assert.Equal(t, "proxy.example", got.URL.Host)
}

func TestDocumentsDownloadRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	calls := 0
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		return response(r, http.StatusOK, []byte(testSVG)), nil
	})}
	c, err := instore.NewClient(testSecretKey, instore.WithBaseURL("http://127.0.0.1:8080"), instore.WithHTTPClient(hc))
	require.NoError(t, err)

	for _, uri := range []string{
		"",
		"/charges/chrg_1/documents/docu_1/downloads/AB", // relative
		"https://evil.example/charges/chrg_1/documents/docu_1/downloads/AB",
		"https://api.omise.co.evil.example/x",
		"http://api.omise.co/charges/chrg_1/documents/docu_1/downloads/AB", // not https
		"https://api.omise.co:8443/x",                                      // another port is another host
		"https://user:pass@api.omise.co/x",
		"http://127.0.0.1:9090/x", // loopback, but not the base URL's port
		"https://127.0.0.1:8080/x",
		"mailto:someone@example.com",
		"http://[::1",
	} {
		_, err := c.Documents.Download(t.Context(), uri)
		require.ErrorIs(t, err, instore.ErrInvalidParams, "%q", uri)
		require.ErrorIs(t, err, instore.ErrInvalidRequest, "%q", uri)
		assert.NotContains(t, err.Error(), "evil", "the URI is never quoted")
	}
	assert.Zero(t, calls, "nothing was sent, so the key went nowhere")

	_, err = c.Documents.Download(t.Context(), "http://127.0.0.1:8080/charges/chrg_1/documents/docu_1/downloads/AB")
	require.NoError(t, err, "the base URL's own loopback host")
	assert.Equal(t, 1, calls)
}

func TestDocumentsDownloadErrors(t *testing.T) {
	t.Parallel()
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, http.StatusNotFound, "error_not_found")
		_, err := f.client(t).Documents.Download(t.Context(), f.srv.URL+"/charges/chrg_1/documents/docu_1/downloads/AB")
		var apiErr *instore.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
		require.ErrorIs(t, err, instore.ErrNotFound)
		require.NotErrorIs(t, err, instore.ErrOutcomeUnknown, "a GET changes nothing")
	})
	t.Run("too large", func(t *testing.T) {
		t.Parallel()
		big := bytes.Repeat([]byte("<g/>"), 1<<18+1) // just over 1 MiB
		f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			w.Header().Set("Content-Type", "image/svg+xml")
			_, _ = w.Write(big)
		})
		_, err := f.client(t).Documents.Download(t.Context(), f.srv.URL+"/charges/chrg_1/documents/docu_1/downloads/AB")
		require.ErrorIs(t, err, instore.ErrBodyTooLarge)
	})
	t.Run("retried after a 503", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			n := 0
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				n++
				if n == 1 {
					return response(r, http.StatusServiceUnavailable, []byte("<html>busy</html>")), nil
				}
				return response(r, http.StatusOK, []byte(testSVG)), nil
			})}
			c, err := instore.NewClient(testSecretKey, instore.WithHTTPClient(hc))
			require.NoError(t, err)
			b, err := c.Documents.Download(t.Context(), "https://api.omise.co/charges/chrg_1/documents/docu_1/downloads/AB")
			require.NoError(t, err)
			assert.Equal(t, testSVG, string(b))
			assert.Equal(t, 2, n)
		})
	})
	t.Run("a bad option", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, http.StatusOK, "")
		_, err := f.client(t).Documents.Download(t.Context(), f.srv.URL+"/x", instore.WithIdempotencyKey(strings.Repeat(" ", 3)))
		require.ErrorIs(t, err, instore.ErrInvalidParams)
		assert.Empty(t, f.requests())
	})
	t.Run("per-call keys", func(t *testing.T) {
		t.Parallel()
		f := newFake(t, http.StatusOK, "")
		const other = "skey_test_61otherotherother01"
		_, err := f.client(t).Documents.Download(t.Context(), f.srv.URL+"/x", instore.WithKeys(other, ""))
		require.NoError(t, err)
		assert.Equal(t, other, f.only(t).User)
	})
}

// FuzzDocumentsDownloadHost: whatever URI a response (or an attacker)
// puts in download_uri, the secret key goes only to the client's base host
// or to https://api.omise.co, and nothing panics.
func FuzzDocumentsDownloadHost(f *testing.F) {
	for _, s := range []string{
		"https://api.omise.co/charges/chrg_1/documents/docu_1/downloads/AB",
		"http://127.0.0.1:8080/charges/chrg_1/documents/docu_1/downloads/AB",
		"https://evil.example/x", "http://api.omise.co/x", "https://api.omise.co:8443/x",
		"https://user:pass@api.omise.co/x", "//api.omise.co/x", "/x", "", "http://[::1",
		"https://API.OMISE.CO/x", "https://api.omise.co/x?y=1#z", "http://127.0.0.1:8080@evil.example/x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		var sent []*http.Request
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			sent = append(sent, r)
			return response(r, http.StatusOK, []byte(testSVG)), nil
		})}
		c, err := instore.NewClient(testSecretKey, instore.WithBaseURL("http://127.0.0.1:8080"), instore.WithHTTPClient(hc), instore.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Documents.Download(t.Context(), uri)
		if len(sent) == 0 {
			if err == nil {
				t.Fatal("no request and no error")
			}
			return
		}
		u := sent[0].URL
		base := u.Scheme == "http" && u.Host == "127.0.0.1:8080"
		omise := u.Scheme == "https" && strings.EqualFold(u.Host, "api.omise.co")
		if !base && !omise {
			t.Fatalf("the key went to %s://%s for %q", u.Scheme, u.Host, uri)
		}
		if sent[0].URL.User != nil {
			t.Fatalf("user information sent for %q", uri)
		}
	})
}

func TestDocumentsDownloadKeepsKeysOutOfErrorsAndLogs(t *testing.T) {
	t.Parallel()
	token := base64.StdEncoding.EncodeToString([]byte(testSecretKey + ":"))
	f := newFakeFunc(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		// A proxy page quoting everything it was sent.
		w.Header().Set("X-Request-Id", testSecretKey)
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte("<html>" + r.Header.Get("Authorization") + " " + testSecretKey + " " + testPublicKey + "</html>"))
	})
	logs := newLogRecorder()
	c := f.client(t, instore.WithLogger(logs.logger()))
	const downloadToken = "76670AB40294D368"
	_, err := c.Documents.Download(t.Context(), f.srv.URL+"/charges/chrg_1/documents/docu_1/downloads/"+downloadToken)
	require.Error(t, err)
	var apiErr *instore.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusForbidden, apiErr.StatusCode)
	text := err.Error() + " " + apiErr.Message + " " + apiErr.RequestID + " " + strings.Join(logs.lines(), " ")
	for _, secret := range []string{testSecretKey, testPublicKey, token, downloadToken} {
		assert.NotContains(t, text, secret)
	}
	assert.NotEmpty(t, logs.lines(), "the call was logged")
}
