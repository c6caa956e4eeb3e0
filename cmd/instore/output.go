package main

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/instorepay/instore"
)

// format is how a command prints: a table for people, JSON lines or CSV
// for machines.
type format int

const (
	formatText format = iota
	formatJSON
	formatCSV
)

// stamp formats t for every output: UTC, RFC 3339, to the second; empty
// for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// orDash is s, or "-" in a table cell where s is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// money is an amount for people: "1,500.00 THB"; "-" for none.
func money(m instore.Money) string {
	if m == (instore.Money{}) {
		return "-"
	}
	return m.String()
}

// plural is "1 sale", "2 sales".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// table writes aligned columns for people.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row writes one row; empty cells show as "-", tabs in a cell as spaces.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(orDash(c), "\t", " ")
	}
	_, _ = io.WriteString(t.tw, strings.Join(cells, "\t")+"\n")
}

func (t *table) flush() error { return t.tw.Flush() }

// jsonLines writes one JSON object per line.
type jsonLines struct {
	enc *json.Encoder
}

func newJSONLines(w io.Writer) *jsonLines {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonLines{enc: enc}
}

func (j *jsonLines) write(v any) error { return j.enc.Encode(v) }

// csvTable writes CSV with a header line.
type csvTable struct {
	w *csv.Writer
}

func newCSV(w io.Writer, header ...string) *csvTable {
	c := &csvTable{w: csv.NewWriter(w)}
	_ = c.w.Write(header)
	return c
}

func (c *csvTable) row(cells ...string) { _ = c.w.Write(cells) }

func (c *csvTable) flush() error {
	c.w.Flush()
	return c.w.Error()
}
