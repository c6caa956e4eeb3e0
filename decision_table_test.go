package instore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decisionRow is one row of the README's table "What Collect returns, and
// what the till does", run against scripted acquirers.
type decisionRow struct {
	outcome string // the row's first cell
	// variant tells apart the ways a row comes about.
	variant string
	// run makes the sale and returns what Collect returned.
	run func(t *testing.T) (*Payment, error)
	// wantNil is set when no payment comes back; otherwise wantStatus.
	wantNil    bool
	wantStatus PaymentStatus
	// wantCode is the payment's FailureCode, when it matters.
	wantCode string
	// wantErrs must all match (none: a nil error); the README's row names
	// each of them.
	wantErrs []error
}

// sentinelNames are the names the README uses for the sentinels.
var sentinelNames = map[error]string{
	ErrPaymentUnresolved:    "ErrPaymentUnresolved",
	ErrInvalidRequest:       "ErrInvalidRequest",
	ErrInvalidParams:        "ErrInvalidParams",
	ErrInvalidPaymentCode:   "ErrInvalidPaymentCode",
	ErrUnknownWallet:        "ErrUnknownWallet",
	ErrNoRoute:              "ErrNoRoute",
	ErrAmountTooLarge:       "ErrAmountTooLarge",
	ErrCurrencyNotSupported: "ErrCurrencyNotSupported",
	ErrAuthentication:       "ErrAuthentication",
	ErrRequestInProgress:    "ErrRequestInProgress",
	ErrRequestIDReused:      "ErrRequestIDReused",
}

// scripted runs one Collect of sale() on a fake acquirer with the given
// answers, on a short schedule, inside the caller's synctest bubble.
func scripted(t *testing.T, script func(f *fakeAcquirer), req *CollectRequest) (*Payment, error) {
	t.Helper()
	f := newFake(time.Now())
	script(f)
	c := newTestCheckout(t, f, WithSchedule(Schedule{
		Inquiry: seconds(2, 3), Cancel: seconds(2, 3),
	}))
	return c.Collect(t.Context(), req)
}

