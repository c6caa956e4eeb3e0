package instoretest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// deliveryTimeout bounds one webhook or notification delivery by a
// simulator's own client.
const deliveryTimeout = 10 * time.Second

// newDeliveryClient is the client a simulator delivers webhooks and
// notifications with when it is given none: it reaches loopback
// addresses only (a test's own server), and refuses any other host without
// looking its name up. A simulator runs in tests, on machines that may have
// no network; and a name looked up inside a testing/synctest bubble ties
// the net package's resolver to that bubble, which then crashes the first
// lookup made outside it. Give WithWebhookClient or WithNotifyClient to
// deliver anywhere else. closeIdle is for Close.
func newDeliveryClient() (hc *http.Client, closeIdle func()) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		if host == "localhost" {
			host = "127.0.0.1"
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("instoretest: the simulator delivers to loopback addresses only, not %q (give it a client of your own)", host)
		}
		return d.DialContext(ctx, network, net.JoinHostPort(host, port))
	}
	return &http.Client{Transport: tr, Timeout: deliveryTimeout}, tr.CloseIdleConnections
}
