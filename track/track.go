// Package track is unit track playback: the breadcrumbs (sampled GPS fixes)
// of a unit over a time range, as a GeoJSON LineString. Sources are the
// PostgreSQL positions table (postgres.Breadcrumbs) or, on the embedded
// journal, the sampled unit.moved events (FromJournal).
package track

import (
	"context"
	"encoding/json"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"cc112"
)

// Fix is one breadcrumb.
type Fix struct {
	UnitID   string    `json:"unit_id"`
	At       time.Time `json:"at"`
	Lat      float64   `json:"lat"`
	Lon      float64   `json:"lon"`
	Heading  *float64  `json:"heading,omitempty"`
	Speed    *float64  `json:"speed,omitempty"`
	Accuracy *float64  `json:"accuracy,omitempty"`
}

// MaxFixes bounds one answer, so that a long range cannot exhaust memory.
const MaxFixes = 20000

// Source answers track queries: the fixes of unitID with from <= at < to,
// in time order, at most limit of them.
type Source interface {
	Track(ctx context.Context, unitID string, from, to time.Time, limit int) ([]Fix, error)
}

// Feature is the track as a GeoJSON Feature: a LineString ([lon, lat], RFC
// 7946) with the fix times in properties.times (RFC 3339), for playback. A
// single fix is still a LineString of one repeated point, so that clients
// handle one shape.
func Feature(unitID string, from, to time.Time, fixes []Fix, truncated bool) *geojson.Feature {
	line := make(orb.LineString, 0, len(fixes)+1)
	times := make([]string, 0, len(fixes))
	for _, f := range fixes {
		line = append(line, orb.Point{f.Lon, f.Lat})
		times = append(times, f.At.UTC().Format(time.RFC3339Nano))
	}
	if len(line) == 1 {
		line = append(line, line[0])
	}
	feat := geojson.NewFeature(line)
	feat.Properties["unit_id"] = unitID
	feat.Properties["from"] = from.UTC().Format(time.RFC3339)
	feat.Properties["to"] = to.UTC().Format(time.RFC3339)
	feat.Properties["count"] = len(fixes)
	feat.Properties["times"] = times
	feat.Properties["truncated"] = truncated
	return feat
}

// FromJournal reads tracks from the unit.moved events of a journal (the
// engine journals one every PositionSample per unit). It scans the journal,
// so it suits the embedded single-instance server, not years of history.
func FromJournal(j cc112.Journal) Source { return journalSource{j} }

type journalSource struct{ j cc112.Journal }

type movedPayload struct {
	UnitID   string `json:"unit_id"`
	Location struct {
		Lat float64 `json:"lat"`
		Lon float64 `json:"lon"`
	} `json:"location"`
	Heading  *float64 `json:"heading"`
	Speed    *float64 `json:"speed"`
	Accuracy *float64 `json:"accuracy"`
}

func (s journalSource) Track(ctx context.Context, unitID string, from, to time.Time, limit int) ([]Fix, error) {
	var out []Fix
	err := s.j.Replay(ctx, 0, func(ev cc112.Event) error {
		if ev.Type != cc112.EvUnitMoved || ev.At.Before(from) || !ev.At.Before(to) {
			return ctx.Err()
		}
		var p movedPayload
		if err := json.Unmarshal(ev.Data, &p); err != nil || p.UnitID != unitID {
			return nil
		}
		if len(out) < limit {
			out = append(out, Fix{UnitID: unitID, At: ev.At, Lat: p.Location.Lat, Lon: p.Location.Lon,
				Heading: p.Heading, Speed: p.Speed, Accuracy: p.Accuracy})
		}
		return nil
	})
	return out, err
}
