package instoretest

import (
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Omise list pagination (Omise "API pagination" page): offset and limit
// (default 20, at most 100), order chronological (default) or
// reverse_chronological, from and to (ISO 8601) bounding created_at.
const (
	omiseDefaultLimit = 20
	omiseMaxLimit     = 100
)

type listParams struct {
	offset, limit int
	reverse       bool
	from, to      time.Time
}

func parseListParams(q url.Values, now time.Time) (listParams, *reply) {
	lp := listParams{limit: omiseDefaultLimit, from: time.Unix(0, 0).UTC(), to: now}
	bad := func(msg string) (listParams, *reply) {
		r := omiseError(http.StatusBadRequest, "bad_request", msg)
		return listParams{}, &r
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return bad("offset is invalid")
		}
		lp.offset = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return bad("limit is invalid")
		}
		lp.limit = min(n, omiseMaxLimit)
	}
	switch q.Get("order") {
	case "", "chronological":
	case "reverse_chronological":
		lp.reverse = true
	default:
		return bad("order is invalid")
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &lp.from}, {"to", &lp.to}} {
		if s := q.Get(p.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return bad(p.name + " is invalid")
			}
			*p.t = t
		}
	}
	return lp, nil
}

// apply picks the page out of n items kept in creation order, whose
// creation times createdAt gives, and counts the items between from and to.
func (lp listParams) apply(n int, createdAt func(i int) time.Time) (page []int, total int) {
	var in []int
	for i := range n {
		t := createdAt(i)
		if !t.Before(lp.from) && !t.After(lp.to) {
			in = append(in, i)
		}
	}
	if lp.reverse {
		for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
			in[i], in[j] = in[j], in[i]
		}
	}
	total = len(in)
	if lp.offset >= len(in) {
		return nil, total
	}
	in = in[lp.offset:]
	if len(in) > lp.limit {
		in = in[:lp.limit]
	}
	return in, total
}

func (lp listParams) list(location string, data []any, total int) omiseListJSON {
	order := "chronological"
	if lp.reverse {
		order = "reverse_chronological"
	}
	if data == nil {
		data = []any{}
	}
	return omiseListJSON{
		Object: "list", Data: data, Limit: lp.limit, Offset: lp.offset, Total: total,
		Location: location, Order: order, From: omiseTimestamp(lp.from), To: omiseTimestamp(lp.to),
	}
}
