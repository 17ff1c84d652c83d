package bolt

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cc112"
)

// TestWarmArchiveText: the read-ahead after open walks every signature
// block of the archive, whatever its chunks, and a reopened journal reads
// them by itself.
func TestWarmArchiveText(t *testing.T) {
	dir := t.TempDir()
	j, _ := openT(t, dir)
	ctx := context.Background()
	if n := j.warmArchiveText(ctx, 2); n != 0 {
		t.Fatalf("no archive: read %d blocks", n)
	}
	var evs []cc112.Event
	for k := range 4*sigBlockMax - 10 { // archived in key order: four blocks
		inc := &cc112.Incident{ID: fmt.Sprintf("inc-%d", k), Status: cc112.IncidentClosed,
			ReceivedAt: baseTime.Add(time.Duration(k) * time.Hour), Address: "Jl. Darmo"}
		evs = append(evs, archiveEvent(t, uint64(k+1), cc112.EvIncidentArchived, inc))
	}
	appendWait(t, j, evs)
	for _, chunk := range []int{1, 2, 3, 4, 5} {
		if n := j.warmArchiveText(ctx, chunk); n != 4 {
			t.Errorf("chunks of %d: read %d blocks, want 4", chunk, n)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if n := j.warmArchiveText(cancelled, 2); n != 0 {
		t.Errorf("cancelled: read %d blocks", n)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j2, lb := openT(t, dir)
	<-j2.scrubDone // the read-ahead runs first in the open's background work
	if !strings.Contains(lb.String(), "archive text signatures read ahead of searches") || !strings.Contains(lb.String(), "blocks=4") {
		t.Fatalf("the open did not read the archive's signatures ahead:\n%s", lb.String())
	}
}
