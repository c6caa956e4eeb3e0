package instore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Event keys of the objects the SDK models, as the Omise webhook
// documentation lists them (docs.omise.co/api-webhooks). Event.Key is a
// plain string, so keys without a constant here (customer.create,
// dispute.*, transfer.*, ...) come through as they are. Our sources name no
// key for a charge's expiry, so there is no constant for one.
const (
	EventChargeCreate   = "charge.create"   // a charge was created, usually pending
	EventChargeUpdate   = "charge.update"   // a charge changed
	EventChargeComplete = "charge.complete" // an offline or redirect charge reached its result
	EventChargeCapture  = "charge.capture"  // an authorized charge was captured
	EventChargeReverse  = "charge.reverse"  // an authorized charge was reversed
	EventRefundCreate   = "refund.create"   // a refund was created
)

// ErrEventData reports that an event's data is not the object asked for:
// it is missing, null, not a JSON object, of another object type, or does
// not decode.
var ErrEventData = errors.New("instore: event data is not the object asked for")

// Event is an Omise event: something that happened to an object (key
// "charge.complete", "refund.create", ...), as the Events API lists it and
// webhooks deliver it. Data holds the object as Omise serialised it, with
// the account's default API version at the time of the event, which may
// differ from the client's.
type Event struct {
	Object    string    `json:"object"`
	ID        string    `json:"id"`
	Livemode  bool      `json:"livemode"`
	Location  string    `json:"location"`
	CreatedAt time.Time `json:"created_at"`
	// Key names what happened, such as "charge.complete".
	Key string `json:"key"`
	// Data is the object the event is about, as raw JSON.
	Data              json.RawMessage   `json:"data"`
	WebhookDeliveries []WebhookDelivery `json:"webhook_deliveries"`
	TeamUID           string            `json:"team_uid"`
	ActorUID          string            `json:"actor_uid"`
	UserUID           string            `json:"user_uid"`
}

func (e *Event) check() error {
	if e.ID == "" {
		return errors.New("instore: response has no event id")
	}
	if e.Object != "" && e.Object != "event" {
		return errors.New("instore: response is not an event")
	}
	return nil
}

// Charge returns the charge the event is about. It is an error matching
// ErrEventData unless Data is a JSON object whose object is "charge", with
// an id. The charge is as it was when the event happened: fetch it again
// (Charges.Get) before acting on its status.
func (e *Event) Charge() (*Charge, error) { return eventData[Charge](e, "charge") }

// Refund returns the refund the event is about, as Charge does for a
// charge.
func (e *Event) Refund() (*Refund, error) { return eventData[Refund](e, "refund") }

// Source returns the source the event is about, as Charge does for a
// charge.
func (e *Event) Source() (*Source, error) { return eventData[Source](e, "source") }

// eventData decodes e.Data into a new T after checking that it is a JSON
// object whose "object" is object. It never panics, whatever Data holds.
func eventData[T any, PT interface {
	*T
	checker
}](e *Event, object string) (*T, error) {
	if e == nil {
		return nil, &wrapError{msg: "instore: nil event", err: ErrEventData}
	}
	fail := func(reason string) error {
		return &wrapError{msg: "instore: event " + sanitize(e.ID, 64, nil) + ": " + reason, err: ErrEventData}
	}
	data := bytes.TrimSpace(e.Data)
	switch {
	case len(data) == 0 || string(data) == "null":
		return nil, fail("no data")
	case data[0] != '{':
		return nil, fail("data is not a JSON object")
	}
	var head struct {
		Object string `json:"object"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fail("data does not decode")
	}
	if head.Object != object {
		got := sanitize(head.Object, 32, nil)
		if got == "" {
			got = "an object without a type"
		}
		return nil, fail("data is " + got + ", not a " + object)
	}
	v := PT(new(T))
	err := json.Unmarshal(data, v)
	if err == nil {
		err = v.check()
	}
	if err != nil {
		// A decoding error may quote a value (a time); sanitize masks
		// anything shaped like a payment code.
		return nil, fail("decoding the " + object + ": " + sanitize(err.Error(), maxMessageLen, nil))
	}
	if tc, ok := any(v).(textCleaner); ok {
		tc.cleanText(nil)
	}
	return v, nil
}

// WebhookDelivery is one delivery of an event to a webhook endpoint.
type WebhookDelivery struct {
	Object string `json:"object"`
	ID     string `json:"id"`
	URI    string `json:"uri"`
	Key    string `json:"key"`
	// Status is the HTTP status the endpoint answered.
	Status int `json:"status"`
	// Error and Payload are kept as raw JSON: our sources name them but
	// document no shape.
	Error   json.RawMessage `json:"error"`
	Payload json.RawMessage `json:"payload"`
}

// EventService retrieves and lists events.
type EventService service

// Get retrieves an event by id.
func (s *EventService) Get(ctx context.Context, id string, opts ...RequestOption) (*Event, error) {
	id, err := escapeID(id)
	if err != nil {
		return nil, err
	}
	return send[Event](ctx, s.client, &call{method: http.MethodGet, path: [4]string{"/events/", id}}, opts)
}

// List retrieves one page of events.
func (s *EventService) List(ctx context.Context, p *ListParams, opts ...RequestOption) (*List[Event], error) {
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return send[List[Event]](ctx, s.client, &call{method: http.MethodGet, path: [4]string{"/events"}, query: q}, opts)
}
