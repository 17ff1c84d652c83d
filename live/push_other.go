//go:build !unix

package live

// usePlainSocket does nothing where the pushers' raw writes are not built
// (a Unix write system call): every frame goes through the connection's
// own writer, as over TLS.
func (c *conn) usePlainSocket() {}
