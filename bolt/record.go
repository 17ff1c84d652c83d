package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"time"

	"cc112"
)

// Record layout (the value stored under the 8-byte big-endian seq key):
//
//	offset size
//	0      1    format version (recordVersion)
//	1      4    CRC-32C (Castagnoli), big-endian, of key ‖ bytes[5:]
//	5      1    length of the type, T
//	6      8    At as Unix nanoseconds, big-endian int64 (zeroTimeNanos for the zero time)
//	14     T    type
//	14+T   ...  data: the event's raw JSON, verbatim
//
// The CRC covers the key too, so a record that ends up under the wrong seq is
// caught like a garbled one; the version byte is checked by value.
const (
	recordVersion = 1
	headerSize    = 14
	maxTypeLen    = math.MaxUint8
	// zeroTimeNanos encodes the zero time.Time, which UnixNano cannot
	// represent; 1677-09-21 is no real event's time.
	zeroTimeNanos = math.MinInt64
)

func crcTable() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) } // cached by the stdlib

func recordSize(ev *cc112.Event) int { return headerSize + len(ev.Type) + len(ev.Data) }

// checkEvent reports whether ev can be stored and replayed unchanged.
func checkEvent(ev *cc112.Event) error {
	if len(ev.Type) > maxTypeLen {
		return fmt.Errorf("event seq %d: type is %d bytes, at most %d fit", ev.Seq, len(ev.Type), maxTypeLen)
	}
	if ev.At.IsZero() {
		return nil
	}
	ns := ev.At.UnixNano()
	if ns == zeroTimeNanos || !time.Unix(0, ns).Equal(ev.At) {
		return fmt.Errorf("event seq %d: time %s is outside the storable range (years 1678-2262)", ev.Seq, ev.At)
	}
	return nil
}

// encodeRecord writes the key and the record of ev at the start of dst, which
// must hold 8+recordSize(ev) bytes, and returns both.
func encodeRecord(dst []byte, ev *cc112.Event) (key, rec []byte) {
	key = dst[:8:8]
	binary.BigEndian.PutUint64(key, ev.Seq)
	rec = dst[8 : 8+recordSize(ev)]
	rec[0] = recordVersion
	rec[5] = byte(len(ev.Type))
	ns := int64(zeroTimeNanos)
	if !ev.At.IsZero() {
		ns = ev.At.UnixNano()
	}
	binary.BigEndian.PutUint64(rec[6:14], uint64(ns))
	copy(rec[headerSize:], ev.Type)
	copy(rec[headerSize+len(ev.Type):], ev.Data)
	binary.BigEndian.PutUint32(rec[1:5], recordCRC(key, rec))
	return key, rec
}

func recordCRC(key, rec []byte) uint32 {
	tab := crcTable()
	return crc32.Update(crc32.Update(0, tab, key), tab, rec[5:])
}

var errShortKey = errors.New("key is not an 8-byte seq")

// checkRecord validates one stored record without allocating and returns its seq.
func checkRecord(key, rec []byte) (uint64, error) {
	if len(key) != 8 {
		return 0, errShortKey
	}
	seq := binary.BigEndian.Uint64(key)
	switch {
	case len(rec) < headerSize:
		return seq, fmt.Errorf("record is %d bytes, shorter than its %d-byte header", len(rec), headerSize)
	case rec[0] != recordVersion:
		return seq, fmt.Errorf("unknown record format version %d", rec[0])
	case headerSize+int(rec[5]) > len(rec):
		return seq, fmt.Errorf("type length %d runs past the %d-byte record", rec[5], len(rec))
	}
	if got, want := recordCRC(key, rec), binary.BigEndian.Uint32(rec[1:5]); got != want {
		return seq, fmt.Errorf("CRC-32C mismatch (stored %08x, computed %08x)", want, got)
	}
	return seq, nil
}

// decodeRecord turns a record that passed checkRecord into an Event. Data is
// a fresh copy (the only allocation for a known type): bbolt's bytes are only
// valid inside the transaction, and callers may keep ev.Data.
func decodeRecord(seq uint64, rec []byte, types typeInterner) cc112.Event {
	tl := int(rec[5])
	ev := cc112.Event{Seq: seq, Type: types.intern(rec[headerSize : headerSize+tl])}
	if ns := int64(binary.BigEndian.Uint64(rec[6:14])); ns != zeroTimeNanos {
		ev.At = time.Unix(0, ns).UTC()
	}
	if data := rec[headerSize+tl:]; len(data) > 0 {
		ev.Data = append(make([]byte, 0, len(data)), data...)
	}
	return ev
}

// typeInterner shares one string per event type during a replay, so a
// million events cost a million Data copies and not a million type strings.
// It stops growing at maxInterned so a corrupt journal cannot blow it up.
type typeInterner map[string]string

const maxInterned = 1024

func (m typeInterner) intern(b []byte) string {
	if s, ok := m[string(b)]; ok { // no allocation for the lookup
		return s
	}
	s := string(b)
	if len(m) < maxInterned {
		m[s] = s
	}
	return s
}
