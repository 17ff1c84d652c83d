package alerts

import (
	"fmt"
	"log/slog"
	"time"

	"cc112"
)

// Config holds the thresholds of the timers and the city's cover. Zero
// values take the defaults (NFPA 1221/1710 practice for the timers).
type Config struct {
	// Clock decides what is due; nil takes the engine's.
	Clock  cc112.Clock
	Logger *slog.Logger
	// UnassignedP1 is how long a priority 1 incident may wait for a unit
	// (60 s); Unassigned the other priorities (3 min).
	UnassignedP1 time.Duration
	Unassigned   time.Duration
	// Unacknowledged is how long a dispatched unit may stay neither
	// acknowledged nor en route (60 s).
	Unacknowledged time.Duration
	// EnrouteFactor times the ETA predicted at dispatch is how long a unit
	// may be en route (1.5).
	EnrouteFactor float64
	// Onscene is the on-scene limit per category; categories not named
	// take OnsceneDefault (2 h).
	Onscene        map[cc112.Category]time.Duration
	OnsceneDefault time.Duration
	// Coverage is the minimum of available units per agency in each
	// district group.
	Coverage []Group
}

// Group is a named list of kecamatan and the least number of available
// units each agency must keep in them.
type Group struct {
	Name      string         `json:"name" yaml:"name"`
	Districts []string       `json:"districts" yaml:"districts"`
	Minimum   map[string]int `json:"minimum" yaml:"minimum"` // agency → units
}

// DefaultOnscene are the on-scene limits by category: a structure fire or
// a flood takes hours, a medical call should hand over within the hour.
func DefaultOnscene() map[cc112.Category]time.Duration {
	h, m := time.Hour, time.Minute
	return map[cc112.Category]time.Duration{
		cc112.CatFire: 3 * h, cc112.CatTrafficAccident: 90 * m, cc112.CatFlood: 6 * h, cc112.CatFallenTree: 2 * h,
		cc112.CatGasLeak: 2 * h, cc112.CatTornado: 6 * h, cc112.CatSocialConflict: 3 * h, cc112.CatCrime: 2 * h,
		cc112.CatMissingPerson: 6 * h, cc112.CatMedical: 60 * m, cc112.CatMentalHealth: 2 * h, cc112.CatAnimal: 90 * m,
		cc112.CatInfrastructure: 4 * h, cc112.CatOther: 2 * h,
	}
}

// SurabayaGroups are the city's five administrative regions (wilayah) of
// its 31 kecamatan, each to keep one fire engine, one police car and one
// ambulance available.
func SurabayaGroups() []Group {
	min := func() map[string]int { return map[string]int{"damkar": 1, "polri": 1, "dinkes": 1} }
	return []Group{
		{Name: "Surabaya Pusat", Districts: []string{"Bubutan", "Genteng", "Simokerto", "Tegalsari"}, Minimum: min()},
		{Name: "Surabaya Utara", Districts: []string{"Bulak", "Kenjeran", "Krembangan", "Pabean Cantian", "Semampir"}, Minimum: min()},
		{Name: "Surabaya Timur", Districts: []string{"Gubeng", "Gunung Anyar", "Mulyorejo", "Rungkut", "Sukolilo", "Tambaksari", "Tenggilis Mejoyo"}, Minimum: min()},
		{Name: "Surabaya Selatan", Districts: []string{"Dukuh Pakis", "Gayungan", "Jambangan", "Karang Pilang", "Sawahan", "Wiyung", "Wonocolo", "Wonokromo"}, Minimum: min()},
		{Name: "Surabaya Barat", Districts: []string{"Asemrowo", "Benowo", "Lakarsantri", "Pakal", "Sambikerep", "Suko Manunggal", "Tandes"}, Minimum: min()},
	}
}

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.UnassignedP1 == 0 {
		c.UnassignedP1 = 60 * time.Second
	}
	if c.Unassigned == 0 {
		c.Unassigned = 3 * time.Minute
	}
	if c.Unacknowledged == 0 {
		c.Unacknowledged = 60 * time.Second
	}
	if c.EnrouteFactor == 0 {
		c.EnrouteFactor = 1.5
	}
	if c.OnsceneDefault == 0 {
		c.OnsceneDefault = 2 * time.Hour
	}
	on := DefaultOnscene()
	for cat, d := range c.Onscene {
		on[cat] = d
	}
	c.Onscene = on
	return c
}

// Validate refuses thresholds that would alert at once or never.
func (c Config) Validate() error {
	for name, d := range map[string]time.Duration{"alert-unassigned-p1": c.UnassignedP1, "alert-unassigned": c.Unassigned,
		"alert-unacknowledged": c.Unacknowledged, "on-scene default": c.OnsceneDefault} {
		if d < 0 {
			return fmt.Errorf("%s must not be negative, got %s", name, d)
		}
	}
	if c.EnrouteFactor < 0 || (c.EnrouteFactor > 0 && c.EnrouteFactor < 1) {
		return fmt.Errorf("alert-enroute-factor must be at least 1, got %g", c.EnrouteFactor)
	}
	for cat, d := range c.Onscene {
		if d <= 0 {
			return fmt.Errorf("on-scene limit of %s must be positive, got %s", cat, d)
		}
	}
	seen := map[string]string{}
	for _, g := range c.Coverage {
		if g.Name == "" {
			return fmt.Errorf("a coverage group needs a name")
		}
		for _, d := range g.Districts {
			if other, dup := seen[d]; dup {
				return fmt.Errorf("kecamatan %s is in coverage groups %s and %s", d, other, g.Name)
			}
			seen[d] = g.Name
		}
		for agency, n := range g.Minimum {
			if n < 0 {
				return fmt.Errorf("coverage group %s: minimum of %s must not be negative", g.Name, agency)
			}
		}
	}
	return nil
}
