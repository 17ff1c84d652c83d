//go:build !unix

package testenv

import "time"

// CPUTime is not measured here (no getrusage): benchmarks report 0 CPU.
func CPUTime() time.Duration { return 0 }
