package bolt

import (
	"testing"

	"cc112"
	"cc112/internal/journaltest"
)

func TestConformance(t *testing.T) {
	journaltest.Run(t, func(t *testing.T) func() cc112.Journal {
		dir := t.TempDir()
		return func() cc112.Journal {
			j, err := Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			return j
		}
	})
}
