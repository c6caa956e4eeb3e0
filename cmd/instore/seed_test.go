package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoles(t *testing.T) {
	t.Parallel()
	for _, n := range []int{10, 40, 199, 200, 1000, 2000} {
		rs := roles(n)
		k := max(1, n/200)
		count := map[role]int{}
		for i, r := range rs {
			assert.GreaterOrEqual(t, i, 0)
			assert.Less(t, i, n, "n=%d", n)
			count[r]++
			if r == roleUnresolved {
				assert.Greater(t, i, n/24, "n=%d: an unresolved sale falls after the first hour", n)
			}
		}
		for _, r := range []role{roleStateDiffers, roleUnresolved, roleMissing, roleOrphan, roleOutside} {
			assert.Equal(t, k, count[r], "n=%d role %d", n, r)
		}
	}
}

// TestSimulatedDayIsTheSame: two runs sell the same day, but for the
// random part of the Omise simulator's ids.
func TestSimulatedDayIsTheSame(t *testing.T) {
	t.Parallel()
	a, b := newDay(t, "sqlite", testSales), newDay(t, "sqlite", testSales)
	for _, args := range [][]string{
		{"sales", "--simulate", "--csv"},
		{"reconcile", "--simulate", "--json"},
		{"show", "--simulate", "sale-0025"},
	} {
		ra, rb := a.run(args...), b.run(args...)
		assert.Equal(t, normalize(ra.stdout), normalize(rb.stdout), args)
	}
}

func TestSimulateTooSmall(t *testing.T) {
	t.Parallel()
	_, _, err := simulate(t.Context(), simConfig{sales: 5, open: openTempSQLite})
	assert.ErrorContains(t, err, "a simulated day needs at least 10 sales")
}

// TestSimulateDefault runs the tool as a process does: --simulate sells
// the default day into a temporary directory, and removes it after.
func TestSimulateDefault(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"reconcile", "--simulate", "--json"}, &stdout, &stderr)
	require.Equal(t, exitAttention, code, stderr.String())
	assert.Empty(t, stderr.String())
	_, sum := reconcileJSON(t, stdout.String())
	assert.Equal(t, defaultSimulatedSales-3, sum.Counts["matched"])
	assert.Equal(t, 5, sum.Discrepancies)
	left, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, left, "the simulated journal is removed")
}
