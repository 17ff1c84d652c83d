package cc112

import (
	"fmt"
	"time"
)

// DayNumbers gives records a human-readable number per day of a zone, in
// journal order: "SBY-20261122-0042" is the 42nd incident received on
// 22 November 2026 WIB. The number is decided by the command and journaled
// with the record, so every reader (the engine on replay, the PostgreSQL
// projections) stores it as written instead of counting again.
type DayNumbers struct {
	prefix string
	zone   *time.Location
	perDay map[string]int
}

// NewDayNumbers numbers records as PREFIX-YYYYMMDD-NNNN in zone.
func NewDayNumbers(prefix string, zone *time.Location) *DayNumbers {
	return &DayNumbers{prefix: prefix, zone: zone, perDay: map[string]int{}}
}

// Next is the number the next record received at t gets; it counts nothing.
func (d *DayNumbers) Next(t time.Time) string {
	day := d.day(t)
	return d.format(day, d.perDay[day]+1)
}

// Count counts a record received at t and returns the number it had by
// count (for journals written before numbers were journaled).
func (d *DayNumbers) Count(t time.Time) string {
	day := d.day(t)
	d.perDay[day]++
	return d.format(day, d.perDay[day])
}

func (d *DayNumbers) day(t time.Time) string { return t.In(d.zone).Format("20060102") }

func (d *DayNumbers) format(day string, n int) string {
	return fmt.Sprintf("%s-%s-%04d", d.prefix, day, n)
}

// Counts copies how many records each day (YYYYMMDD in the zone) has had:
// the state a checkpoint keeps.
func (d *DayNumbers) Counts() map[string]int {
	out := make(map[string]int, len(d.perDay))
	for k, v := range d.perDay {
		out[k] = v
	}
	return out
}

// SetCounts replaces the counts with those of a checkpoint.
func (d *DayNumbers) SetCounts(counts map[string]int) {
	d.perDay = make(map[string]int, len(counts))
	for k, v := range counts {
		d.perDay[k] = v
	}
}
