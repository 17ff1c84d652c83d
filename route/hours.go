package route

import (
	"fmt"
	"strconv"
	"strings"

	"cc112/roads"
)

// Hours are speed factors by WIB hour and road class: 1 is free flow, 0.6
// means traffic moves at 60 % of it (rush hour).
type Hours [24][roads.NumClasses]float64

// DefaultHours is Surabaya's commute: the morning rush 06:00–08:59 and the
// evening rush 16:00–18:59 WIB slow the main roads most.
const DefaultHours = "trunk,primary,secondary@6-8=0.65;tertiary@6-8=0.8;trunk,primary,secondary@16-18=0.6;tertiary@16-18=0.75"

// ParseHours reads factors as "CLASSES@FROM-TO=FACTOR;..." (hours
// inclusive, WIB; CLASSES comma-separated or "*" for all; later entries
// win). "" is free flow all day.
func ParseHours(spec string) (Hours, error) {
	var h Hours
	for i := range h {
		for c := range h[i] {
			h[i][c] = 1
		}
	}
	for _, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		classes, rest, ok := strings.Cut(part, "@")
		if !ok {
			return h, fmt.Errorf("%q: want CLASSES@FROM-TO=FACTOR", part)
		}
		span, fac, ok := strings.Cut(rest, "=")
		if !ok {
			return h, fmt.Errorf("%q: want CLASSES@FROM-TO=FACTOR", part)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(fac), 64)
		if err != nil || f <= 0 || f > 2 {
			return h, fmt.Errorf("%q: factor must be a number above 0 and at most 2", part)
		}
		a, b, ok := strings.Cut(span, "-")
		if !ok {
			b = a
		}
		from, err1 := strconv.Atoi(strings.TrimSpace(a))
		to, err2 := strconv.Atoi(strings.TrimSpace(b))
		if err1 != nil || err2 != nil || from < 0 || to > 23 || from > to {
			return h, fmt.Errorf("%q: hours must be FROM-TO within 0-23", part)
		}
		var which []roads.Class
		for _, name := range strings.Split(classes, ",") {
			name = strings.TrimSpace(name)
			if name == "*" {
				for c := roads.Class(0); c < roads.NumClasses; c++ {
					which = append(which, c)
				}
				continue
			}
			c, ok := roads.ParseClass(name)
			if !ok {
				return h, fmt.Errorf("%q: unknown road class %q", part, name)
			}
			which = append(which, c)
		}
		for hr := from; hr <= to; hr++ {
			for _, c := range which {
				h[hr][c] = f
			}
		}
	}
	return h, nil
}

// DefaultEmergency is how much faster than ordinary traffic each unit
// type drives with lights and siren; DKP's trucks have no priority.
const DefaultEmergency = "police=1.3,ambulance=1.3,fire=1.2,rescue=1.2,dkp=1"

// ParseFactors reads "type=factor,..." (unit types are checked by the
// caller, which knows them).
func ParseFactors(spec string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if !ok || err != nil || f < 0.5 || f > 3 {
			return nil, fmt.Errorf("%q: want TYPE=FACTOR with a factor from 0.5 to 3", part)
		}
		out[strings.TrimSpace(k)] = f
	}
	return out, nil
}
