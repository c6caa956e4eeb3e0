package instore

import (
	"github.com/instorepay/instore/internal/transport"

	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chargeForm is the wire form of a ChargeParams as go-querystring encodes
// it: the params, their metadata as formMetadata and the expiry in UTC. It is
// the reference ChargeParams.appendForm is held to.
type chargeForm struct {
	*ChargeParams
	ExpiresAt string       `url:"expires_at,omitempty"`
	Metadata  formMetadata `url:"metadata,omitempty"`
}

func referenceChargeForm(t testing.TB, p *ChargeParams) string {
	t.Helper()
	f := chargeForm{ChargeParams: p, Metadata: p.Metadata}
	if p.ExpiresAt != nil {
		f.ExpiresAt = p.ExpiresAt.UTC().Format(time.RFC3339)
	}
	b, err := encodeForm(&f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestEncodeFormMatchesURLValues(t *testing.T) {
	t.Parallel()
	expires := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	yes := true
	p := &ChargeParams{
		Amount:      400000,
		Currency:    THB,
		Source:      &SourceParams{Type: SourceBarcodeAlipay, Barcode: "2811223344556677", StoreID: "BKK 001", StoreName: "Sukhumvit & Co. ~ ร้าน", TerminalID: "POS/07"},
		Description: "a=b&c+d%e",
		Metadata:    map[string]string{"request_id": "x y", "ü": "ß"},
		ExpiresAt:   &expires,
		Capture:     &yes,
	}
	got := referenceChargeForm(t, p)
	want := url.Values{
		"amount": {"400000"}, "currency": {"THB"}, "description": {"a=b&c+d%e"}, "capture": {"true"},
		"expires_at":   {"2026-03-01T10:00:00Z"},
		"source[type]": {"barcode_alipay"}, "source[barcode]": {"2811223344556677"}, "source[store_id]": {"BKK 001"},
		"source[store_name]": {"Sukhumvit & Co. ~ ร้าน"}, "source[terminal_id]": {"POS/07"},
		"metadata[request_id]": {"x y"}, "metadata[ü]": {"ß"},
	}
	assert.Equal(t, want.Encode(), got, "the bytes url.Values.Encode gives")
	assert.Equal(t, got, string(p.appendForm(nil)), "the hand-written encoder")
}

func TestEncodeFormLeavesOutZeroValues(t *testing.T) {
	t.Parallel()
	p := &ChargeParams{Amount: 1, Currency: THB, SourceID: "src_1", Source: &SourceParams{}}
	assert.Equal(t, "amount=1&currency=THB&source=src_1", referenceChargeForm(t, p))
	assert.Equal(t, "amount=1&currency=THB&source=src_1", string(p.appendForm(nil)))

	got, err := encodeForm(&refundForm{RefundParams: &RefundParams{Amount: 5}})
	require.NoError(t, err)
	assert.Equal(t, "amount=5", string(got))

	q, err := (*ListParams)(nil).query()
	require.NoError(t, err)
	assert.Empty(t, q)
	q, err = (&ListParams{}).query()
	require.NoError(t, err)
	assert.Empty(t, q)
}

func TestEncodeFormManyKeys(t *testing.T) {
	t.Parallel()
	m := map[string]string{}
	for i := range 40 {
		m[string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	got, err := encodeForm(&refundForm{RefundParams: &RefundParams{Amount: 5}, Metadata: m})
	require.NoError(t, err)
	want := url.Values{"amount": {"5"}}
	for k, v := range m {
		want.Set("metadata["+k+"]", v)
	}
	assert.Equal(t, want.Encode(), string(got))
}

// FuzzChargeForm holds the hand-written charge encoder byte-for-byte equal
// to go-querystring's encoding of the same params, whatever they hold.
func FuzzChargeForm(f *testing.F) {
	f.Add(int64(400000), "THB", "", "barcode_alipay", "2811223344556677", "BKK 001", "Sukhumvit & Co.", "POS/07", int64(0), "", "", "request_id", "9f1c", "note", "a=b", uint8(0), int64(0))
	f.Add(int64(-1), "thb", "src_1", "", "", "", "", "", int64(5), "d\x00", "https://x/?y", "a", "1", "a!", "2", uint8(2), int64(1767225600))
	f.Add(int64(1), "", "", "t", "", "", "", "", int64(0), "", "", "a]", "", "a", "", uint8(1), int64(-62135596800))
	f.Fuzz(func(t *testing.T, amount int64, currency, sourceID, typ, barcode, storeID, storeName, terminalID string,
		srcAmount int64, description, returnURI, mk1, mv1, mk2, mv2 string, flags uint8, expires int64) {
		p := &ChargeParams{
			Amount: amount, Currency: Currency(currency), SourceID: sourceID,
			Description: description, ReturnURI: returnURI,
			Metadata: map[string]string{mk1: mv1, mk2: mv2},
		}
		if flags&1 != 0 {
			p.Source = &SourceParams{Type: SourceType(typ), Amount: srcAmount, Currency: Currency(currency), Barcode: barcode, StoreID: storeID, StoreName: storeName, TerminalID: terminalID}
		}
		if flags&2 != 0 {
			capture := flags&4 != 0
			p.Capture = &capture
		}
		if flags&8 != 0 {
			p.Metadata = nil
		}
		if flags&16 != 0 {
			ts := time.Unix(expires%(1<<40), 0)
			p.ExpiresAt = &ts
		}
		if got, want := string(p.appendForm(nil)), referenceChargeForm(t, p); got != want {
			t.Fatalf("appendForm = %q\ngo-querystring = %q", got, want)
		}
	})
}

// FuzzFormEncode checks the body encoder against url.Values.Encode on any
// keys and values: the bytes sent must be the standard ones.
func FuzzFormEncode(f *testing.F) {
	f.Add("source[store_name]", "Sukhumvit & Co. ~ ร้าน", "metadata[x y]", "a=b&c+d%e\x00")
	f.Add("", "", "a", "\xff")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		vals := url.Values{}
		vals.Add(k1, v1)
		vals.Add(k2, v2)
		if got, want := string(appendValues(nil, vals)), vals.Encode(); got != want {
			t.Fatalf("appendValues = %q, url.Values.Encode = %q", got, want)
		}
		if got, want := string(appendQueryEscape(nil, v1)), url.QueryEscape(v1); got != want {
			t.Fatalf("appendQueryEscape(%q) = %q, want %q", v1, got, want)
		}
	})
}

// FuzzBaseURL checks that WithBaseURL never accepts a URL that would send
// keys in the clear off the machine, and never panics.
func FuzzBaseURL(f *testing.F) {
	for _, s := range []string{
		"https://api.omise.co", "http://127.0.0.1:8080/x/", "http://[::1]", "http://localhost", "http://10.0.0.1",
		"https://u:p@x", "http://localhost@evil.example", "http://127.0.0.1.nip.io", "//x", "https://x/%zz", "https://x?q#f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		base, err := parseBaseURL(raw)
		if err != nil {
			return
		}
		u, perr := url.Parse(base)
		if perr != nil {
			t.Fatalf("accepted %q gives unparsable %q", raw, base)
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("accepted %q with user, query or fragment", raw)
		}
		if u.Scheme != "https" && (u.Scheme != "http" || !transport.IsLoopback(u.Hostname())) {
			t.Fatalf("accepted %q: scheme %q host %q", raw, u.Scheme, u.Hostname())
		}
	})
}
