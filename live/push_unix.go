//go:build unix

package live

import (
	"errors"
	"syscall"
)

// usePlainSocket gives c the pushers' non-blocking writes when its
// connection is a plain socket (not TLS).
func (c *conn) usePlainSocket() {
	if sc, ok := c.net.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
			c.rawWrite = c.rawWriteOnce
		}
	}
}

// rawWriteOnce is the body of tryWrite's raw write: one write system call,
// and done whatever it gave, so that the runtime never parks the pusher
// waiting for the socket.
func (c *conn) rawWriteOnce(fd uintptr) bool {
	for {
		n, err := syscall.Write(int(fd), c.rawBuf)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		c.rawN = max(n, 0)
		return true
	}
}
