//go:build unix

package instoreotel_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system, all
// threads: a benchmark on a busy machine reads its cost from it, not from
// the wall clock, which counts the time other processes held the cores.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
