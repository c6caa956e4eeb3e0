package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// seededDiscrepancy is one discrepancy the simulated day was seeded with:
// what reconcile must find, and nothing else.
type seededDiscrepancy struct {
	class     class
	requestID string
	paymentID string
}

// role is what one slot of the simulated day holds besides a plain sale.
type role int

const (
	// A plain sale is the zero role.
	_ role = iota
	// roleStateDiffers: a sale that succeeded, whose journal record is
	// then edited to failed (a till that showed "failed" to a customer
	// who paid).
	roleStateDiffers
	// roleUnresolved: a sale the customer never confirms, whose cancel the
	// acquirer keeps refusing with 503s: the journal holds it unresolved,
	// the acquirer pending.
	roleUnresolved
	// roleMissing: a sale written to the journal as succeeded at Alipay+
	// with a payment id Alipay+ never made.
	roleMissing
	// roleOrphan: a plain sale, then a charge made straight through the
	// Omise API with an instore_request_id the journal never got.
	roleOrphan
	// roleOutside: a plain sale, then a charge with no
	// instore_request_id, as the Omise dashboard makes.
	roleOutside
)

// roles places k of each discrepancy in a day of n sales: one of each in
// every block of n/k slots, at the same places in each block. Every
// unresolved sale falls after the first hour of the day, so that at
// simulatedMorning it has not yet reached Omise's 24-hour expiry.
func roles(n int) map[int]role {
	k := max(1, n/200)
	block := n / k
	out := make(map[int]role)
	for j := range k {
		b := j * block
		out[b+block*1/10] = roleStateDiffers
		out[b+block*3/10] = roleMissing
		out[b+block*4/10] = roleOrphan
		out[b+max(block*6/10, n/24+1)] = roleUnresolved
		out[b+block*8/10] = roleOutside
	}
	return out
}

// seller sells the simulated day's sales, one Checkout per acquirer over
// the journal (each wallet routes to one acquirer in a Checkout).
type seller struct {
	sim       *simulation
	w         *world
	checkouts map[string]*instore.Checkout
}

// seed sells n sales through the simulators, one every 24h/n of the
// simulated day, and adds the discrepancies roles places.
func (sim *simulation) seed(ctx context.Context, w *world, n int) error {
	if n < 10 {
		return errors.New("a simulated day needs at least 10 sales")
	}
	s := &seller{sim: sim, w: w, checkouts: make(map[string]*instore.Checkout)}
	routes := map[string][]instore.CheckoutOption{
		instore.OmiseAcquirerName: {
			instore.WithRoute(instore.WalletAlipay, w.acquirers[instore.OmiseAcquirerName], instore.MethodAlipayPlusUPM),
			instore.WithRoute(instore.WalletWeChatPay, w.acquirers[instore.OmiseAcquirerName], instore.MethodWeChatPayUPM),
		},
		alipayplus.AcquirerName: {instore.WithRoute(instore.WalletAlipay, w.acquirers[alipayplus.AcquirerName], instore.MethodAlipayPlusCPM)},
		ppro.AcquirerName:       {instore.WithRoute(instore.WalletAlipay, w.acquirers[ppro.AcquirerName], instore.MethodPPROAlipay)},
	}
	for name, opts := range routes {
		c, err := instore.NewCheckout(append(opts, instore.WithJournal(w.journal), instore.WithSchedule(simSchedule))...)
		if err != nil {
			return err
		}
		s.checkouts[name] = c
	}
	interval := (24 * time.Hour / time.Duration(n)).Truncate(time.Second)
	rs := roles(n)
	for i := range n {
		at := simulatedDay.Add(time.Duration(i) * interval)
		sim.clock.Set(at)
		if err := s.slot(ctx, i, rs[i], at.Add(interval/2)); err != nil {
			return fmt.Errorf("sale %d: %w", i+1, err)
		}
		sim.sales++
	}
	return nil
}

// plainSale is one ordinary sale of the simulated day: its acquirer,
// wallet, outcome, amount and store follow from its index, so every run
// sells the same day.
type plainSale struct {
	requestID string
	acquirer  string
	code      string
	amount    instore.Money
	store     instore.Store
	// refund is how much is refunded once it succeeded; zero for none.
	refund int64
}

