package live

import (
	"encoding/binary"
	"encoding/json"
	"strconv"
)

// Messages are sent as ready-made websocket frames (RFC 6455 §5.2): a
// server's frames are not masked, so the bytes of one message are the same
// for every client and are encoded once. No extension is negotiated.

// appendTextFrameHeader appends the header of a final, unmasked text frame
// carrying n bytes.
func appendTextFrameHeader(dst []byte, n int) []byte {
	const finText = 0x81
	switch {
	case n < 126:
		return append(dst, finText, byte(n))
	case n <= 0xFFFF:
		return binary.BigEndian.AppendUint16(append(dst, finText, 126), uint16(n))
	default:
		return binary.BigEndian.AppendUint64(append(dst, finText, 127), uint64(n))
	}
}

// frameHeaderSize is the size of the header appendTextFrameHeader writes.
func frameHeaderSize(n int) int {
	switch {
	case n < 126:
		return 2
	case n <= 0xFFFF:
		return 4
	default:
		return 10
	}
}

// textFrame wraps a JSON message of the form prefix + body + suffix into one
// frame, allocating once.
func textFrame(prefix, body, suffix []byte) []byte {
	n := len(prefix) + len(body) + len(suffix)
	f := make([]byte, 0, frameHeaderSize(n)+n)
	f = appendTextFrameHeader(f, n)
	f = append(f, prefix...)
	f = append(f, body...)
	return append(f, suffix...)
}

// framePayload is the JSON message inside a frame built by textFrame.
func framePayload(f []byte) []byte {
	switch f[1] {
	case 126:
		return f[4:]
	case 127:
		return f[10:]
	}
	return f[2:]
}

// eventPrefix is `{"type":"event","epoch":E,"seq":N,"event":NAME,"data":`;
// the data and a closing brace follow.
func eventPrefix(epochJSON []byte, seq uint64, name string) []byte {
	p := make([]byte, 0, 64+len(name))
	p = append(p, `{"type":"event","epoch":`...)
	p = append(p, epochJSON...)
	p = append(p, `,"seq":`...)
	p = strconv.AppendUint(p, seq, 10)
	p = append(p, `,"event":`...)
	p = append(p, mustJSON(name)...)
	return append(p, `,"data":`...)
}

// snapshotMessage is the first message of a connection.
type snapshotMessage struct {
	Type      string `json:"type"`
	Epoch     string `json:"epoch"`
	Seq       uint64 `json:"seq"`
	Incidents any    `json:"incidents"`
	Units     any    `json:"units"`
	Cameras   any    `json:"cameras"`
}

var closeBrace = []byte("}")

// pongFrame answers a client's {"type":"ping"}.
var pongFrame = textFrame([]byte(`{"type":"pong"}`), nil, nil)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called on strings and our own types
	}
	return b
}
