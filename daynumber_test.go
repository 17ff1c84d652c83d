package cc112

import (
	"testing"
	"time"
)

// Numbers count per WIB day: 16:59:59 UTC is the last second of a WIB day,
// 17:00:00 UTC the first of the next.
func TestDayNumbersAtWIBMidnight(t *testing.T) {
	d := NewDayNumbers("SBY", WIB)
	last := time.Date(2026, 11, 22, 16, 59, 59, 0, time.UTC)
	first := time.Date(2026, 11, 22, 17, 0, 0, 0, time.UTC)
	if got := d.Next(last); got != "SBY-20261122-0001" {
		t.Fatalf("Next = %s", got)
	}
	if got := d.Count(last); got != "SBY-20261122-0001" {
		t.Fatalf("Count = %s", got)
	}
	if got := d.Next(last); got != "SBY-20261122-0002" {
		t.Fatalf("Next after one = %s", got)
	}
	if got := d.Next(first); got != "SBY-20261123-0001" {
		t.Fatalf("Next at WIB midnight = %s, want the new day's first", got)
	}
}
