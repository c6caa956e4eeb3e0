package main

import (
	"bytes"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestProgressLine(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		p := &progressLine{w: &out}
		p.clear()
		assert.Empty(t, out.String(), "nothing to erase before the first line")

		p.show("1/3", false)
		time.Sleep(progressEvery - time.Nanosecond)
		p.show("2/3", false) // too soon: skipped
		time.Sleep(time.Nanosecond)
		p.show("3/3 almost", false)
		p.show("3/3", true) // the last is always drawn
		p.clear()
		p.clear()
		assert.Equal(t, "\r1/3\x1b[K\r3/3 almost\x1b[K\r3/3\x1b[K\r\x1b[K", out.String())
	})
}
