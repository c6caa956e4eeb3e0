package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progressEvery is how often the progress line is redrawn at most.
const progressEvery = 100 * time.Millisecond

// progressLine draws one line of progress on a terminal, redrawn in place,
// and erases it when done. It is only ever made for a terminal: piped
// output gets nothing extra.
type progressLine struct {
	w    io.Writer
	mu   sync.Mutex
	last time.Time
	// drawn reports whether a line is on screen.
	drawn bool
}

// show draws line, at most every progressEvery unless final is set.
func (p *progressLine) show(line string, final bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if !final && p.drawn && now.Sub(p.last) < progressEvery {
		return
	}
	p.last, p.drawn = now, true
	// Carriage return, the line, then erase to the end of the line.
	fmt.Fprintf(p.w, "\r%s\x1b[K", line)
}

// clear erases the line, if one was drawn.
func (p *progressLine) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
