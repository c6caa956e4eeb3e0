package instore_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

func TestEventsWire(t *testing.T) {
	t.Parallel()
	f := newFake(t, http.StatusOK, "event_charge_complete")
	e, err := f.client(t).Events.Get(t.Context(), "evnt_test_61xqe66n3m4b5v6c7x8")
	require.NoError(t, err)
	assert.Equal(t, "charge.complete", e.Key)
	assertWire(t, f.only(t), http.MethodGet, "/events/evnt_test_61xqe66n3m4b5v6c7x8", testSecretKey, nil)

	fl := newFake(t, http.StatusOK, "event_list")
	l, err := fl.client(t).Events.List(t.Context(), &instore.ListParams{Offset: 20, Order: instore.OrderChronological})
	require.NoError(t, err)
	require.Len(t, l.Data, 2)
	s := fl.only(t)
	assertWire(t, s, http.MethodGet, "/events", testSecretKey, nil)
	assert.Equal(t, url.Values{"offset": {"20"}, "order": {"chronological"}}, s.Query)

	_, err = fl.client(t).Events.Get(t.Context(), "")
	require.ErrorIs(t, err, instore.ErrInvalidParams)
}

func TestEventDecodeFixtures(t *testing.T) {
	t.Parallel()
	var e instore.Event
	require.NoError(t, json.Unmarshal(fixture(t, "event_charge_complete"), &e))
	assert.Equal(t, "event", e.Object)
	assert.Equal(t, "evnt_test_61xqe66n3m4b5v6c7x8", e.ID)
	assert.Equal(t, "/events/evnt_test_61xqe66n3m4b5v6c7x8", e.Location)
	assert.False(t, e.Livemode)
	assert.Equal(t, "charge.complete", e.Key)
	assert.Equal(t, time.Date(2026, 3, 1, 5, 1, 4, 0, time.UTC), e.CreatedAt)
	assert.Equal(t, "team_test_5x0a1b2c3d", e.TeamUID)
	assert.Empty(t, e.ActorUID)
	require.Len(t, e.WebhookDeliveries, 1)
	d := e.WebhookDeliveries[0]
	assert.Equal(t, "whdl_test_61xqe66w1e2r3t4y5u6", d.ID)
	assert.Equal(t, "https://pos.example.com/webhooks/omise", d.URI)
	assert.Equal(t, http.StatusOK, d.Status)
	assert.Equal(t, "charge.complete", d.Key)

	// Data is the charge as sent; it decodes into the charge model.
	var ch instore.Charge
	require.NoError(t, json.Unmarshal(e.Data, &ch))
	assert.Equal(t, "chrg_test_61xqa11p0o9i8u7y6t5", ch.ID)
	assert.Equal(t, instore.ChargeSuccessful, ch.Status)

	var l instore.List[instore.Event]
	require.NoError(t, json.Unmarshal(fixture(t, "event_list"), &l))
	require.Len(t, l.Data, 2)
	assert.Equal(t, "refund.create", l.Data[1].Key)
	assert.Empty(t, l.Data[1].WebhookDeliveries)
	var r instore.Refund
	require.NoError(t, json.Unmarshal(l.Data[1].Data, &r))
	assert.Equal(t, "rfnd_test_61xqc33k2j3h4g5f6d7", r.ID)
}
