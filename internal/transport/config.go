package transport

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// HTTPClientWithoutRedirects returns the client a payment client sends
// with: a copy of hc (nil means a new client on NewHTTPTransport) that
// never follows a redirect. No acquirer API redirects, and following one
// would send a signed or authenticated payment request, code included, to
// wherever the Location header points. The caller's hc is not modified.
func HTTPClientWithoutRedirects(hc *http.Client) *http.Client {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		c.Transport = NewHTTPTransport()
	}
	c.CheckRedirect = noRedirects
	return &c
}

// ParseBaseURL checks the rule every client applies to its base URL: an
// absolute URL with a host, https except on a loopback host (tests and
// simulators), and no user information, query or fragment. The error is a
// reason without the URL, for the caller to prefix with its package.
func ParseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("base URL does not parse")
	case u.Opaque != "" || u.Host == "":
		return nil, errors.New("base URL must be absolute, with a host")
	case u.User != nil:
		return nil, errors.New("base URL must not carry user information")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.RawFragment != "":
		return nil, errors.New("base URL must not have a query or a fragment")
	case u.Scheme != "https" && (u.Scheme != "http" || !IsLoopback(u.Hostname())):
		return nil, errors.New("base URL must be https, except on a loopback host")
	}
	return u, nil
}

// IsLoopback reports whether host is localhost or a loopback IP address,
// where plain http cannot leave the machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