// plan is the plain sale in slot i: mostly Omise in Bangkok, some Alipay+
// in Singapore and PPRO in Zurich and London; a few declines, a few
// customers who confirm in the app a moment later, a few partial refunds.
func plan(i int) plainSale {
	p := plainSale{requestID: fmt.Sprintf("sale-%04d", i+1)}
	outcome := instoretest.Succeed
	switch {
	case i%17 == 5:
		outcome = []instoretest.Outcome{instoretest.DeclineInsufficientBalance, instoretest.DeclineRejected, instoretest.DeclinePayerCancelled}[i%3]
	case i%11 == 3:
		outcome = instoretest.ConfirmOnInquiry(2)
	}
	terminal := fmt.Sprintf("T-%d", 1+i%3)
	switch r := i % 20; {
	case r < 12:
		p.acquirer = instore.OmiseAcquirerName
		p.amount = bangkokAmount(i)
		p.store = instore.Store{ID: "BKK-01", Name: "Sukhumvit", TerminalID: terminal}
		if i%2 == 1 {
			p.store.ID, p.store.Name = "BKK-02", "Silom"
		}
		p.code = instoretest.AlipayCode(outcome, serial(i))
		if r%3 == 1 {
			p.code = instoretest.WeChatCode(outcome, serial(i))
		}
	case r < 16:
		p.acquirer = alipayplus.AcquirerName
		p.amount = singaporeAmount(i)
		p.store = instore.Store{ID: "SIN-01", Name: "Orchard", TerminalID: terminal}
		p.code = instoretest.AlipayCode(outcome, serial(i))
	default:
		// PPRO reports some declines pending until its session ends:
		// its customers always pay, to keep the day quick to sell.
		p.acquirer = ppro.AcquirerName
		p.amount = instore.Money{Amount: int64(3+(i*17)%120) * 100, Currency: instore.CHF}
		p.store = instore.Store{ID: "ZRH-01", Name: "Bahnhofstrasse", TerminalID: terminal}
		if r%2 == 1 {
			p.amount.Currency = instore.GBP
			p.store.ID, p.store.Name = "LON-01", "Covent Garden"
		}
		p.code = instoretest.AlipayCode(instoretest.Succeed, serial(i))
	}
	if i%23 == 7 {
		p.refund = max(1, p.amount.Amount/10)
	}
	return p
}

// bangkokAmount and singaporeAmount are the amount of slot i's sale in
// Bangkok (Omise) and in Singapore (Alipay+); the roles that move a slot to
// one of them sell it for the same amount a plain sale there would.
func bangkokAmount(i int) instore.Money {
	return instore.Money{Amount: int64(100+(i*7919)%4900) * 100, Currency: instore.THB}
}

func singaporeAmount(i int) instore.Money {
	return instore.Money{Amount: int64(5+(i*31)%200)*100 + 50, Currency: instore.SGD}
}

// serial is the serial number in the payment codes of slot i.
func serial(i int) uint64 {
	return uint64(i) //nolint:gosec // G115: a slot index, never negative
}

// slot sells slot i of the day, in its role; extraAt is when a charge the
// role adds beside the sale is made.
func (s *seller) slot(ctx context.Context, i int, r role, extraAt time.Time) error {
	p := plan(i)
	switch r {
	case roleMissing:
		return s.missing(ctx, i, p)
	case roleStateDiffers, roleUnresolved:
		p.acquirer, p.refund, p.amount = instore.OmiseAcquirerName, 0, bangkokAmount(i)
		p.store = instore.Store{ID: "BKK-01", Name: "Sukhumvit", TerminalID: "T-1"}
		p.code = instoretest.AlipayCode(instoretest.Succeed, serial(i))
	}
	if r == roleUnresolved {
		p.code = instoretest.AlipayCode(instoretest.NeverCompletes, serial(i))
		return s.unresolved(ctx, p)
	}
	pay, err := s.sell(ctx, p)
	if err != nil {
		return err
	}
	switch r {
	case roleStateDiffers:
		return s.editToFailed(ctx, p.requestID, pay.ID)
	case roleOrphan:
		s.sim.clock.Set(extraAt)
		return s.charge(ctx, i, fmt.Sprintf("lost-%04d", i+1))
	case roleOutside:
		s.sim.clock.Set(extraAt)
		return s.charge(ctx, i, "")
	}
	return nil
}

// sell collects a plain sale, and refunds part of it when planned.
func (s *seller) sell(ctx context.Context, p plainSale) (*instore.Payment, error) {
	c := s.checkouts[p.acquirer]
	pay, err := c.Collect(ctx, &instore.CollectRequest{
		Code: p.code, Amount: p.amount, RequestID: p.requestID, Store: p.store, Description: "simulated sale",
	})
	if err != nil && (pay == nil || pay.Status != instore.StatusFailed) {
		return nil, err
	}
	if p.refund > 0 && pay.Status == instore.StatusSucceeded {
		amount := instore.Money{Amount: p.refund, Currency: p.amount.Currency}
		if _, err := c.Refund(ctx, pay, amount, instore.WithRefundRequestID("refund-"+p.requestID)); err != nil {
			return nil, fmt.Errorf("refunding: %w", err)
		}
	}
	return pay, nil
}

