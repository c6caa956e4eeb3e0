package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// start runs the command as main does, on a loopback port, until the test
// ends; it returns the base URL and a func that stops the server and
// returns run's error. What the command prints, its log included, goes to
// out, which the test reads only once stop has returned.
func start(t *testing.T, out *bytes.Buffer, args ...string) (string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-listen", "127.0.0.1:0"}, args...), out, func(a string) { addr <- a })
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { _ = stop() })
	return base, stop
}

// post sends a JSON body over the network and decodes the answer.
func post(t *testing.T, url string, body any) (int, answer) {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(b))
	require.NoError(t, err)
	return send(t, req)
}

func get(t *testing.T, url string) (int, answer) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, answer) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var a answer
	require.NoError(t, json.Unmarshal(body, &a), string(body))
	return resp.StatusCode, a
}

// The command serves over the network on the simulator, with the Omise
// webhooks coming back over the network too, and keeps its sales in the
// journal across a restart.
func TestRun(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sales.db")
	var log bytes.Buffer
	base, stop := start(t, &log, "-journal", path)

	status, _ := get(t, base+"/healthz")
	assert.Equal(t, http.StatusOK, status)

	status, a := post(t, base+"/sales", sale("sale-1", instoretest.AlipayCode(instoretest.Succeed, 1), "100.00"))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, instore.StatusSucceeded, a.Payment.Status)

	// The customer confirms after 1 s; the simulator's webhook, over the
	// network, wakes the sale before its first inquiry at 2 s. The
	// Checkout's log says so: its first inquiry was brought forward by a
	// notification (step=notified, attempt=1), which a wall clock measuring
	// the whole request would only suggest, and only on a fast machine.
	status, a = post(t, base+"/sales", sale("sale-2", instoretest.AlipayCode(instoretest.ConfirmAfter(time.Second), 2), "40.00"))
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, instore.StatusSucceeded, a.Payment.Status)

	status, a = post(t, base+"/sales", sale("sale-3", "not a code", "1.00"))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Equal(t, "invalid_payment_code", a.Error.Code)
	require.NoError(t, stop())
	assert.Regexp(t, `step=notified request_id=sale-2 acquirer=omise attempt=1 `, log.String(), "woken by the webhook")

	// Another process on the same journal answers for the sales the first
	// one took.
	base, stop = start(t, &bytes.Buffer{}, "-quiet", "-journal", path)
	status, a = get(t, base+"/sales/sale-2")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, instore.StatusSucceeded, a.Payment.Status)
	assert.Equal(t, "sale-2", a.Payment.RequestID)
	require.NoError(t, stop())
}

func TestRunRefusesBadFlags(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(t.Context(), []string{"-no-such-flag"}, &out, nil)
	require.Error(t, err)
	assert.Contains(t, out.String(), "-listen", "usage printed")
}
