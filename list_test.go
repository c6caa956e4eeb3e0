package instore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
)

// pagedCharges serves GET /charges over total charges, at most pageCap per
// page whatever limit is asked, failing with failStatus at offset failAt
// (when failStatus is set).
func pagedCharges(t *testing.T, total, pageCap, failAt, failStatus int) *fakeOmise {
	t.Helper()
	var base map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "charge_pending"), &base))
	return newFakeFunc(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit == 0 {
			limit = 20
		}
		if failStatus != 0 && offset == failAt {
			w.WriteHeader(failStatus)
			_, _ = w.Write(fixture(t, "error_bad_request"))
			return
		}
		limit = min(limit, pageCap)
		data := []map[string]any{}
		for i := offset; i < min(offset+limit, total); i++ {
			c := map[string]any{}
			for k, v := range base {
				c[k] = v
			}
			c["id"] = fmt.Sprintf("chrg_test_%03d", i)
			data = append(data, c)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"object": "list", "data": data, "limit": limit, "offset": offset, "total": total,
			"order": "chronological", "from": "1970-01-01T00:00:00Z", "to": "2026-03-02T10:00:00Z",
		})
	})
}

func ids(t *testing.T, seq func(func(*instore.Charge, error) bool)) ([]string, []error) {
	t.Helper()
	var got []string
	var errs []error
	for ch, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, ch.ID)
	}
	return got, errs
}

func offsets(f *fakeOmise) []string {
	var out []string
	reqs := f.requests()
	for i := range reqs {
		out = append(out, reqs[i].Query.Get("offset")+"/"+reqs[i].Query.Get("limit"))
	}
	return out
}

func TestChargesAllPagesUntilTotal(t *testing.T) {
	t.Parallel()
	f := pagedCharges(t, 5, 100, 0, 0)
	p := &instore.ListParams{Limit: 2, Order: instore.OrderChronological}
	got, errs := ids(t, f.client(t).Charges.All(t.Context(), p))
	assert.Empty(t, errs)
	assert.Equal(t, []string{"chrg_test_000", "chrg_test_001", "chrg_test_002", "chrg_test_003", "chrg_test_004"}, got)
	assert.Equal(t, []string{"/2", "2/2", "4/2"}, offsets(f))
	assert.Equal(t, &instore.ListParams{Limit: 2, Order: instore.OrderChronological}, p, "params are copied, never modified")
	reqs := f.requests()
	for i := range reqs {
		assert.Equal(t, "chronological", reqs[i].Query.Get("order"))
	}
}

func TestChargesAllFollowsTheServersPageSize(t *testing.T) {
	t.Parallel()
	f := pagedCharges(t, 5, 2, 0, 0)
	got, errs := ids(t, f.client(t).Charges.All(t.Context(), &instore.ListParams{Limit: 100, Offset: 1}))
	assert.Empty(t, errs)
	assert.Len(t, got, 4)
	assert.Equal(t, "chrg_test_001", got[0])
	assert.Equal(t, []string{"1/100", "3/100"}, offsets(f))
}

func TestChargesAllEmpty(t *testing.T) {
	t.Parallel()
	f := pagedCharges(t, 0, 100, 0, 0)
	got, errs := ids(t, f.client(t).Charges.All(t.Context(), nil))
	assert.Empty(t, got)
	assert.Empty(t, errs)
	assert.Len(t, f.requests(), 1)
}

func TestChargesAllStopsOnAnEmptyPage(t *testing.T) {
	t.Parallel()
	// A server that claims more than it returns must not make All loop.
	f := newFakeFunc(t, func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		_, _ = w.Write([]byte(`{"object":"list","data":[],"limit":20,"offset":0,"total":1000}`))
	})
	got, errs := ids(t, f.client(t).Charges.All(t.Context(), nil))
	assert.Empty(t, got)
	assert.Empty(t, errs)
	assert.Len(t, f.requests(), 1)
}

func TestChargesAllYieldsAnErrorOnceThenStops(t *testing.T) {
	t.Parallel()
	f := pagedCharges(t, 6, 100, 2, http.StatusBadRequest)
	got, errs := ids(t, f.client(t).Charges.All(t.Context(), &instore.ListParams{Limit: 2}))
	assert.Equal(t, []string{"chrg_test_000", "chrg_test_001"}, got)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], instore.ErrInvalidRequest)
	assert.Len(t, f.requests(), 2)

	// Bad params are the first and only yield.
	got, errs = ids(t, f.client(t).Charges.All(t.Context(), &instore.ListParams{Limit: -1}))
	assert.Empty(t, got)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], instore.ErrInvalidParams)
}

func TestChargesAllStopsWhenTheLoopBreaks(t *testing.T) {
	t.Parallel()
	f := pagedCharges(t, 10, 100, 0, 0)
	n := 0
	for _, err := range f.client(t).Charges.All(t.Context(), &instore.ListParams{Limit: 3}) {
		require.NoError(t, err)
		n++
		if n == 4 {
			break
		}
	}
	assert.Equal(t, 4, n)
	assert.Equal(t, []string{"/3", "3/3"}, offsets(f))
}

func TestChargesAllChecksTheContextBetweenPages(t *testing.T) {
	t.Parallel()
	f := pagedCharges(t, 10, 100, 0, 0)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var got []string
	var errs []error
	for ch, err := range f.client(t).Charges.All(ctx, &instore.ListParams{Limit: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, ch.ID)
		cancel() // the page in hand is finished, the next is not fetched
	}
	assert.Equal(t, []string{"chrg_test_000", "chrg_test_001"}, got)
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], context.Canceled)
	assert.Contains(t, errs[0].Error(), "instore: ")
	assert.Len(t, f.requests(), 1)
}
