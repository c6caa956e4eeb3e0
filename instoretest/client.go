package instoretest

import (
	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
)

// Client returns an Omise client pointed at the simulator through its
// in-process HTTPClient, with the simulator's keys: it works inside
// testing/synctest bubbles and opens no socket. opts are applied after the
// simulator's own, so a test can override them; to go over the loopback
// socket instead, pass instore.WithBaseURL(o.URL()) and
// instore.WithHTTPClient with a client of your own.
func (o *Omise) Client(opts ...instore.Option) (*instore.Client, error) {
	all := append([]instore.Option{
		instore.WithPublicKey(o.publicKey),
		instore.WithBaseURL(InProcessURL),
		instore.WithHTTPClient(o.HTTPClient()),
	}, opts...)
	return instore.NewClient(o.secretKey, all...)
}

// Client returns an Alipay+ client pointed at the simulator through its
// in-process HTTPClient, with the simulator's client id and keys, in the
// Antom flavour unless opts choose another. opts are applied after the
// simulator's own; to go over the loopback socket, pass
// alipayplus.WithBaseURL(a.URL()) and alipayplus.WithHTTPClient.
func (a *AlipayPlus) Client(opts ...alipayplus.Option) (*alipayplus.Client, error) {
	all := append([]alipayplus.Option{
		alipayplus.WithBaseURL(InProcessURL),
		alipayplus.WithHTTPClient(a.HTTPClient()),
	}, opts...)
	return alipayplus.NewClient(a.clientID, a.MerchantPrivateKey(), a.AlipayPublicKey(), all...)
}
