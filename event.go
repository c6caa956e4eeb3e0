package instore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

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
