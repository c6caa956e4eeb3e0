package instoretest

import (
	"encoding/json"
	"time"
)

// Notification and webhook storms (FaultStorm): a request that meets one is
// served normally, then the simulator delivers the same news about its
// payment many times over a short window, each copy one attempt, so that a
// receiver that is not idempotent, or not safe for concurrent deliveries,
// shows it.

// Defaults of a FaultStorm given no shape.
const (
	defaultStormCount  = 20
	defaultStormSpread = 200 * time.Millisecond
)

// stormLocked runs send Count times, spread evenly over Spread from now,
// on timers Close stops. c.mu is held.
func (c *core) stormLocked(f Fault, send func()) {
	n, spread := f.Count, f.Spread
	if n <= 0 {
		n = defaultStormCount
	}
	if spread <= 0 {
		spread = defaultStormSpread
	}
	for i := range n {
		c.afterLocked(spread*time.Duration(i)/time.Duration(n), send)
	}
}

// startStorm delivers the latest event about the charge (or refund) the
// request was about again and again: the charge's charge.* event
// (charge.create while it is pending), a refund's refund.create.
func (o *Omise) startStorm(ex *exchange) {
	if o.cfg.webhookURL == "" {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var ev *omiseEvent
	switch s := ex.subject.(type) {
	case *omiseCharge:
		ev = s.lastEvent
	case *omiseRefund:
		ev = s.event
	default:
		if len(ex.params) == 0 {
			return
		}
		ch, ok := o.charges[ex.params[0]]
		if !ok {
			return
		}
		ev = ch.lastEvent
		if ex.endpoint == OmiseGetRefund {
			for _, r := range ch.refunds {
				if r.id == ex.params[1] {
					ev = r.event
				}
			}
		}
	}
	if ev == nil {
		return
	}
	payload, err := json.Marshal(ev.json())
	if err != nil {
		return
	}
	o.stormLocked(ex.fault, func() { o.deliverOnce(ev, payload, 1, true) })
}

// startStorm sends the payment's notification again and again: at once if
// the payment is final, else when it becomes final (notifyPayment reports
// only S and F; a storm of what was never sent has nothing to repeat).
func (a *AlipayPlus) startStorm(ex *exchange) {
	if ex.endpoint == AlipayPlusRefund {
		return // refunds are not notified
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.payments[ex.key]
	if !ok {
		return
	}
	switch p.state {
	case apSucceeded, apFailed:
		a.stormNotifyLocked(p, ex.fault)
	case apPending:
		p.storms = append(p.storms, ex.fault)
	}
}

func (a *AlipayPlus) stormNotifyLocked(p *apPayment, f Fault) {
	target, body, ok := a.notificationLocked(p)
	if !ok {
		return
	}
	requestID := p.requestID
	a.stormLocked(f, func() { a.deliverNotifyOnce(target, requestID, body, 1, true) })
}

// startStorm sends the transaction's notification again and again: at once
// if it is final, else with its first notification (PPRO notifies SUCCEEDED
// and FAILED only). Refunds are not notified.
func (p *PPRO) startStorm(ex *exchange) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx, _ := ex.subject.(*pproTx)
	if tx == nil {
		return
	}
	if tx.state == pproPending {
		tx.storms = append(tx.storms, ex.fault)
		return
	}
	p.stormNotifyLocked(tx, ex.fault)
}

func (p *PPRO) stormNotifyLocked(tx *pproTx, f Fault) {
	target, body, ok := p.notificationLocked(tx)
	if !ok {
		return
	}
	key := tx.merchantTxID
	p.stormLocked(f, func() { p.deliverNotificationOnce(target, key, body, 1, true) })
}
