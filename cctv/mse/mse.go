// Package mse turns H.264 access units into fragmented MP4 for Media Source
// Extensions: one init segment (ftyp+moov) and one fragment (moof+mdat) per
// frame, so that a frame leaves as soon as it arrives. It imports nothing
// from the application.
package mse

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4/seekablebuffer"
)

// TimeScale is the track's clock: RTP's 90 kHz for video.
const TimeScale = 90000

// defaultDuration is the duration of a first frame, before any delta is
// known: one frame at 25 fps.
const defaultDuration = TimeScale / 25

// Codec is the RFC 6381 codec string of an H.264 stream: avc1. followed by
// the hex of profile_idc, constraint flags and level_idc (SPS bytes 1–3).
func Codec(sps []byte) (string, error) {
	if len(sps) < 4 {
		return "", errors.New("mse: SPS too short")
	}
	return fmt.Sprintf("avc1.%02x%02x%02x", sps[1], sps[2], sps[3]), nil
}

// MIME is the type to give MediaSource.addSourceBuffer.
func MIME(sps []byte) (string, error) {
	c, err := Codec(sps)
	if err != nil {
		return "", err
	}
	return `video/mp4; codecs="` + c + `"`, nil
}

// InitSegment is the ftyp+moov of one H.264 track.
func InitSegment(sps, pps []byte) ([]byte, error) {
	var s h264.SPS
	if err := s.Unmarshal(sps); err != nil {
		return nil, fmt.Errorf("mse: parse SPS: %w", err)
	}
	init := fmp4.Init{Tracks: []*fmp4.InitTrack{{
		ID:        1,
		TimeScale: TimeScale,
		Codec:     &fmp4.CodecH264{SPS: sps, PPS: pps},
	}}}
	var buf seekablebuffer.Buffer
	if err := init.Marshal(&buf); err != nil {
		return nil, fmt.Errorf("mse: marshal init: %w", err)
	}
	return buf.Bytes(), nil
}

// Fragment is one moof+mdat holding one frame.
type Fragment struct {
	Data []byte
	Key  bool  // an IDR frame: a viewer may start here
	DTS  int64 // decode time, in TimeScale units, on the muxer's timeline
}

// Muxer fragments one H.264 stream. Times are in 90 kHz units and may
// restart (a reconnect): the muxer keeps its own timeline increasing. Not
// safe for concurrent use.
type Muxer struct {
	sps, pps []byte
	dtsx     *h264.DTSExtractor
	seq      uint32

	started bool  // a first IDR was seen since the last Reset
	offset  int64 // added to the source's DTS to continue the timeline
	lastDTS int64 // on the muxer's timeline
	lastDur int64
	any     bool // lastDTS is meaningful
}

// NewMuxer starts a muxer for the stream's parameter sets (from the SDP;
// they may be empty and come in-band).
func NewMuxer(sps, pps []byte) *Muxer {
	return &Muxer{sps: clone(sps), pps: clone(pps)}
}

// Params returns the current SPS and PPS.
func (m *Muxer) Params() (sps, pps []byte) { return m.sps, m.pps }

// SetParams replaces the parameter sets (a new SDP after a reconnect).
func (m *Muxer) SetParams(sps, pps []byte) {
	m.sps, m.pps = clone(sps), clone(pps)
}

// Reset is called when the source restarts (a reconnect): its timestamps
// start over, so the next IDR continues the timeline after the last frame.
func (m *Muxer) Reset() {
	m.started = false
	m.dtsx = nil
}

// Write turns one access unit with its presentation time into a fragment.
// ok is false while waiting for the first IDR. paramsChanged reports that
// the SPS or PPS changed in-band: the caller needs a new init segment.
func (m *Muxer) Write(au [][]byte, pts int64) (f Fragment, ok, paramsChanged bool, err error) {
	paramsChanged = m.updateParams(au)
	key := h264.IsRandomAccess(au)
	if !m.started {
		if !key || m.sps == nil || m.pps == nil {
			return Fragment{}, false, paramsChanged, nil
		}
		m.started = true
		m.dtsx = &h264.DTSExtractor{}
		m.dtsx.Initialize()
		if m.any {
			m.offset = m.lastDTS + m.lastDur - pts
		} else {
			m.offset = -pts
		}
	}
	if key {
		au = m.withParams(au)
	}
	dts, err := m.dtsx.Extract(au, pts)
	if err != nil {
		m.started = false // resynchronise on the next IDR
		return Fragment{}, false, paramsChanged, fmt.Errorf("mse: DTS: %w", err)
	}
	dts += m.offset
	pts += m.offset
	dur := int64(defaultDuration)
	if m.any {
		if d := dts - m.lastDTS; d > 0 {
			m.lastDur = d
		}
		if m.lastDur > 0 {
			dur = m.lastDur
		}
		if dts <= m.lastDTS { // never go backwards, whatever the camera says
			dts = m.lastDTS + dur
			pts = max(pts, dts)
		}
	}
	var s fmp4.Sample
	if err := s.FillH264(int32(pts-dts), au); err != nil {
		return Fragment{}, false, paramsChanged, fmt.Errorf("mse: sample: %w", err)
	}
	// The previous delta is this frame's duration: a frame is sent the
	// moment it arrives instead of being held back for the next one.
	s.Duration = uint32(dur)
	m.seq++
	part := fmp4.Part{SequenceNumber: m.seq, Tracks: []*fmp4.PartTrack{{ID: 1, BaseTime: uint64(dts), Samples: []*fmp4.Sample{&s}}}}
	var buf seekablebuffer.Buffer
	if err := part.Marshal(&buf); err != nil {
		return Fragment{}, false, paramsChanged, fmt.Errorf("mse: marshal part: %w", err)
	}
	m.lastDTS, m.any = dts, true
	return Fragment{Data: buf.Bytes(), Key: key, DTS: dts}, true, paramsChanged, nil
}

// updateParams takes in-band SPS/PPS and reports whether they changed.
func (m *Muxer) updateParams(au [][]byte) bool {
	changed := false
	for _, n := range au {
		if len(n) == 0 {
			continue
		}
		switch h264.NALUType(n[0] & 0x1f) {
		case h264.NALUTypeSPS:
			if !bytes.Equal(n, m.sps) {
				changed = m.sps != nil
				m.sps = clone(n)
			}
		case h264.NALUTypePPS:
			if !bytes.Equal(n, m.pps) {
				changed = changed || m.pps != nil
				m.pps = clone(n)
			}
		}
	}
	return changed
}

// withParams puts SPS and PPS in front of an IDR that lacks them (cameras
// often send them only in the SDP; the DTS extractor and decoders want them).
func (m *Muxer) withParams(au [][]byte) [][]byte {
	for _, n := range au {
		if len(n) > 0 && h264.NALUType(n[0]&0x1f) == h264.NALUTypeSPS {
			return au
		}
	}
	return append([][]byte{m.sps, m.pps}, au...)
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
