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

func TestEventAccessors(t *testing.T) {
	t.Parallel()
	decode := func(t *testing.T, name string) *instore.Event {
		t.Helper()
		var e instore.Event
		require.NoError(t, json.Unmarshal(fixture(t, name), &e))
		return &e
	}

	charge := decode(t, "event_charge_complete")
	ch, err := charge.Charge()
	require.NoError(t, err)
	assert.Equal(t, "chrg_test_61xqa11p0o9i8u7y6t5", ch.ID)
	assert.Equal(t, int64(400000), ch.Amount)
	require.NotNil(t, ch.Source)
	assert.Equal(t, instore.SourceAlipayPlusUPM, ch.Source.Type)
	_, err = charge.Refund()
	require.ErrorIs(t, err, instore.ErrEventData)
	assert.Contains(t, err.Error(), "data is charge, not a refund")
	_, err = charge.Source()
	require.ErrorIs(t, err, instore.ErrEventData)

	refund := decode(t, "event_refund_create")
	assert.Equal(t, instore.EventRefundCreate, refund.Key)
	r, err := refund.Refund()
	require.NoError(t, err)
	assert.Equal(t, "rfnd_test_61xqc33k2j3h4g5f6d7", r.ID)
	assert.Equal(t, "chrg_test_61xqa11p0o9i8u7y6t5", r.Charge)
	_, err = refund.Charge()
	require.ErrorIs(t, err, instore.ErrEventData)

	source := &instore.Event{ID: "evnt_test_1", Key: "source.create", Data: fixture(t, "source_barcode_alipay")}
	src, err := source.Source()
	require.NoError(t, err)
	assert.Equal(t, instore.SourceBarcodeAlipay, src.Type)
	assert.Equal(t, "source.create", source.Key, "unknown keys are kept")
}

// The accessors refuse, never panic on, data that is not the object asked
// for, and never quote a payment code.
func TestEventAccessorsRefuse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string // "" leaves Data nil
	}{
		{"missing", ""},
		{"null", "null"},
		{"null with spaces", " null\n"},
		{"empty object", "{}"},
		{"no object", `{"id":"chrg_1"}`},
		{"object null", `{"object":null,"id":"chrg_1"}`},
		{"object a number", `{"object":1,"id":"chrg_1"}`},
		{"wrong object", `{"object":"customer","id":"cust_1"}`},
		{"capitalised object", `{"object":"Charge","id":"chrg_1"}`},
		{"no id", `{"object":"charge"}`},
		{"wrong field type", `{"object":"charge","id":"chrg_1","amount":"400000"}`},
		{"bad time with a code", `{"object":"charge","id":"chrg_1","created_at":"281234567890123456"}`},
		{"array", `[{"object":"charge","id":"chrg_1"}]`},
		{"string", `"charge"`},
		{"number", `12`},
		{"true", `true`},
		{"truncated", `{"object":"charge","id":"chrg_1"`},
		{"not JSON", `charge`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := &instore.Event{ID: "evnt_test_1", Key: instore.EventChargeComplete}
			if tc.data != "" {
				e.Data = json.RawMessage(tc.data)
			}
			c, err := e.Charge()
			require.ErrorIs(t, err, instore.ErrEventData)
			assert.Nil(t, c)
			assert.NotContains(t, err.Error(), "281234567890123456")
			assert.Contains(t, err.Error(), "instore: event evnt_test_1: ")
			_, err = e.Refund()
			require.ErrorIs(t, err, instore.ErrEventData)
			_, err = e.Source()
			require.ErrorIs(t, err, instore.ErrEventData)
		})
	}

	var nilEvent *instore.Event
	_, err := nilEvent.Charge()
	require.ErrorIs(t, err, instore.ErrEventData)

	// The decoded event of a delivery with "data": null.
	var e instore.Event
	require.NoError(t, json.Unmarshal(fixture(t, "event_data_null"), &e))
	_, err = e.Charge()
	require.ErrorIs(t, err, instore.ErrEventData)
	assert.Contains(t, err.Error(), "no data")
}

func TestEventKeys(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		instore.EventChargeCreate:   "charge.create",
		instore.EventChargeUpdate:   "charge.update",
		instore.EventChargeComplete: "charge.complete",
		instore.EventChargeCapture:  "charge.capture",
		instore.EventChargeReverse:  "charge.reverse",
		instore.EventRefundCreate:   "refund.create",
	} {
		assert.Equal(t, want, key)
	}
	// A key without a constant decodes as it is.
	var e instore.Event
	require.NoError(t, json.Unmarshal([]byte(`{"object":"event","id":"evnt_1","key":"charge.expire"}`), &e))
	assert.Equal(t, "charge.expire", e.Key)
}
