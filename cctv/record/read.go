package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Frame is one recorded frame: its moof+mdat and its time.
type Frame struct {
	At   time.Time
	Key  bool
	Data []byte
	info fragInfo
}

// Read calls fn for each frame of a camera from the last keyframe at or
// before from up to the last frame at or before to, with the init
// segment the frame needs (the same slice until it changes).
func (s *Store) Read(camera string, from, to time.Time, fn func(init []byte, f Frame) error) error {
	var gop []Frame // frames since the last keyframe before from
	var gopInit []byte
	started := false
	for _, seg := range s.List(camera, from, to) {
		err := readSegment(seg, func(init []byte, f Frame) error {
			if f.At.After(to) {
				return errStop
			}
			if !started {
				if f.At.Before(from) {
					if f.Key {
						gop, gopInit = gop[:0], init
					}
					if len(gop) > 0 || f.Key {
						gop = append(gop, f)
					}
					return nil
				}
				started = true
				if !f.Key && len(gop) > 0 && bytes.Equal(gopInit, init) {
					for _, g := range gop {
						if err := fn(gopInit, g); err != nil {
							return err
						}
					}
				} else if !f.Key {
					return nil // no keyframe to start from yet
				}
			}
			return fn(init, f)
		})
		if errors.Is(err, errStop) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

var errStop = errors.New("stop")

// readSegment reads a segment file's frames (a file dropped meanwhile
// reads as empty).
func readSegment(seg Segment, fn func(init []byte, f Frame) error) error {
	raw, err := os.ReadFile(seg.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var init []byte
	_, err = scan(bytes.NewReader(raw), int64(len(raw)), func(fi fragInfo, moof, mdat box) error {
		if init == nil {
			init = raw[:moof.off]
		}
		return fn(init, Frame{At: seg.frameTime(fi.dts), Key: fi.key, Data: raw[moof.off : mdat.off+mdat.size], info: fi})
	})
	return err
}

// Export is what Export wrote.
type Export struct {
	Frames      int
	First, Last time.Time // the first and last frame's times
	Bytes       int64
}

// ErrNothing is returned by Export when no frame lies in the range.
var ErrNothing = errors.New("record: nothing recorded in that range")

// Replay calls fn with a camera's recording from the keyframe at or
// before from up to to, as one stream: the init segment once, then each
// frame with its decode time rebased on the first frame (a copy, so the
// stream plays from 0 even across segments of separate upstream
// sessions). It ends where the camera's parameters changed (a second
// init), or returns ErrNothing when no frame lies in the range.
func (s *Store) Replay(camera string, from, to time.Time, fn func(init []byte, f Frame) error) error {
	var first []byte
	var origin time.Time
	err := s.Read(camera, from, to, func(init []byte, f Frame) error {
		if first == nil {
			first, origin = init, f.At
		} else if !bytes.Equal(init, first) {
			return errStop
		}
		f.Data = bytes.Clone(f.Data)
		setTfdt(f.Data, f.info, uint64(f.At.Sub(origin)*TimeScale/time.Second))
		return fn(first, f)
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if err == nil && first == nil {
		err = ErrNothing
	}
	return err
}

// Export writes one MP4 file (fragmented: the init segment, then the
// frames) of a camera's recording from the keyframe at or before from to
// to, as Replay gives it.
func (s *Store) Export(camera string, from, to time.Time, w io.Writer) (Export, error) {
	var ex Export
	err := s.Replay(camera, from, to, func(init []byte, f Frame) error {
		if ex.Frames == 0 {
			n, err := w.Write(init)
			ex.Bytes += int64(n)
			if err != nil {
				return err
			}
			ex.First = f.At
		}
		n, err := w.Write(f.Data)
		ex.Bytes += int64(n)
		if err != nil {
			return err
		}
		ex.Frames++
		ex.Last = f.At
		return nil
	})
	return ex, err
}

// MIME is the Media Source type of an init segment: the codec string from
// its avcC box (profile, constraints, level), as the live stream sends it.
func MIME(init []byte) (string, error) {
	k := bytes.Index(init, []byte("avcC"))
	if k < 0 || k+8 > len(init) {
		return "", errors.New("record: no H.264 configuration in the init segment")
	}
	c := init[k+5 : k+8]
	return fmt.Sprintf(`video/mp4; codecs="avc1.%02x%02x%02x"`, c[0], c[1], c[2]), nil
}
