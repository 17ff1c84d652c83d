//go:build windows || plan9 || solaris || aix || android

package bolt

import (
	"os"
	"time"
)

// lockFile is a no-op where bbolt does not use flock(2): bbolt's own lock
// (taken in bbolt.Open) still keeps a second dispatchd out, but the meta
// inspection before it is then not protected against a concurrent writer.
func lockFile(*os.File, time.Duration) error { return nil }
