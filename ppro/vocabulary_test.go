package ppro_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/ppro"
)

// The package's errors match the root package's sentinels, so that a
// caller classifies a Checkout's error with package instore alone; the
// package's own sentinels still match.
func TestErrorsMatchTheRootVocabulary(t *testing.T) {
	t.Parallel()
	roots := []error{
		instore.ErrInvalidRequest, instore.ErrInvalidParams, instore.ErrInvalidConfig,
		instore.ErrAuthentication, instore.ErrRateLimited, instore.ErrOutcomeUnknown, instore.ErrNotFound,
	}
	tests := []struct {
		name string
		err  error
		own  error
		want []error
	}{
		{"validation", &ppro.ValidationError{Op: "TRANSACTION", Field: "StoreID", Reason: "required"}, ppro.ErrInvalidRequest,
			[]error{instore.ErrInvalidRequest, instore.ErrInvalidParams}},
		{"configuration", ppro.ErrInvalidConfig, ppro.ErrInvalidConfig, []error{instore.ErrInvalidConfig}},
		{"429", &ppro.Error{Op: "GETTXSTATUS", StatusCode: 429, Err: ppro.ErrRateLimited}, ppro.ErrRateLimited,
			[]error{instore.ErrRateLimited}},
		{"429 after an earlier attempt", &ppro.Error{Op: "TRANSACTION", StatusCode: 429, OutcomeUnknown: true, Err: ppro.ErrRateLimited}, ppro.ErrRateLimited,
			[]error{instore.ErrRateLimited, instore.ErrOutcomeUnknown}},
		{"auth error", &ppro.RequestError{Op: "GETTXSTATUS", Reason: ppro.RequestFailAuth}, ppro.ErrAuthentication,
			[]error{instore.ErrAuthentication}},
		{"transaction not found", &ppro.RequestError{Op: "GETTXSTATUS", Reason: ppro.RequestFailTxNotFound}, ppro.ErrTxNotFound,
			[]error{instore.ErrNotFound}},
		{"refund not found", &ppro.RequestError{Op: "GETREFUNDSTATUS", Reason: ppro.RequestFailRefundNotFound}, ppro.ErrRefundNotFound,
			[]error{instore.ErrNotFound}},
		{"not unique", &ppro.RequestError{Op: "GETTXSTATUSBYMERCHANTTXID", Reason: ppro.RequestFailTxNotUnique}, ppro.ErrTxNotUnique, nil},
		{"system error", &ppro.RequestError{Op: "GETTXSTATUS", Reason: ppro.RequestFailSystem}, nil, nil},
	}
	for _, tt := range tests {
		if tt.own != nil {
			require.ErrorIs(t, tt.err, tt.own, tt.name)
		}
		for _, root := range roots {
			assert.Equal(t, slices.Contains(tt.want, root), errors.Is(tt.err, root), "%s: errors.Is(%v)", tt.name, root)
		}
	}
}
