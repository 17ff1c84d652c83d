//go:build !windows && !plan9 && !solaris && !aix && !android

package bolt

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockFile takes the same flock(2) lock bbolt takes (bolt_unix.go) on f, so
// that the meta pages can be inspected and repaired before bbolt opens the
// file: flock locks belong to the open file description, so bbolt's own
// flock on this very *os.File succeeds, while any other dispatchd (or bbolt
// user) waits. It returns errLocked if the lock is still held after timeout.
func lockFile(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case !errors.Is(err, syscall.EWOULDBLOCK):
			return fmt.Errorf("lock %s: %w", f.Name(), err)
		case time.Now().After(deadline):
			return errLocked
		}
		time.Sleep(50 * time.Millisecond)
	}
}
