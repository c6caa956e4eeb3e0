package main

import (
	"errors"
	"net/http"
	"os"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// acquirers are what the server sells through: the Checkout's routes, the
// secrets that verify webhooks, and, on the simulators, the simulator that
// plays the customers.
type acquirers struct {
	name           string
	options        []instore.CheckoutOption
	webhookSecrets []string
	sim            *instoretest.Omise // nil on a real account
	close          func()
}

// routes is one Omise acquirer for every wallet and mode: Alipay (Alipay+
// codes) and WeChat Pay, scanned at the till or shown as a QR code.
func routes(acq instore.Presenter) []instore.CheckoutOption {
	return []instore.CheckoutOption{
		instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM),
		instore.WithRoute(instore.WalletWeChatPay, acq, instore.MethodWeChatPayUPM),
		instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusMPM),
		instore.WithPresentRoute(instore.WalletWeChatPay, acq, instore.MethodWeChatPayMPM),
	}
}

// simulated runs on the Omise simulator, in process: no account, no keys,
// no network. Its webhooks go to webhookURL through webhookClient (nil:
// over the network, as Omise's do).
func simulated(webhookURL string, webhookClient *http.Client, opts ...instoretest.Option) (*acquirers, error) {
	opts = append([]instoretest.Option{instoretest.WithWebhookURL(webhookURL)}, opts...)
	if webhookClient != nil {
		opts = append(opts, instoretest.WithWebhookClient(webhookClient))
	}
	sim := instoretest.NewOmise(opts...)
	client, err := sim.Client()
	if err != nil {
		sim.Close()
		return nil, err
	}
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		sim.Close()
		return nil, err
	}
	return &acquirers{
		name:           "the Omise simulator",
		options:        routes(acq),
		webhookSecrets: []string{sim.WebhookSecret()},
		sim:            sim,
		close:          sim.Close,
	}, nil
}

// omiseAccount runs on the Omise account whose secret key is in
// OMISE_SECRET_KEY; OMISE_WEBHOOK_SECRET verifies its webhooks.
func omiseAccount() (*acquirers, error) {
	client, err := instore.NewClient(os.Getenv("OMISE_SECRET_KEY"))
	if err != nil {
		return nil, err
	}
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		return nil, err
	}
	secret := os.Getenv("OMISE_WEBHOOK_SECRET")
	if secret == "" {
		return nil, errors.New("set OMISE_WEBHOOK_SECRET to the webhook secret of the Omise dashboard")
	}
	return &acquirers{name: "Omise", options: routes(acq), webhookSecrets: []string{secret}, close: func() {}}, nil
}