// unresolved sells a sale the customer never confirms while Omise answers
// every cancel with a 503: the Checkout gives up with the sale unresolved.
func (s *seller) unresolved(ctx context.Context, p plainSale) error {
	s.sim.omise.InjectFault(instoretest.OmiseExpireCharge, 1000, instoretest.Fault{Kind: instoretest.FaultStatus, Status: 503})
	defer s.sim.omise.ClearFaults()
	pay, err := s.checkouts[p.acquirer].Collect(ctx, &instore.CollectRequest{
		Code: p.code, Amount: p.amount, RequestID: p.requestID, Store: p.store, Description: "simulated sale",
	})
	if !errors.Is(err, instore.ErrPaymentUnresolved) {
		return fmt.Errorf("the sale should be unresolved, it is %w", err)
	}
	s.sim.seeded = append(s.sim.seeded, seededDiscrepancy{class: classUnresolved, requestID: p.requestID, paymentID: pay.ID})
	return nil
}

// editToFailed rewrites a succeeded sale's journal record as failed, a
// minute after it was made.
func (s *seller) editToFailed(ctx context.Context, requestID, paymentID string) error {
	sale, err := s.sim.store.Sale(ctx, requestID)
	if err != nil {
		return err
	}
	sale.State, sale.FailureCode, sale.FailureMessage = instore.SaleFailed, "payment_rejected", "edited by hand"
	sale.UpdatedAt = sale.UpdatedAt.Add(time.Minute)
	if err := s.sim.store.Update(ctx, sale); err != nil {
		return err
	}
	s.sim.seeded = append(s.sim.seeded, seededDiscrepancy{class: classStateDiffers, requestID: requestID, paymentID: paymentID})
	return nil
}

// missing records a sale as succeeded at Alipay+ under a payment id
// Alipay+ never made: a journal that says the acquirer has money it does
// not.
func (s *seller) missing(ctx context.Context, i int, p plainSale) error {
	code, err := instore.ClassifyPaymentCode(instoretest.AlipayCode(instoretest.Succeed, serial(i)))
	if err != nil {
		return err
	}
	at := s.sim.clock.Now()
	sale := &instore.Sale{
		RequestID: p.requestID, Kind: instore.SaleCollect, Acquirer: alipayplus.AcquirerName,
		PaymentID: fmt.Sprintf("2026030219%010d", i+1), Method: instore.MethodAlipayPlusCPM, Wallet: code.Wallet,
		Amount:     singaporeAmount(i),
		Store:      instore.Store{ID: "SIN-01", Name: "Orchard", TerminalID: "T-1"},
		MaskedCode: code.String(), State: instore.SaleSucceeded,
		CreatedAt: at, AcquirerTime: at, UpdatedAt: at, Owner: simulatedOwner,
	}
	if err := s.sim.store.Record(ctx, sale); err != nil {
		return err
	}
	s.sim.seeded = append(s.sim.seeded, seededDiscrepancy{class: classMissing, requestID: sale.RequestID, paymentID: sale.PaymentID})
	return nil
}

// charge makes a charge straight through the Omise API, with requestID in
// its metadata, or with none when it is empty.
func (s *seller) charge(ctx context.Context, i int, requestID string) error {
	params := &instore.ChargeParams{
		Amount: int64(200+(i*613)%3000) * 100, Currency: instore.THB,
		Source: &instore.SourceParams{
			Type: instore.SourceAlipayPlusUPM, Barcode: instoretest.AlipayCode(instoretest.Succeed, serial(i)+500000),
			StoreID: "BKK-01", StoreName: "Sukhumvit", TerminalID: "T-9",
		},
		Description: "taken on the Omise dashboard",
	}
	c := classOutside
	if requestID != "" {
		params.Metadata = map[string]string{instore.RequestIDMetadataKey: requestID}
		params.Description = "taken by a till whose journal was lost"
		c = classOrphan
	}
	ch, err := s.w.omise.Charges.Create(ctx, params)
	if err != nil {
		return err
	}
	s.sim.seeded = append(s.sim.seeded, seededDiscrepancy{class: c, requestID: requestID, paymentID: ch.ID})
	return nil
}
