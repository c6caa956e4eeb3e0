package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// salesJSON parses sales --json output.
func salesJSON(t *testing.T, out string) []saleJSON {
	t.Helper()
	var sales []saleJSON
	for _, l := range lines(out) {
		if l == "" {
			continue
		}
		var s saleJSON
		require.NoError(t, json.Unmarshal([]byte(l), &s), l)
		sales = append(sales, s)
	}
	return sales
}

func TestSalesOutputs(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		d.goldenOutputs("sales", exitOK)
	})
}

func TestSalesFilters(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		for _, tc := range []struct {
			name  string
			args  []string
			check func(t *testing.T, sales []saleJSON)
		}{
			{"all, newest first", nil, func(t *testing.T, sales []saleJSON) {
				require.Len(t, sales, testSales)
				for i := 1; i < len(sales); i++ {
					assert.Greater(t, sales[i-1].CreatedAt, sales[i].CreatedAt)
				}
			}},
			{"state", []string{"--state", "unresolved"}, func(t *testing.T, sales []saleJSON) {
				require.Len(t, sales, 1)
				assert.Equal(t, "unresolved", sales[0].State)
			}},
			{"states", []string{"--state", "failed,unresolved"}, func(t *testing.T, sales []saleJSON) {
				require.NotEmpty(t, sales)
				for _, s := range sales {
					assert.Contains(t, []string{"failed", "unresolved"}, s.State)
				}
			}},
			{"acquirer and store", []string{"--acquirer", "ppro", "--store", "LON-01"}, func(t *testing.T, sales []saleJSON) {
				require.NotEmpty(t, sales)
				for _, s := range sales {
					assert.Equal(t, "ppro", s.Acquirer)
					assert.Equal(t, "LON-01", s.StoreID)
					assert.Equal(t, "GBP", s.Currency)
				}
			}},
			{"period", []string{"--from", "2026-03-02T06:00:00Z", "--to", "2026-03-02T12:00:00Z"}, func(t *testing.T, sales []saleJSON) {
				require.Len(t, sales, testSales/4)
				for _, s := range sales {
					assert.GreaterOrEqual(t, s.CreatedAt, "2026-03-02T06:00:00Z")
					assert.Less(t, s.CreatedAt, "2026-03-02T12:00:00Z")
				}
			}},
			{"another day", []string{"--from", "2026-03-03"}, func(t *testing.T, sales []saleJSON) {
				assert.Empty(t, sales)
			}},
			{"limit", []string{"--limit", "3"}, func(t *testing.T, sales []saleJSON) {
				require.Len(t, sales, 3)
				assert.Equal(t, "sale-0040", sales[0].RequestID)
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := d.run(append([]string{"sales", "--simulate", "--json"}, tc.args...)...)
				require.Equal(t, exitOK, r.code, r.stderr)
				tc.check(t, salesJSON(t, r.stdout))
			})
		}
	})
}

func TestSalesMachineOutputsAgree(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	js := salesJSON(t, d.run("sales", "--simulate", "--json").stdout)
	rows, err := csv.NewReader(strings.NewReader(d.run("sales", "--simulate", "--csv").stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, len(js)+1)
	assert.Equal(t, saleCSVHeader, rows[0])
	for i, s := range js {
		// The CSV row is the JSON object's values, in the header's order.
		var obj map[string]any
		b, err := json.Marshal(s)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &obj))
		for c, name := range rows[0] {
			want := obj[name]
			if f, ok := want.(float64); ok {
				assert.Equal(t, int64(f), mustInt(t, rows[i+1][c]), name)
				continue
			}
			assert.Equal(t, want, rows[i+1][c], name)
		}
	}
	// Amounts in minor units: the text table's "1,633.00 THB" is 163300.
	text := d.run("sales", "--simulate").stdout
	assert.Contains(t, text, "1,633.00 THB")
	assert.Contains(t, d.run("sales", "--simulate", "--csv").stdout, ",163300,THB,")
}

// TestSalesJournalFlag reads the day's journal as an operator would: by
// --journal, and by INSTORE_JOURNAL, with the same output as --simulate.
func TestSalesJournalFlag(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		want := d.run("sales", "--simulate", "--csv")
		require.Equal(t, exitOK, want.code)

		byFlag := d.run(append([]string{"sales", "--csv", "--journal", d.journalArg}, d.schemaArgs()...)...)
		require.Equal(t, exitOK, byFlag.code, byFlag.stderr)
		assert.Equal(t, want.stdout, byFlag.stdout)

		d.env[envJournal] = d.journalArg
		byEnv := d.run(append([]string{"sales", "--csv"}, d.schemaArgs()...)...)
		require.Equal(t, exitOK, byEnv.code, byEnv.stderr)
		assert.Equal(t, want.stdout, byEnv.stdout)
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, json.Unmarshal([]byte(s), &n))
	return n
}
