package cctv

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"cc112"
	"cc112/cctv/record"
	"cc112/dispatch"
)

// Manifest describes one evidence export: which camera, which times, who
// exported it and why, and the SHA-256 of the MP4 file, signed with the
// server's Ed25519 key (kept in the journal; its public half is
// EvidenceKey) over the manifest's JSON without the signature.
type Manifest struct {
	ID         string    `json:"id"`
	IncidentID string    `json:"incident_id"`
	CameraID   string    `json:"camera_id"`
	From       time.Time `json:"from"` // as asked
	To         time.Time `json:"to"`
	FirstFrame time.Time `json:"first_frame"` // the keyframe at or before From
	LastFrame  time.Time `json:"last_frame"`
	Frames     int       `json:"frames"`
	Bytes      int64     `json:"bytes"`
	SHA256     string    `json:"sha256"`
	User       string    `json:"user"`
	Role       string    `json:"role,omitempty"`
	Reason     string    `json:"reason"`
	ExportedAt time.Time `json:"exported_at"`
	KeyID      string    `json:"key_id"`
	Signature  string    `json:"signature,omitempty"` // base64 Ed25519
}

// Signed is what the signature covers: the manifest's JSON without it.
func (m Manifest) Signed() []byte {
	m.Signature = ""
	b, _ := json.Marshal(m)
	return b
}

// Verify checks the signature with a public key.
func (m Manifest) Verify(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	return err == nil && ed25519.Verify(pub, m.Signed(), sig)
}

