//go:build !(linux || darwin || openbsd)

package live

// usePlainSocket does nothing where the pushers' raw writes are not built
// (push_writev.go): every frame goes through the connection's own writer,
// as over TLS.
func (c *conn) usePlainSocket() {}

// writeOnce is never called here: no connection has a raw socket.
func (p *pusher) writeOnce(uintptr) bool { return true }
