package instoretest

import "github.com/instorepay/instore/ppro"

// Client returns a PPRO client pointed at the simulator through its
// in-process HTTPClient, with the simulator's credentials. opts are applied
// after the simulator's own; to go over the loopback socket, pass
// ppro.WithBaseURL(p.URL()) and ppro.WithHTTPClient.
func (p *PPRO) Client(opts ...ppro.Option) (*ppro.Client, error) {
	all := append([]ppro.Option{
		ppro.WithBaseURL(InProcessURL),
		ppro.WithHTTPClient(p.HTTPClient()),
	}, opts...)
	return ppro.NewClient(p.cred, all...)
}
