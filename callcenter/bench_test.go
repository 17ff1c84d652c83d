package callcenter

import (
	"fmt"
	"testing"
	"time"

	"cc112"
)

func BenchmarkParseAMLSMS(b *testing.B) {
	text := withML(amlV1)
	for b.Loop() {
		if _, err := ParseAMLSMS(text, "081234567890"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDuplicates: the suggestion query with 2,000 active incidents.
func BenchmarkDuplicates(b *testing.B) {
	f := newFixture(b, Config{})
	for i := range 2000 {
		f.incident(cc112.CatFire, near(tugu, float64(i%50)*200, float64(i/50)*200))
	}
	f.clock.Advance(time.Minute)
	b.ResetTimer()
	for b.Loop() {
		d, err := f.svc.Duplicates(tugu, cc112.CatGasLeak)
		if err != nil || len(d) == 0 {
			b.Fatal(err, fmt.Sprint(len(d)))
		}
	}
}
