// Package record keeps a rolling buffer of camera video on disk: segments
// of fragmented MP4 (the init segment, then one moof+mdat per frame, as the
// relay makes them), a new one at the first keyframe after a set duration,
// the oldest dropped first so that the files never exceed a disk budget,
// except those an evidence lock keeps. A segment is written with one
// write per frame and no index to finish, so a process killed while
// recording leaves files that play up to their last whole frame; Open
// trims a cut-off tail. It imports nothing from the application.
package record

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TimeScale is the recordings' clock (RTP's 90 kHz, as the relay's muxer).
const TimeScale = 90000

// Config configures a Store. Dir and Budget are required.
type Config struct {
	Dir string
	// Budget is the most bytes all segments together may take.
	Budget int64
	// SegmentDuration is how long a segment runs before the next keyframe
	// starts another. Default 1 minute.
	SegmentDuration time.Duration
	// Retain drops segments whose last frame is older than this (0: only
	// the budget drops them).
	Retain time.Duration
	// Keep reports whether a camera's span [from, to] is under an evidence
	// lock: such segments are never dropped. Nil keeps nothing.
	Keep   func(camera string, from, to time.Time) bool
	Now    func() time.Time
	Logger *slog.Logger
}

// Segment is one file of a camera's recording.
type Segment struct {
	Camera string    `json:"camera_id"`
	Start  time.Time `json:"start"` // the first frame
	End    time.Time `json:"end"`   // the last frame
	Frames int       `json:"frames"`
	Bytes  int64     `json:"bytes"`
	Open   bool      `json:"recording"` // still being written

	path      string
	dts0, dts uint64 // first and last frame's decode time
}

func (s *Segment) frameTime(dts uint64) time.Time {
	return s.Start.Add(time.Duration(int64(dts-s.dts0) * int64(time.Second) / TimeScale))
}

// ErrFull is returned by Write when the budget is taken by locked segments.
var ErrFull = errors.New("record: disk budget taken by evidence-locked recordings")

// Store is the rolling buffer of every camera.
type Store struct {
	cfg Config
	log *slog.Logger

	mu    sync.Mutex
	segs  map[string][]*Segment // by camera, oldest first
	total int64
}

