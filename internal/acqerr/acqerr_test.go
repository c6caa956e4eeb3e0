package acqerr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/internal/acqerr"
)

var (
	errRootA = errors.New("root: a")
	errRootB = errors.New("root: b")
	errOther = errors.New("root: other")
)

// A sentinel keeps its message and matches itself and its roots, nothing
// else; two sentinels with one message stay distinct.
func TestSentinelMatchesItsRoots(t *testing.T) {
	t.Parallel()
	s := acqerr.Sentinel("pkg: thing", errRootA, errRootB)
	require.EqualError(t, s, "pkg: thing")
	require.ErrorIs(t, s, errRootA)
	require.ErrorIs(t, s, errRootB)
	require.NotErrorIs(t, s, errOther)
	require.NotErrorIs(t, s, acqerr.Sentinel("pkg: thing", errRootA, errRootB), "a sentinel is matched by identity")

	wrapped := fmt.Errorf("pkg: op: %w", s)
	require.ErrorIs(t, wrapped, s)
	require.ErrorIs(t, wrapped, errRootA, "the roots match through a wrap")
}

// Matching keeps the error's message and its chain and adds the sentinel;
// nil and an error that matches already come back unchanged.
func TestMatchingKeepsTheErrorAndAddsTheSentinel(t *testing.T) {
	t.Parallel()
	config := acqerr.Sentinel("pkg: invalid configuration", errRootA)
	cause := errors.New("pkg: nil client")

	err := acqerr.Matching(cause, config)
	require.EqualError(t, err, "pkg: nil client", "the refusal's own message")
	require.ErrorIs(t, err, cause, "the refusal stays in the chain")
	require.ErrorIs(t, err, config)
	require.ErrorIs(t, err, errRootA, "and through the sentinel, its roots")
	require.NotErrorIs(t, err, errOther)

	require.NoError(t, acqerr.Matching(nil, config))
	assert.Same(t, err, acqerr.Matching(err, config), "wrapping twice adds nothing")
	already := fmt.Errorf("%w: nil key", config)
	assert.Same(t, already, acqerr.Matching(already, config))
}

// A call error's message names the package and the call once, the cause
// without its repeated prefix, the last HTTP status and an unknown outcome.
func TestCallMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cause   error
		status  int
		unknown bool
		want    string
	}{
		{"own prefix dropped", errors.New("pkg: malformed response"), 0, false, "pkg: pay: malformed response"},
		{"root prefix dropped", errors.New("instore: response body too large"), 200, true,
			"pkg: pay: response body too large (HTTP 200) (outcome unknown: the request may have been processed)"},
		{"wrapped sentinel", fmt.Errorf("%w", acqerr.Sentinel("pkg: rate limited", errRootA)), 429, false, "pkg: pay: rate limited (HTTP 429)"},
		{"another package's prefix kept", errors.New("other: boom"), 0, false, "pkg: pay: other: boom"},
		{"no cause", nil, 502, true, "pkg: pay: failed (HTTP 502) (outcome unknown: the request may have been processed)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, acqerr.CallMessage("pkg", "pay", tt.cause, tt.status, tt.unknown), tt.name)
	}
	assert.Empty(t, acqerr.Tail(0, false), "nothing read and nothing at stake")
	assert.Equal(t, " (HTTP 429)", acqerr.Tail(429, false))
	assert.Equal(t, " (outcome unknown: the request may have been processed)", acqerr.Tail(0, true))
}
