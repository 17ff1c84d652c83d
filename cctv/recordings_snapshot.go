package cctv

import (
	"crypto/ed25519"
	"encoding/json"
	"maps"
	"slices"

	"cc112/dispatch"
)

var _ dispatch.Snapshotter = (*Recordings)(nil)

// recordingsSnapshot is what recording must not forget, in a checkpoint:
// the "always record" marks, the evidence locks, the signing key (it is in
// the journal already, as camera.evidence_key) and the exports.
type recordingsSnapshot struct {
	Always  map[string]bool          `json:"always"`
	Locks   map[string]*EvidenceLock `json:"locks"`
	KeySeed []byte                   `json:"key_seed,omitempty"`
	Exports []*Manifest              `json:"exports"`
}

// Snapshot copies the state (under the engine's read lock): a release
// writes into a lock, so the locks are copied one by one.
func (rs *Recordings) Snapshot() any {
	s := recordingsSnapshot{Always: maps.Clone(rs.always), Locks: make(map[string]*EvidenceLock, len(rs.locks)),
		Exports: slices.Clone(rs.exports)}
	for id, l := range rs.locks {
		c := *l
		c.Cameras = slices.Clone(l.Cameras)
		s.Locks[id] = &c
	}
	if rs.key != nil {
		s.KeySeed = slices.Clone(rs.key.Seed())
	}
	return s
}

// Restore decodes a Snapshot; installing it replaces the state.
func (rs *Recordings) Restore(data json.RawMessage) (func(), error) {
	var s recordingsSnapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	var key ed25519.PrivateKey
	if len(s.KeySeed) == ed25519.SeedSize {
		key = ed25519.NewKeyFromSeed(s.KeySeed)
	}
	if s.Always == nil {
		s.Always = map[string]bool{}
	}
	if s.Locks == nil {
		s.Locks = map[string]*EvidenceLock{}
	}
	return func() {
		rs.always, rs.locks, rs.key, rs.exports = s.Always, s.Locks, key, s.Exports
	}, nil
}
