package alipayplus_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/instorepay/instore/alipayplus"
)

func TestCancelDeadline(t *testing.T) {
	t.Parallel()
	utc8 := time.FixedZone("UTC+8", 8*3600)
	tests := []struct {
		name    string
		payment time.Time
		want    time.Time
	}{
		{"documented 23:55 example: 20 minutes", time.Date(2024, 6, 12, 23, 55, 0, 0, utc8), time.Date(2024, 6, 13, 0, 15, 0, 0, utc8)},
		{"just after midnight: almost 24 hours", time.Date(2024, 6, 13, 0, 5, 0, 0, utc8), time.Date(2024, 6, 14, 0, 15, 0, 0, utc8)},
		{"exactly midnight", time.Date(2024, 6, 13, 0, 0, 0, 0, utc8), time.Date(2024, 6, 14, 0, 15, 0, 0, utc8)},
		{"one nanosecond before midnight", time.Date(2024, 6, 12, 23, 59, 59, 999999999, utc8), time.Date(2024, 6, 13, 0, 15, 0, 0, utc8)},
		{"at 00:15 itself", time.Date(2024, 6, 13, 0, 15, 0, 0, utc8), time.Date(2024, 6, 14, 0, 15, 0, 0, utc8)},
		// 15:59 UTC is 23:59 UTC+8 the same day; 16:00 UTC is already the next day there.
		{"UTC input before the UTC+8 midnight", time.Date(2024, 6, 12, 15, 59, 0, 0, time.UTC), time.Date(2024, 6, 13, 0, 15, 0, 0, utc8)},
		{"UTC input after the UTC+8 midnight", time.Date(2024, 6, 12, 16, 0, 0, 0, time.UTC), time.Date(2024, 6, 14, 0, 15, 0, 0, utc8)},
		{"Tokyo evening", time.Date(2024, 6, 12, 23, 30, 0, 0, time.FixedZone("JST", 9*3600)), time.Date(2024, 6, 13, 0, 15, 0, 0, utc8)},
		{"month end", time.Date(2024, 2, 29, 12, 0, 0, 0, utc8), time.Date(2024, 3, 1, 0, 15, 0, 0, utc8)},
		{"year end", time.Date(2024, 12, 31, 23, 0, 0, 0, utc8), time.Date(2025, 1, 1, 0, 15, 0, 0, utc8)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := alipayplus.CancelDeadline(tt.payment)
			assert.True(t, got.Equal(tt.want), "got %s, want %s", got, tt.want)
			assert.True(t, got.After(tt.payment))
		})
	}
	assert.True(t, alipayplus.CancelDeadline(time.Time{}).IsZero())
	d := alipayplus.CancelDeadline(time.Date(2024, 6, 12, 23, 55, 0, 0, utc8)).Sub(time.Date(2024, 6, 12, 23, 55, 0, 0, utc8))
	assert.Equal(t, 20*time.Minute, d)
}

func TestResultHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status                            alipayplus.ResultStatus
		code                              alipayplus.ResultCode
		succeeded, inquire, final, notExi bool
		windowShut                        bool
	}{
		{alipayplus.ResultSuccess, alipayplus.CodeSuccess, true, false, false, false, false},
		{alipayplus.ResultFailure, alipayplus.CodeUserBalanceNotEnough, false, false, true, false, false},
		{alipayplus.ResultFailure, alipayplus.CodeOrderNotExist, false, false, true, true, false},
		{alipayplus.ResultFailure, alipayplus.CodeCancelWindowExceed, false, false, true, false, true},
		{alipayplus.ResultUnknown, alipayplus.CodeUnknownException, false, true, false, false, false},
		{alipayplus.ResultUnknown, alipayplus.CodeRequestTrafficExceedLimit, false, true, false, false, false},
		{alipayplus.ResultUnknown, "SOMETHING_NEW", false, true, false, false, false},
		// An inquire code with a failure status is still not final.
		{alipayplus.ResultFailure, alipayplus.CodePaymentInProcess, false, true, false, false, false},
		{alipayplus.ResultFailure, "SOMETHING_NEW", false, false, true, false, false},
		// The id belongs to another request: this one is refused for good,
		// and an inquiry by that id would describe the other payment.
		{alipayplus.ResultFailure, alipayplus.CodeRepeatReqInconsistent, false, false, true, false, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.status)+"/"+string(tt.code), func(t *testing.T) {
			t.Parallel()
			r := alipayplus.Result{ResultStatus: tt.status, ResultCode: tt.code}
			assert.Equal(t, tt.succeeded, r.Succeeded())
			assert.Equal(t, tt.inquire, r.ShouldInquire())
			assert.Equal(t, tt.final, r.FinalFailure())
			assert.Equal(t, tt.notExi, r.OrderNotExist())
			assert.Equal(t, tt.windowShut, r.CancelWindowExceeded())
		})
	}
	for _, c := range []alipayplus.ResultCode{alipayplus.CodePaymentInProcess, alipayplus.CodeUnknownException, alipayplus.CodeRequestTrafficExceedLimit} {
		assert.True(t, c.MeansInquire(), c)
	}
	assert.False(t, alipayplus.CodeOrderNotExist.MeansInquire())
	assert.False(t, alipayplus.CodeRepeatReqInconsistent.MeansInquire())
	assert.True(t, alipayplus.Result{ResultStatus: alipayplus.ResultFailure, ResultCode: alipayplus.CodeRepeatReqInconsistent}.RequestIDReused())
	for _, s := range []alipayplus.PaymentStatus{alipayplus.PaymentSuccess, alipayplus.PaymentFail, alipayplus.PaymentCancelled} {
		assert.True(t, s.Final(), s)
	}
	for _, s := range []alipayplus.PaymentStatus{alipayplus.PaymentProcessing, alipayplus.PaymentPending, "", "AUTHORIZED"} {
		assert.False(t, s.Final(), s)
	}
}
