package main

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"cc112"
	"cc112/alerts"
)

// configFile is the YAML config file (-config): what does not fit a flag.
// A section left out keeps its defaults.
//
//	alerts:
//	  onscene_default: 2h
//	  onscene: {medical: 45m, fire: 4h}
//	coverage:
//	  - name: Surabaya Pusat
//	    districts: [Bubutan, Genteng, Simokerto, Tegalsari]
//	    minimum: {damkar: 1, polri: 1, dinkes: 1}
type configFile struct {
	Alerts struct {
		OnsceneDefault time.Duration                    `yaml:"onscene_default"`
		Onscene        map[cc112.Category]time.Duration `yaml:"onscene"`
	} `yaml:"alerts"`
	Coverage *[]alerts.Group `yaml:"coverage"`
}

// loadFile reads the config file into c; unknown keys and categories are
// refused, so that a typo does not silently keep a default.
func (c *Config) loadFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f configFile
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return err
	}
	if f.Alerts.OnsceneDefault != 0 {
		c.Alerts.OnsceneDefault = f.Alerts.OnsceneDefault
	}
	for cat, d := range f.Alerts.Onscene {
		if !validCategory(cat) {
			return fmt.Errorf("alerts.onscene: unknown category %q", cat)
		}
		if c.Alerts.Onscene == nil {
			c.Alerts.Onscene = map[cc112.Category]time.Duration{}
		}
		c.Alerts.Onscene[cat] = d
	}
	if f.Coverage != nil {
		c.Alerts.Coverage = *f.Coverage
	}
	return nil
}

func validCategory(cat cc112.Category) bool {
	for _, c := range cc112.Categories {
		if c == cat {
			return true
		}
	}
	return false
}
