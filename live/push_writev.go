//go:build linux || darwin || openbsd

package live

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"
)

// The pushers' raw writes are one writev system call, which
// golang.org/x/sys/unix gives on these systems; elsewhere every frame goes
// through the connection's writer (push_other.go).

// usePlainSocket gives c the pushers' non-blocking writes when its
// connection is a plain socket (not TLS).
func (c *conn) usePlainSocket() {
	if sc, ok := c.net.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
		}
	}
}

// writeOnce is the body of a pusher's raw write of p.bufs: one system
// call, and done whatever it gave, so that the runtime never parks the
// pusher waiting for the socket.
func (p *pusher) writeOnce(fd uintptr) bool {
	for {
		n, err := unix.Writev(int(fd), p.bufs)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		p.n = max(n, 0)
		return true
	}
}
