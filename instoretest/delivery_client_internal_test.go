package instoretest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The simulators' own delivery client reaches a test's loopback server,
// and refuses every other host without a lookup.
func TestDeliveryClientIsLoopbackOnly(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	hc, closeIdle := newDeliveryClient()
	defer closeIdle()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, http.NoBody)
	require.NoError(t, err)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)

	for _, url := range []string{"https://pos.example/ppro", "http://10.0.0.1/hook", "http://[::2]/x"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, http.NoBody)
		require.NoError(t, err)
		resp, err := hc.Do(req)
		if resp != nil {
			resp.Body.Close()
		}
		require.ErrorContains(t, err, "loopback addresses only", url)
	}
}
