package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// environment is what a sale runs against: the routes for the Checkout,
// the code the customer shows, and, where the example plays the customer,
// what the customer does once the payment waits for them.
type environment struct {
	name     string
	code     string
	options  []instore.CheckoutOption
	customer func(paymentID string)
	// bind, when set, is handed the Checkout once it exists, for an
	// acquirer whose notifications wake it.
	bind  func(*instore.Checkout)
	close func()
	// qrCustomer plays the customer of a QR sale (simulators only).
	qrCustomer func(requestID string, checkout *instore.Checkout)
}

// demoSchedule shortens the wait before a cancel in the simulated timeout,
// so the example ends in seconds rather than after Antom's 38 s of
// inquiries, which the real acquirers get.
var demoSchedule = instore.Schedule{
	Inquiry: []time.Duration{time.Second, time.Second, time.Second},
	Cancel:  []time.Duration{time.Second, time.Second},
}

func setup(o *options, stdout io.Writer) (*environment, error) {
	if key := os.Getenv("OMISE_SECRET_KEY"); key != "" && o.acquirer == "omise" {
		return omiseTestMode(o, key, stdout)
	}
	if o.mode == "qr" {
		return simulatedQR(o, stdout)
	}
	outcome, err := simulatedOutcome(o.outcome)
	if err != nil {
		return nil, err
	}
	env := &environment{code: o.code}
	if env.code == "" {
		env.code = instoretest.AlipayCode(outcome, uint64(time.Now().Unix()%1_000_000))
	}
	if outcome == instoretest.NeverCompletes {
		env.options = append(env.options, instore.WithSchedule(demoSchedule))
		fmt.Fprintln(stdout, "(demo schedule: inquiries 1 s apart, then a cancel)")
	}
	switch o.acquirer {
	case "omise":
		var remote bool
		if remote, err = remoteOmise(env); !remote {
			err = simulatedOmise(env)
		}
	case "alipayplus":
		err = simulatedAlipayPlus(env)
	case "ppro":
		err = simulatedPPRO(env)
	default:
		err = fmt.Errorf("unknown acquirer %q (omise | alipayplus | ppro)", o.acquirer)
	}
	if err != nil {
		return nil, err
	}
	return env, nil
}

// simulatedOutcome is the simulator outcome that plays -outcome: the
// customer confirms after 3 s, declines in the app, or never answers.
func simulatedOutcome(s string) (instoretest.Outcome, error) {
	switch s {
	case "success":
		return instoretest.ConfirmAfter(3 * time.Second), nil
	case "decline":
		return instoretest.DeclineOnInquiry(instoretest.DeclineInsufficientBalance), nil
	case "timeout":
		return instoretest.NeverCompletes, nil
	}
	return "", fmt.Errorf("unknown outcome %q (success | decline | timeout)", s)
}

func simulatedOmise(env *environment) error {
	sim := instoretest.NewOmise()
	env.close = sim.Close
	client, err := sim.Client()
	if err != nil {
		return err
	}
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		return err
	}
	env.name = "Omise (simulated)"
	env.options = append(env.options,
		instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM),
		instore.WithRoute(instore.WalletWeChatPay, acq, instore.MethodWeChatPayUPM))
	return nil
}

func simulatedAlipayPlus(env *environment) error {
	sim := instoretest.NewAlipayPlus()
	env.close = sim.Close
	client, err := sim.Client()
	if err != nil {
		return err
	}
	acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{
		Merchant: alipayplus.Merchant{
			ReferenceMerchantID: "M-0001",
			Name:                "instore example shop",
			MCC:                 "5812",
			Store:               alipayplus.Store{ReferenceStoreID: "BKK-01", Name: "Sukhumvit", MCC: "5812"},
		},
	})
	if err != nil {
		return err
	}
	env.name = "Alipay+ (simulated)"
	env.options = append(env.options, instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusCPM))
	return nil
}

// simulatedPPRO sells through PPRO's Alipay in-store method (CHF or GBP).
// The simulator's notifications go to the SDK's NotificationHandler in
// process, which wakes the waiting Checkout as soon as the customer
// confirms, instead of at the next 5 s poll.
func simulatedPPRO(env *environment) error {
	handler := http.NotFoundHandler()
	sim := instoretest.NewPPRO(instoretest.WithNotifyClient(instoretest.HandlerClient(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler.ServeHTTP(w, r)
	}))))
	env.close = sim.Close
	client, err := sim.Client()
	if err != nil {
		return err
	}
	acq, err := ppro.NewAcquirer(client, ppro.AcquirerConfig{NotificationURL: "https://pos.example.ch/ppro/notify"})
	if err != nil {
		return err
	}
	env.name = "PPRO (simulated)"
	env.options = append(env.options, instore.WithRoute(instore.WalletAlipay, acq, instore.MethodPPROAlipay))
	env.bind = func(c *instore.Checkout) {
		handler = client.NotificationHandler([]string{sim.NotificationSecret()}, func(_ context.Context, n *ppro.Notification) error {
			c.Notify(n.PaymentIDs()...)
			return nil
		})
	}
	return nil
}

// omiseTestMode sells through the real Omise API. With a test key the
// example plays the customer by marking the charge paid or failed, which
// only test mode allows.
func omiseTestMode(o *options, secret string, stdout io.Writer) (*environment, error) {
	var opts []instore.Option
	if pub := os.Getenv("OMISE_PUBLIC_KEY"); pub != "" {
		opts = append(opts, instore.WithPublicKey(pub))
	}
	client, err := instore.NewClient(secret, opts...)
	if err != nil {
		return nil, err
	}
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		return nil, err
	}
	env := &environment{
		name:  "Omise",
		code:  o.code,
		close: func() {},
		options: []instore.CheckoutOption{
			instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM),
			instore.WithRoute(instore.WalletWeChatPay, acq, instore.MethodWeChatPayUPM),
			instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusMPM),
		},
	}
	if env.code == "" {
		env.code = "281234567890123400"
	}
	if !strings.HasPrefix(secret, "skey_test_") {
		fmt.Fprintln(stdout, "(live key: the example does not play the customer)")
		return env, nil
	}
	mark := map[string]func(context.Context, string, ...instore.RequestOption) (*instore.Charge, error){
		"success": client.Charges.MarkAsPaid,
		"decline": client.Charges.MarkAsFailed,
	}[o.outcome]
	if mark != nil {
		env.customer = func(chargeID string) {
			time.AfterFunc(3*time.Second, func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if _, err := mark(ctx, chargeID); err != nil {
					fmt.Fprintln(stdout, "(could not play the customer:", err, ")")
				}
			})
		}
	}
	return env, nil
}
