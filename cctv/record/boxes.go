package record

import (
	"encoding/binary"
	"errors"
	"io"
)

// The few ISO BMFF (MP4) boxes a recording is made of: ftyp and moov (the
// init segment), then one moof+mdat per frame, as the relay sends them.

// box is one top-level box of a file: its type, where it starts and its
// whole size (header included).
type box struct {
	typ        string
	off, size  int64
	headerSize int64
}

var errShortBox = errors.New("record: box cut short")

// readBox reads the header of the box at off. A box that runs past end is
// errShortBox: the tail of a file whose writer was killed.
func readBox(r io.ReaderAt, off, end int64) (box, error) {
	var h [16]byte
	if end-off < 8 {
		return box{}, errShortBox
	}
	if _, err := r.ReadAt(h[:8], off); err != nil {
		return box{}, err
	}
	b := box{typ: string(h[4:8]), off: off, size: int64(binary.BigEndian.Uint32(h[:4])), headerSize: 8}
	switch b.size {
	case 1: // 64-bit size follows
		if end-off < 16 {
			return box{}, errShortBox
		}
		if _, err := r.ReadAt(h[8:16], off+8); err != nil {
			return box{}, err
		}
		b.size, b.headerSize = int64(binary.BigEndian.Uint64(h[8:16])), 16
	case 0: // to the end of the file: never written by us
		b.size = end - off
	}
	if b.size < b.headerSize {
		return box{}, errors.New("record: bad box size")
	}
	if off+b.size > end {
		return box{}, errShortBox
	}
	return b, nil
}

// fragInfo is what a moof says of its one frame: the decode time (tfdt),
// whether it is a sync sample, and where the tfdt value sits in the moof
// (to rebase it on export).
type fragInfo struct {
	dts       uint64
	key       bool
	tfdtAt    int // offset of the tfdt's time within the moof; -1 if none
	tfdtWide  bool
	hasSample bool
}

// parseMoof walks moof → traf → tfdt, trun.
func parseMoof(moof []byte) (fragInfo, error) {
	fi := fragInfo{tfdtAt: -1, key: true}
	var walk func(b []byte, base int) error
	walk = func(b []byte, base int) error {
		for p := 0; p+8 <= len(b); {
			size := int(binary.BigEndian.Uint32(b[p:]))
			typ := string(b[p+4 : p+8])
			if size < 8 || p+size > len(b) {
				return errors.New("record: bad box in moof")
			}
			body := b[p+8 : p+size]
			switch typ {
			case "traf":
				if err := walk(body, base+p+8); err != nil {
					return err
				}
			case "tfdt":
				if len(body) < 8 {
					return errors.New("record: short tfdt")
				}
				if body[0] == 1 {
					if len(body) < 12 {
						return errors.New("record: short tfdt")
					}
					fi.dts, fi.tfdtWide = binary.BigEndian.Uint64(body[4:12]), true
				} else {
					fi.dts = uint64(binary.BigEndian.Uint32(body[4:8]))
				}
				fi.tfdtAt = base + p + 8 + 4
			case "trun":
				if len(body) < 8 {
					return errors.New("record: short trun")
				}
				flags := binary.BigEndian.Uint32(body[0:4]) & 0xffffff
				count := binary.BigEndian.Uint32(body[4:8])
				q := 8
				if flags&0x1 != 0 {
					q += 4
				}
				var sampleFlags uint32
				known := false
				if flags&0x4 != 0 && q+4 <= len(body) {
					sampleFlags, known = binary.BigEndian.Uint32(body[q:]), true
					q += 4
				}
				if count > 0 {
					fi.hasSample = true
					if !known && flags&0x400 != 0 {
						if flags&0x100 != 0 {
							q += 4
						}
						if flags&0x200 != 0 {
							q += 4
						}
						if q+4 <= len(body) {
							sampleFlags, known = binary.BigEndian.Uint32(body[q:]), true
						}
					}
				}
				if known {
					fi.key = sampleFlags&0x10000 == 0 // sample_is_non_sync_sample
				}
			}
			p += size
		}
		return nil
	}
	if len(moof) < 8 {
		return fi, errors.New("record: short moof")
	}
	err := walk(moof[8:], 8)
	if err == nil && fi.tfdtAt < 0 {
		err = errors.New("record: moof without tfdt")
	}
	return fi, err
}

// setTfdt rewrites the decode time of a moof parsed by parseMoof.
func setTfdt(moof []byte, fi fragInfo, dts uint64) {
	if fi.tfdtWide {
		binary.BigEndian.PutUint64(moof[fi.tfdtAt:], dts)
	} else {
		binary.BigEndian.PutUint32(moof[fi.tfdtAt:], uint32(dts))
	}
}