func decisionRows() []decisionRow {
	withSale := func(script func(f *fakeAcquirer)) func(t *testing.T) (*Payment, error) {
		return func(t *testing.T) (*Payment, error) { return scripted(t, script, sale()) }
	}
	refusedBy := func(err error) func(t *testing.T) (*Payment, error) {
		return withSale(func(f *fakeAcquirer) { f.pay = []fakeCall{fails(err)} })
	}
	before := func(change func(r *CollectRequest)) func(t *testing.T) (*Payment, error) {
		return func(t *testing.T) (*Payment, error) {
			r := sale()
			change(r)
			return scripted(t, func(*fakeAcquirer) {}, r)
		}
	}
	return []decisionRow{
		{outcome: "Succeeded", variant: "paid at once",
			run:        withSale(func(f *fakeAcquirer) { f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")} }),
			wantStatus: StatusSucceeded},
		{outcome: "Succeeded", variant: "confirmed in the app",
			run: withSale(func(f *fakeAcquirer) {
				f.pay = []fakeCall{answer(StatusPending, "pay_1")}
				f.inquire = []fakeCall{answer(StatusSucceeded, "pay_1")}
			}),
			wantStatus: StatusSucceeded},
		{outcome: "Declined", variant: "by the wallet",
			run:        withSale(func(f *fakeAcquirer) { f.pay = []fakeCall{declined("USER_BALANCE_NOT_ENOUGH")} }),
			wantStatus: StatusFailed, wantCode: "USER_BALANCE_NOT_ENOUGH"},
		{outcome: "Declined", variant: "in the app",
			run: withSale(func(f *fakeAcquirer) {
				f.pay = []fakeCall{answer(StatusPending, "pay_1")}
				f.inquire = []fakeCall{declined("insufficient_balance")}
			}),
			wantStatus: StatusFailed, wantCode: "insufficient_balance"},
		{outcome: "Cancelled", variant: "never confirmed",
			run:        withSale(neverConfirms),
			wantStatus: StatusCancelled},
		{outcome: "Cancelled", variant: "the cashier gave up",
			run: func(t *testing.T) (*Payment, error) {
				ctx, cancel := context.WithTimeout(t.Context(), time.Second)
				defer cancel()
				f := newFake(time.Now())
				neverConfirms(f)
				return newTestCheckout(t, f).Collect(ctx, sale())
			},
			wantStatus: StatusCancelled},
		{outcome: "Unresolved", variant: "the acquirer stopped answering",
			run: withSale(func(f *fakeAcquirer) {
				f.pay = []fakeCall{unknown}
				f.inquire = []fakeCall{unknown}
				f.cancel = []fakeCall{unknown}
			}),
			wantStatus: StatusUnknown, wantErrs: []error{ErrPaymentUnresolved}},
		{outcome: "Refused before sending", variant: "a bad request id",
			run: before(func(r *CollectRequest) { r.RequestID = "sale 1"; r.Code = "not a code" }), wantNil: true,
			wantErrs: []error{ErrInvalidRequest}},
		{outcome: "Refused before sending", variant: "not a payment code",
			run: before(func(r *CollectRequest) { r.Code = "28x234567890123456" }), wantNil: true,
			wantErrs: []error{ErrInvalidPaymentCode}},
		{outcome: "Refused before sending", variant: "a wallet nobody knows",
			run: before(func(r *CollectRequest) { r.Code = "991234567890123456" }), wantNil: true,
			wantErrs: []error{ErrUnknownWallet}},
		{outcome: "Refused before sending", variant: "a wallet with no route",
			run: func(t *testing.T) (*Payment, error) {
				f := newFake(time.Now())
				c, err := NewCheckout(WithRoute(WalletWeChatPay, f, MethodWeChatPayUPM))
				require.NoError(t, err)
				return c.Collect(t.Context(), sale())
			}, wantNil: true,
			wantErrs: []error{ErrNoRoute}},
		{outcome: "Refused before sending", variant: "over the limit",
			run: before(func(r *CollectRequest) { r.Amount.Amount = 1 << 40 }), wantNil: true,
			wantErrs: []error{ErrAmountTooLarge}},
		{outcome: "Refused before sending", variant: "a currency the method does not take",
			run: before(func(r *CollectRequest) { r.Amount = Money{Amount: 10000, Currency: JPY} }), wantNil: true,
			wantErrs: []error{ErrCurrencyNotSupported}},
		{outcome: "Refused before sending", variant: "by the acquirer's adapter",
			run: refusedBy(invalidParams("TerminalID: required")), wantNil: true,
			wantErrs: []error{ErrInvalidRequest, ErrInvalidParams}},
		{outcome: "Refused by the acquirer as a bad request", variant: "invalid_amount",
			run:        refusedBy(&APIError{StatusCode: 400, Code: "invalid_amount", Message: "amount is invalid"}),
			wantStatus: StatusFailed, wantCode: FailureRefused, wantErrs: []error{ErrInvalidRequest}},
		{outcome: "Refused by the acquirer as a bad request", variant: "a revoked key",
			run:        refusedBy(&APIError{StatusCode: 401, Code: "authentication_failure", Message: "authentication failed"}),
			wantStatus: StatusFailed, wantCode: FailureRefused, wantErrs: []error{ErrAuthentication}},
		{outcome: "In progress", variant: "the same request id, running",
			run: func(t *testing.T) (*Payment, error) {
				_, p, err := collectTwiceInFlight(t)
				return p, err
			}, wantNil: true,
			wantErrs: []error{ErrRequestInProgress}},
		{outcome: "Request id reused", variant: "the journal knew it",
			run: func(t *testing.T) (*Payment, error) {
				f := newFake(time.Now())
				f.pay = []fakeCall{answer(StatusSucceeded, "pay_1")}
				c := newTestCheckout(t, f)
				_, err := c.Collect(t.Context(), sale())
				require.NoError(t, err)
				other := sale()
				other.Amount.Amount *= 2
				return c.Collect(t.Context(), other)
			}, wantNil: true,
			wantErrs: []error{ErrRequestIDReused}},
		{outcome: "Request id reused", variant: "only the acquirer knew it",
			run:        refusedBy(fmt.Errorf("fake: pay: %w (REPEAT_REQ_INCONSISTENT)", ErrRequestIDReused)),
			wantStatus: StatusFailed, wantCode: FailureRefused, wantErrs: []error{ErrRequestIDReused}},
	}
}

// Every row of the README's decision table, run against the code: what
// Collect returns for each outcome, and that the README names it so.
func TestDecisionTable(t *testing.T) {
	t.Parallel()
	readme := readmeDecisionTable(t)
	rows := decisionRows()
	seen := make(map[string]bool)
	for _, row := range rows {
		seen[row.outcome] = true
		t.Run(row.outcome+"/"+row.variant, func(t *testing.T) {
			t.Parallel()
			line, ok := readme[row.outcome]
			require.True(t, ok, "the README's table has no row %q", row.outcome)
			synctest.Test(t, func(t *testing.T) {
				p, err := row.run(t)
				if len(row.wantErrs) == 0 {
					require.NoError(t, err)
				}
				for _, want := range row.wantErrs {
					require.ErrorIs(t, err, want)
					assert.Contains(t, line, "`"+sentinelNames[want]+"`", "the README's row names %s", sentinelNames[want])
				}
				if !errors.Is(err, ErrPaymentUnresolved) && err != nil {
					assert.False(t, p != nil && p.Status == StatusSucceeded, "an error never comes with money taken")
				}
				if row.wantNil {
					assert.Nil(t, p, "nothing was sent: no payment")
					assert.Contains(t, line, "`p == nil`")
					return
				}
				require.NotNil(t, p)
				assert.Equal(t, row.wantStatus, p.Status)
				assert.Contains(t, line, statusName(row.wantStatus))
				if row.wantCode != "" {
					assert.Equal(t, row.wantCode, p.FailureCode)
				}
				if row.wantCode == FailureRefused {
					assert.Contains(t, line, "FailureRefused")
				}
				if len(row.wantErrs) == 0 {
					assert.Contains(t, line, "`err == nil`")
				}
			})
		})
	}
	for outcome := range readme {
		assert.True(t, seen[outcome], "the README's row %q is not tested", outcome)
	}
}

func statusName(s PaymentStatus) string {
	return map[PaymentStatus]string{
		StatusSucceeded: "StatusSucceeded", StatusFailed: "StatusFailed",
		StatusCancelled: "StatusCancelled", StatusUnknown: "StatusUnknown",
	}[s]
}

// readmeDecisionTable returns the rows of the README's decision table by
// their first cell.
func readmeDecisionTable(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("README.md")
	require.NoError(t, err)
	defer f.Close()
	rows := make(map[string]string)
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "#### What `Collect` returns"):
			in = true
		case !in:
		case strings.HasPrefix(line, "#"):
			in = false
		case strings.HasPrefix(line, "| Outcome") || strings.HasPrefix(line, "| ---"):
		case strings.HasPrefix(line, "| "):
			cells := strings.Split(line, "|")
			rows[strings.TrimSpace(cells[1])] = line
		}
	}
	require.NoError(t, sc.Err())
	require.Len(t, rows, 8, "the README's decision table")
	return rows
}
