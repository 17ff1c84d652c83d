//go:build unix

package testenv

import (
	"syscall"
	"time"
)

// CPUTime is the CPU time the process used so far (every thread, the
// garbage collector's too): on a machine shared with other builds it says
// what a benchmark costs better than the wall clock.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