// Open scans Dir, trims the cut-off tail of a segment whose writer was
// killed, drops files that hold no whole frame, and returns the store.
func Open(cfg Config) (*Store, error) {
	if cfg.Dir == "" || cfg.Budget <= 0 {
		return nil, errors.New("record: Dir and a positive Budget are required")
	}
	if cfg.SegmentDuration <= 0 {
		cfg.SegmentDuration = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, log: cfg.Logger, segs: map[string][]*Segment{}}
	cams, err := os.ReadDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	for _, c := range cams {
		if !c.IsDir() || strings.HasPrefix(c.Name(), ".") { // .exports and the like are not cameras
			continue
		}
		files, err := filepath.Glob(filepath.Join(cfg.Dir, c.Name(), "*.mp4"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			seg, err := recover1(c.Name(), f)
			if err != nil {
				s.log.Warn("recording unreadable, removed", "file", f, "err", err)
				_ = os.Remove(f)
				continue
			}
			s.segs[c.Name()] = append(s.segs[c.Name()], seg)
			s.total += seg.Bytes
		}
		sort.Slice(s.segs[c.Name()], func(a, b int) bool { return s.segs[c.Name()][a].Start.Before(s.segs[c.Name()][b].Start) })
	}
	return s, nil
}

// recover1 indexes one segment file, trimming a tail cut off by a kill.
func recover1(camera, path string) (*Segment, error) {
	ms, err := strconv.ParseInt(strings.TrimSuffix(filepath.Base(path), ".mp4"), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("name is not a start time: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	seg := &Segment{Camera: camera, Start: time.UnixMilli(ms).UTC(), path: path}
	good, err := scan(f, st.Size(), func(fi fragInfo, _ box, _ box) error {
		if seg.Frames == 0 {
			seg.dts0 = fi.dts
		}
		seg.dts = fi.dts
		seg.Frames++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if seg.Frames == 0 {
		return nil, errors.New("no whole frame")
	}
	if good < st.Size() {
		if err := f.Truncate(good); err != nil {
			return nil, err
		}
	}
	seg.Bytes, seg.End = good, seg.frameTime(seg.dts)
	return seg, nil
}

// scan walks a segment: ftyp, moov, then moof+mdat pairs, calling fn for
// each whole frame. It returns the size up to the last whole frame; a
// cut-off tail is not an error.
func scan(r io.ReaderAt, size int64, fn func(fi fragInfo, moof, mdat box) error) (int64, error) {
	var off, good int64
	var pending *box
	for off < size {
		b, err := readBox(r, off, size)
		if errors.Is(err, errShortBox) {
			break
		}
		if err != nil {
			return good, err
		}
		switch b.typ {
		case "ftyp":
		case "moov":
			good = off + b.size
		case "moof":
			pending = &b
		case "mdat":
			if pending == nil {
				return good, errors.New("mdat without moof")
			}
			raw := make([]byte, pending.size)
			if _, err := r.ReadAt(raw, pending.off); err != nil {
				return good, err
			}
			fi, err := parseMoof(raw)
			if err != nil {
				return good, err
			}
			if err := fn(fi, *pending, b); err != nil {
				return good, err
			}
			pending, good = nil, off+b.size
		default:
			return good, fmt.Errorf("unexpected box %q", b.typ)
		}
		off += b.size
	}
	return good, nil
}

// List returns a camera's segments that overlap [from, to] (zero times
// leave that side open), oldest first.
func (s *Store) List(camera string, from, to time.Time) []Segment {
	out, _ := s.ListAfter(camera, from, to, time.Time{}, 0)
	return out
}

// ListAfter is one page of List: at most limit segments (0: all), oldest
// first, of those that start after after (zero: from the first), and
// whether more follow. A camera's segments start at distinct times (a
// segment's file is named after its start).
func (s *Store) ListAfter(camera string, from, to, after time.Time, limit int) (page []Segment, more bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Segment{}
	for _, seg := range s.segs[camera] {
		if (!to.IsZero() && seg.Start.After(to)) || (!from.IsZero() && seg.End.Before(from)) || (!after.IsZero() && !seg.Start.After(after)) {
			continue
		}
		if limit > 0 && len(out) == limit {
			return out, true
		}
		out = append(out, *seg)
	}
	return out, false
}

// Total is the bytes all segments take.
func (s *Store) Total() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ExportDir is the folder of evidence exports, inside Dir but apart from
// the cameras' recordings (and outside the budget: exports are kept).
func (s *Store) ExportDir() string { return filepath.Join(s.cfg.Dir, ".exports") }

// Budget is the configured disk budget.
func (s *Store) Budget() int64 { return s.cfg.Budget }

// makeRoom drops the oldest segments that are neither open nor locked
// until need more bytes fit the budget, and those older than Retain.
// Caller holds mu.
func (s *Store) makeRoomLocked(need int64) bool {
	now := s.cfg.Now()
	for {
		var oldest *Segment
		for _, list := range s.segs {
			for _, seg := range list {
				if seg.Open || (s.cfg.Keep != nil && s.cfg.Keep(seg.Camera, seg.Start, seg.End)) {
					continue
				}
				expired := s.cfg.Retain > 0 && now.Sub(seg.End) > s.cfg.Retain
				if s.total+need <= s.cfg.Budget && !expired {
					continue
				}
				if oldest == nil || seg.Start.Before(oldest.Start) || (seg.Start.Equal(oldest.Start) && seg.Camera < oldest.Camera) {
					oldest = seg
				}
			}
		}
		if oldest == nil {
			return s.total+need <= s.cfg.Budget
		}
		s.removeLocked(oldest)
	}
}

func (s *Store) removeLocked(seg *Segment) {
	if err := os.Remove(seg.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Warn("drop recording", "file", seg.path, "err", err)
	}
	s.total -= seg.Bytes
	list := s.segs[seg.Camera]
	for k, x := range list {
		if x == seg {
			s.segs[seg.Camera] = append(list[:k:k], list[k+1:]...)
			break
		}
	}
}

// Writer records one camera. Not safe for concurrent use.
type Writer struct {
	s      *Store
	camera string
	init   []byte
	seg    *Segment
	f      *os.File
	// Dropped counts frames not written: before the first keyframe, or
	// with the budget full of locked recordings.
	Dropped int
}

// Writer starts recording a camera; Close ends it.
func (s *Store) Writer(camera string) (*Writer, error) {
	if camera == "" || strings.HasPrefix(camera, ".") || strings.ContainsAny(camera, `/\`) {
		return nil, fmt.Errorf("record: camera id %q cannot name a folder", camera)
	}
	return &Writer{s: s, camera: camera}, nil
}

// Init sets the init segment (ftyp+moov) of the frames that follow; a new
// one (the camera changed resolution) starts a new segment.
func (w *Writer) Init(init []byte) error {
	if bytes.Equal(init, w.init) {
		return nil
	}
	w.init = bytes.Clone(init)
	return w.Break()
}

// Break ends the current segment: the frames that follow come from a new
// upstream session, whose decode times start over.
func (w *Writer) Break() error {
	if w.seg == nil {
		return nil
	}
	err := w.f.Close()
	w.s.mu.Lock()
	w.seg.Open = false
	w.s.mu.Unlock()
	w.seg, w.f = nil, nil
	return err
}

// Close ends the recording.
func (w *Writer) Close() error { return w.Break() }

// Write appends one fragment (moof+mdat, one frame) that arrived at at.
// A segment starts at a keyframe: frames before the first are dropped.
func (w *Writer) Write(frag []byte, at time.Time) error {
	if w.init == nil {
		w.Dropped++
		return nil
	}
	moof, err := readBox(bytes.NewReader(frag), 0, int64(len(frag)))
	if err != nil || moof.typ != "moof" {
		return errors.New("record: fragment does not start with a moof")
	}
	fi, err := parseMoof(frag[:moof.size])
	if err != nil {
		return err
	}
	if w.seg != nil && fi.key && (fi.dts < w.seg.dts || time.Duration(int64(fi.dts-w.seg.dts0)*int64(time.Second)/TimeScale) >= w.s.cfg.SegmentDuration) {
		if err := w.Break(); err != nil {
			return err
		}
	}
	if w.seg == nil {
		if !fi.key {
			w.Dropped++
			return nil
		}
		if err := w.open(fi, at); err != nil {
			w.Dropped++
			return err
		}
	}
	s := w.s
	s.mu.Lock()
	if !s.makeRoomLocked(int64(len(frag))) {
		s.mu.Unlock()
		w.Dropped++
		return ErrFull
	}
	// One write per frame: a kill leaves at most this frame cut off.
	n, err := w.f.Write(frag)
	w.seg.Bytes += int64(n)
	s.total += int64(n)
	if err == nil {
		w.seg.Frames++
		w.seg.dts = fi.dts
		w.seg.End = w.seg.frameTime(fi.dts)
	}
	s.mu.Unlock()
	return err
}

// open starts a segment named after the wall time of its first frame.
func (w *Writer) open(fi fragInfo, at time.Time) error {
	s := w.s
	dir := filepath.Join(s.cfg.Dir, w.camera)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.makeRoomLocked(int64(len(w.init))) {
		return ErrFull
	}
	ms := at.UnixMilli()
	if list := s.segs[w.camera]; len(list) > 0 && list[len(list)-1].Start.UnixMilli() >= ms {
		ms = list[len(list)-1].Start.UnixMilli() + 1 // names stay unique and ordered
	}
	path := filepath.Join(dir, strconv.FormatInt(ms, 10)+".mp4")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(w.init); err != nil {
		f.Close()
		_ = os.Remove(path)
		return err
	}
	start := time.UnixMilli(ms).UTC()
	w.seg = &Segment{Camera: w.camera, Start: start, End: start, Bytes: int64(len(w.init)), Open: true, path: path, dts0: fi.dts, dts: fi.dts}
	w.f = f
	s.segs[w.camera] = append(s.segs[w.camera], w.seg)
	s.total += int64(len(w.init))
	return nil
}
