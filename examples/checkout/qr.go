package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
)

// demoPresentSchedule shortens the customer's two minutes to five seconds
// in the simulated abandon, so that the example ends quickly.
var demoPresentSchedule = instore.Schedule{
	Inquiry: []time.Duration{time.Second, time.Second, time.Second, time.Second, time.Second},
	Cancel:  []time.Duration{time.Second, time.Second},
}

// qrSimulator is the customer's side of a simulator.
type qrSimulator interface {
	PayPresented(id string) error
	DeclinePresented(id, code string) error
}

// simulatedQR sets up a QR sale on a simulator: Omise alipayplus_mpm (the
// charge's QR image), or an Alipay+ order code (the code's content).
func simulatedQR(o *options, stdout io.Writer) (*environment, error) {
	var act func(sim qrSimulator, id string) error
	switch o.outcome {
	case "success":
		act = func(sim qrSimulator, id string) error {
			return sim.PayPresented(id)
		}
	case "decline":
		act = func(sim qrSimulator, id string) error {
			return sim.DeclinePresented(id, "")
		}
	case "abandon", "timeout":
	default:
		return nil, fmt.Errorf("unknown outcome %q for -mode qr (success | decline | abandon)", o.outcome)
	}
	env := &environment{}
	var sim qrSimulator
	switch o.acquirer {
	case "omise":
		s := instoretest.NewOmise()
		env.close, sim = s.Close, s
		client, err := s.Client()
		if err != nil {
			return nil, err
		}
		acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
		if err != nil {
			return nil, err
		}
		env.name = "Omise Alipay+ MPM (simulated)"
		env.options = append(env.options, instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusMPM))
	case "alipayplus":
		s := instoretest.NewAlipayPlus()
		env.close, sim = s.Close, s
		client, err := s.Client()
		if err != nil {
			return nil, err
		}
		acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{
			Merchant: alipayplus.Merchant{
				ReferenceMerchantID: "M-0001",
				Name:                "instore example shop",
				MCC:                 "5812",
				Store:               alipayplus.Store{ReferenceStoreID: "BKK-01", Name: "Sukhumvit", MCC: "5812"},
			},
			TerminalID: "T-01",
		})
		if err != nil {
			return nil, err
		}
		env.name = "Alipay+ order code (simulated)"
		env.options = append(env.options, instore.WithPresentRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusOrderCode))
	default:
		return nil, fmt.Errorf("unknown acquirer %q (omise | alipayplus)", o.acquirer)
	}
	if act == nil {
		env.options = append(env.options, instore.WithPresentSchedule(demoPresentSchedule))
		fmt.Fprintln(stdout, "(demo schedule: the customer gets 5 s instead of 2 minutes)")
		return env, nil
	}
	env.qrCustomer = func(requestID string, checkout *instore.Checkout) {
		time.AfterFunc(4*time.Second, func() {
			if err := act(sim, requestID); err != nil {
				fmt.Fprintln(stdout, "(could not play the customer:", err, ")")
				return
			}
			// The acquirer's webhook or notification, as its handler would
			// pass it on: the wait ends now rather than at the next inquiry.
			checkout.Notify(requestID)
		})
	}
	return env, nil
}

// runQR sells by showing a QR code: Present, show the code (its content, or
// its image written to a file), let the customer act, then Wait.
func runQR(ctx context.Context, o *options, env *environment, checkout *instore.Checkout, amount instore.Money,
	say func(step, detail string), stderr io.Writer) int {
	say("present", fmt.Sprintf("%s through %s", amount, env.name))
	pm, err := checkout.Present(ctx, &instore.PresentRequest{
		Wallet:      instore.WalletAlipay,
		Amount:      amount,
		Description: "instore example QR sale",
		Store:       instore.Store{ID: o.storeID, Name: o.storeName, TerminalID: o.terminalID},
	})
	var unresolved *instore.UnresolvedError
	switch {
	case errors.As(err, &unresolved):
		say("unresolved", "check later: request "+unresolved.Payment.RequestID+" "+unresolved.Payment.ID)
		return 1
	case errors.Is(err, instore.ErrNotPresented):
		say("refused", err.Error())
		return 0
	case err != nil:
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	if pm.QR.Content != "" {
		say("show", "QR code of "+pm.QR.Content)
	}
	if pm.QR.ImageURI != "" {
		say("show", "QR image at "+pm.QR.ImageURI)
		if img, err := pm.Image(ctx); err != nil {
			say("show", "could not fetch the image: "+err.Error())
		} else {
			path := o.qrFile
			if path == "" {
				path = filepath.Join(os.TempDir(), "instore-qr-"+pm.Payment.RequestID+imageExt(pm.QR.ImageType))
			}
			if err := os.WriteFile(path, img, 0o600); err != nil {
				fmt.Fprintln(stderr, "checkout:", err)
				return 2
			}
			say("saved", fmt.Sprintf("%s (%d bytes)", path, len(img)))
		}
	}
	if !pm.QR.ExpiresAt.IsZero() {
		say("expires", pm.QR.ExpiresAt.Format(time.RFC3339))
	}
	switch {
	case env.qrCustomer != nil:
		env.qrCustomer(pm.Payment.RequestID, checkout)
	case env.customer != nil:
		env.customer(pm.Payment.ID) // Omise test mode: mark the charge paid or failed
	}
	say("waiting", "for the customer to scan and pay")

	p, err := pm.Wait(ctx)
	if errors.As(err, &unresolved) {
		say("unresolved", "check later: request "+unresolved.Payment.RequestID+" "+unresolved.Payment.ID)
		return 1
	}
	line := string(p.Status) + " " + p.Amount.String() + " " + p.ID
	if p.FailureCode != "" {
		line += " (" + p.FailureCode + ")"
	}
	say("answer", line)
	return 0
}

// imageExt names a file of the image's media type.
func imageExt(mediaType string) string {
	switch mediaType {
	case "image/svg+xml":
		return ".svg"
	case "image/png":
		return ".png"
	}
	return ".img"
}