type evidenceKey struct {
	Private []byte `json:"private"` // ed25519 seed
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// registerEvidence adds the export events to the engine.
func (rs *Recordings) registerEvidence(r *dispatch.Registry) {
	dispatch.Handle(r, cc112.EvEvidenceKey, func(_ *dispatch.Fold, k evidenceKey) error {
		if len(k.Private) != ed25519.SeedSize {
			return errors.New("bad evidence key")
		}
		rs.key = ed25519.NewKeyFromSeed(k.Private)
		return nil
	})
	dispatch.Handle(r, cc112.EvEvidenceExported, func(_ *dispatch.Fold, m Manifest) error {
		rs.exports = append(rs.exports, &m)
		return nil
	})
}

// EvidenceKey is the public key that verifies export manifests, made and
// journaled on first use.
func (rs *Recordings) EvidenceKey(ctx context.Context) (ed25519.PublicKey, error) {
	var pub ed25519.PublicKey
	rs.eng.Read(func() {
		if rs.key != nil {
			pub = rs.key.Public().(ed25519.PublicKey)
		}
	})
	if pub != nil {
		return pub, nil
	}
	_, err := dispatch.Run(ctx, rs.eng, "", "", func(tx *dispatch.Tx) (any, error) {
		if rs.key == nil {
			seed := make([]byte, ed25519.SeedSize)
			_, _ = rand.Read(seed)
			tx.Emit(cc112.EvEvidenceKey, evidenceKey{Private: seed})
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	rs.eng.Read(func() { pub = rs.key.Public().(ed25519.PublicKey) })
	return pub, nil
}

// ExportRequest asks for an export. Key and Fingerprint (an
// Idempotency-Key and what the request asked) make a retry answer the
// first export without writing another file.
type ExportRequest struct {
	IncidentID, CameraID string
	From, To             time.Time
	User, Role, Reason   string
	Key, Fingerprint     string
}

// MaxExport bounds one export's range.
const MaxExport = time.Hour

// Export writes the MP4 of a camera's recording into the store's export
// folder, then journals its signed manifest: an export is acknowledged
// only once its manifest is durable. The file is named after the id.
func (rs *Recordings) Export(ctx context.Context, store *record.Store, req ExportRequest) (Manifest, error) {
	if req.Key != "" {
		// A retry waits for the first attempt, then answers as it did:
		// the file is written once.
		unlock, err := rs.keyed.lock(ctx, req.Key)
		if err != nil {
			return Manifest{}, err
		}
		defer unlock()
		raw, done, err := rs.eng.Answered(ctx, req.Key, req.Fingerprint)
		if err != nil {
			return Manifest{}, err
		}
		if done {
			var m Manifest
			return m, json.Unmarshal(raw, &m)
		}
	}
	req.Reason = strings.TrimSpace(req.Reason)
	switch {
	case req.Reason == "" || utf8.RuneCountInString(req.Reason) > maxReason:
		return Manifest{}, cc112.Errorf(cc112.EInvalid, "a reason or case number (at most %d characters) is required", maxReason).Because(cc112.RReasonRequired)
	case req.From.IsZero() || req.To.IsZero() || !req.To.After(req.From):
		return Manifest{}, cc112.Errorf(cc112.EInvalid, "from and to are required, to after from")
	case req.To.Sub(req.From) > MaxExport:
		return Manifest{}, cc112.Errorf(cc112.EInvalid, "one export covers at most %v", MaxExport).Because(cc112.RExportTooLong)
	}
	if _, err := rs.eng.Incident(req.IncidentID); err != nil {
		return Manifest{}, err
	}
	if _, err := rs.eng.Camera(req.CameraID); err != nil {
		return Manifest{}, err
	}
	pub, err := rs.EvidenceKey(ctx)
	if err != nil {
		return Manifest{}, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	m := Manifest{ID: "ev-" + hex.EncodeToString(b[:]), IncidentID: req.IncidentID, CameraID: req.CameraID, From: req.From.UTC(), To: req.To.UTC(),
		User: req.User, Role: req.Role, Reason: req.Reason, KeyID: KeyID(pub)}
	if err := os.MkdirAll(store.ExportDir(), 0o750); err != nil {
		return Manifest{}, err
	}
	path := ExportPath(store, m.ID)
	f, err := os.CreateTemp(store.ExportDir(), ".tmp-*")
	if err != nil {
		return Manifest{}, err
	}
	defer os.Remove(f.Name()) // after the rename, a no-op
	h := sha256.New()
	ex, err := store.Export(req.CameraID, req.From, req.To, io.MultiWriter(f, h))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, record.ErrNothing) {
		return Manifest{}, cc112.Errorf(cc112.ENotFound, "nothing of camera %s is recorded between %s and %s", req.CameraID, req.From.Format(time.RFC3339), req.To.Format(time.RFC3339))
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return Manifest{}, err
	}
	m.FirstFrame, m.LastFrame, m.Frames, m.Bytes, m.SHA256 = ex.First.UTC(), ex.Last.UTC(), ex.Frames, ex.Bytes, hex.EncodeToString(h.Sum(nil))
	out, err := dispatch.Run(ctx, rs.eng, req.Key, req.Fingerprint, func(tx *dispatch.Tx) (Manifest, error) {
		m.ExportedAt = tx.Now().UTC()
		m.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(rs.key, m.Signed()))
		tx.Emit(cc112.EvEvidenceExported, m)
		return m, nil
	})
	if err != nil {
		_ = os.Remove(path) // not acknowledged: no file without its manifest
	}
	return out, err
}

// ExportPath is where an export's file lies.
func ExportPath(store *record.Store, id string) string {
	return filepath.Join(store.ExportDir(), id+".mp4")
}

// Exports lists the export manifests, of one incident ("" for all),
// oldest first.
func (rs *Recordings) Exports(incidentID string) []Manifest {
	out := []Manifest{}
	rs.eng.Read(func() {
		for _, m := range rs.exports {
			if incidentID == "" || m.IncidentID == incidentID {
				out = append(out, *m)
			}
		}
	})
	sort.SliceStable(out, func(a, b int) bool { return out[a].ExportedAt.Before(out[b].ExportedAt) })
	return out
}

// ExportByID is one export's manifest.
func (rs *Recordings) ExportByID(id string) (Manifest, error) {
	for _, m := range rs.Exports("") {
		if m.ID == id {
			return m, nil
		}
	}
	return Manifest{}, cc112.Errorf(cc112.ENotFound, "evidence export %q not found", id)
}
