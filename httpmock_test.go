package instore_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// A RoundTripper other than net/http's, such as httpmock's, reports nothing
// through httptrace, so the client cannot prove that a failed request never
// left the machine: a charge POST that fails there is never sent again and
// its outcome is unknown, while a GET is still retried.
func TestClientWithARoundTripperThatGivesNoWriteEvidence(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodPost, "https://api.omise.co/charges",
		httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	mock.RegisterResponder(http.MethodGet, "https://api.omise.co/charges/chrg_test_1",
		httpmock.ResponderFromMultipleResponses([]*http.Response{
			httpmock.NewStringResponse(http.StatusServiceUnavailable, "<html>busy</html>"),
			httpmock.NewBytesResponse(http.StatusOK, fixture(t, "charge_successful")),
		}))
	client, err := instore.NewClient(testSecretKey,
		instore.WithHTTPClient(&http.Client{Transport: mock}),
		instore.WithMaxRetries(2))
	require.NoError(t, err)

	_, err = client.Charges.Create(t.Context(), &instore.ChargeParams{
		Amount:   400000,
		Currency: instore.THB,
		Source:   &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: "281234567890123456"},
	})
	require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
	assert.Equal(t, 1, mock.GetCallCountInfo()["POST https://api.omise.co/charges"], "the charge is never sent twice")
	assert.NotContains(t, err.Error(), "281234567890123456")

	ch, err := client.Charges.Get(t.Context(), "chrg_test_1")
	require.NoError(t, err)
	assert.Equal(t, instore.ChargeSuccessful, ch.Status)
	assert.Equal(t, 2, mock.GetCallCountInfo()["GET https://api.omise.co/charges/chrg_test_1"], "a GET is retried after a 503")
}
