package record

import (
	"bytes"
	"errors"
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

// Export writes one MP4 file (fragmented: init segment, then the frames)
// of a camera's recording from the keyframe at or before from to to. The
// frames' decode times are rebased on the first frame so that the file
// plays from 0 even across segments of separate upstream sessions; the
// export ends where the camera's parameters changed (a second init).
func (s *Store) Export(camera string, from, to time.Time, w io.Writer) (Export, error) {
	var ex Export
	var first []byte
	err := s.Read(camera, from, to, func(init []byte, f Frame) error {
		if first == nil {
			first = init
			n, err := w.Write(init)
			ex.Bytes += int64(n)
			if err != nil {
				return err
			}
			ex.First = f.At
		} else if !bytes.Equal(init, first) {
			return errStop
		}
		data := bytes.Clone(f.Data)
		setTfdt(data, f.info, uint64(f.At.Sub(ex.First)*TimeScale/time.Second))
		n, err := w.Write(data)
		ex.Bytes += int64(n)
		if err != nil {
			return err
		}
		ex.Frames++
		ex.Last = f.At
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	if err == nil && ex.Frames == 0 {
		err = ErrNothing
	}
	return ex, err
}
