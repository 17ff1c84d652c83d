//go:build !linux

package route

import "time"

var start = time.Now()

// threadCPU falls back to wall time where the thread's CPU clock is not read.
func threadCPU() time.Duration { return time.Since(start) }
