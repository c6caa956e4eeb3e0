package instore

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/instorepay/instore/internal/transport"
)

// omiseDocumentHost is where Omise serves documents: the download_uri of the
// QR code of an alipayplus_mpm charge is on the API host, for example
// https://api.omise.co/charges/chrg_…/documents/docu_…/downloads/76670AB40294D368
// (Omise "Alipay+ MPM" guide). How such a URI is authenticated is not
// documented; the SDK sends the secret key, as to every API path.
const omiseDocumentHost = "api.omise.co"

// DocumentService downloads files Omise serves, such as the QR code image
// of an Alipay+ or WeChat Pay merchant-presented (MPM) charge
// (Charge.Source.ScannableCode.Image).
type DocumentService service

// Download returns the bytes of the document at uri, a
// Document.DownloadURI. It authenticates with the secret key, like every
// call to the Omise API, so it accepts only a URI on the client's API host
// (the scheme and host of its base URL) or on https://api.omise.co; any
// other URI is refused with ErrInvalidParams before a request is made, and
// the key never travels elsewhere. The body is read through the client's
// 1 MiB cap (ErrBodyTooLarge beyond it). Like every GET it is retried on
// network errors, 429 and 5xx; a non-2xx answer is an *APIError.
func (s *DocumentService) Download(ctx context.Context, uri string, opts ...RequestOption) ([]byte, error) {
	c := s.client
	target, err := c.documentURL(uri)
	if err != nil {
		return nil, err
	}
	co, err := collectOptions(opts)
	if err != nil {
		return nil, err
	}
	// The shared headers ask for JSON; a document is an image.
	h := c.header(&call{method: http.MethodGet}, co).Clone()
	h["Accept"] = []string{"*/*"}
	resp, err := c.transport.Do(ctx, &transport.Request{
		Method:    http.MethodGet,
		URL:       target,
		Header:    h,
		RequestID: co.requestID(),
		// The last segment of a download URI is a token: keep it out of
		// logs and errors.
		LogPath: "/documents/download",
	})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, decodeAPIError(resp.StatusCode, resp.Header, resp.Body, c.secretsFor(&call{}, co))
	}
	return resp.Body, nil
}

// documentURL checks that raw is a URI the secret key may be sent to. The
// errors never quote it: a download URI carries a token.
func (c *Client) documentURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Opaque != "" || u.Host == "":
		return "", invalidParams("document URI must be an absolute URL")
	case u.User != nil:
		return "", invalidParams("document URI must not carry user information")
	case u.Scheme != "https" && (u.Scheme != "http" || !transport.IsLoopback(u.Hostname())):
		return "", invalidParams("document URI must be https, except on a loopback host")
	}
	// The base URL was checked by NewClient; its prefix up to the path is
	// scheme://host.
	base := c.baseURL
	if i := strings.Index(base, "://"); i >= 0 {
		if j := strings.IndexByte(base[i+3:], '/'); j >= 0 {
			base = base[:i+3+j]
		}
	}
	origin := u.Scheme + "://" + u.Host
	onOmise := u.Scheme == "https" && strings.EqualFold(u.Host, omiseDocumentHost)
	if !onOmise && !strings.EqualFold(origin, base) {
		return "", invalidParams("document URI is not on the Omise API host")
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String(), nil
}
