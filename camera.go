package cc112

import (
	"slices"
	"time"

	"cc112/geo"
)

// CameraStatus is the health of a camera as last probed.
type CameraStatus string

// Camera statuses.
const (
	CameraOnline  CameraStatus = "online"
	CameraStalled CameraStatus = "stalled"
	CameraOffline CameraStatus = "offline"
	CameraUnknown CameraStatus = "unknown"
)

// CameraStatuses lists every camera status, healthiest first.
var CameraStatuses = []CameraStatus{CameraOnline, CameraStalled, CameraOffline, CameraUnknown}

// Valid reports whether s is a known camera status.
func (s CameraStatus) Valid() bool { return slices.Contains(CameraStatuses, s) }

// Camera is one CCTV camera point. RTSP URLs may hold credentials and are
// never serialised to clients: they carry json:"-".
type Camera struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Area       string       `json:"area,omitempty"`
	District   string       `json:"district,omitempty"`
	Location   geo.Point    `json:"location"`
	Status     CameraStatus `json:"status"`
	StatusAt   *time.Time   `json:"status_at,omitempty"`
	HasVideo   bool         `json:"has_video"`
	RTSPURL    string       `json:"-"`
	SubRTSPURL string       `json:"-"`
}
