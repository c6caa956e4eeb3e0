package instore_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/internal/h2fault"
	"github.com/instorepay/instore/internal/transport"
)

// An HTTP/2 server that processes a charge and then resets the stream or
// sends GOAWAY makes net/http replay a POST whose body it can rewind (the
// control). A charge is never replayed: Omise sees it once, and its outcome
// is unknown.
func TestChargeIsNotReplayedOverHTTP2(t *testing.T) {
	t.Parallel()
	pending := fixture(t, "charge_pending")
	for _, fault := range h2fault.Faults() {
		t.Run(fault.String()+"/control: a plain net/http POST is replayed", func(t *testing.T) {
			t.Parallel()
			s := h2fault.Start(t, fault, h2fault.Answer{ContentType: "application/json", Body: pending})
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/charges", bytes.NewReader([]byte("amount=400000&currency=THB")))
			require.NoError(t, err)
			resp, err := s.Client(transport.NewHTTPTransport()).Do(req)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, 2, s.Requests(), "the server received the POST twice")
		})
		t.Run(fault.String()+"/Charges.Create", func(t *testing.T) {
			t.Parallel()
			s := h2fault.Start(t, fault, h2fault.Answer{ContentType: "application/json", Body: pending})
			c, err := instore.NewClient(testSecretKey, instore.WithBaseURL(s.URL), instore.WithHTTPClient(s.Client(transport.NewHTTPTransport())))
			require.NoError(t, err)

			ch, err := c.Charges.Create(t.Context(), barcodeCharge())
			assert.Nil(t, ch)
			require.ErrorIs(t, err, instore.ErrOutcomeUnknown)
			assert.Equal(t, 1, s.Requests(), "Omise received the charge once")
			assert.NotContains(t, err.Error(), barcodeCharge().Source.Barcode)
		})
	}
}
