// Package demo is the built-in demo city, Surabaya: its 31 kecamatan and
// CCTV points made in code, and its city pack (agencies, stations, units
// with capabilities, response plans), embedded. Package city loads it.
package demo

import (
	"embed"
	"io/fs"

	"cc112"
	"cc112/geo"
)

//go:embed pack
var packFiles embed.FS

// Pack is the demo city's pack: agencies.yaml, stations.csv, units.csv
// and plans.yaml (city.Demo loads it, with Districts and Cameras).
func Pack() fs.FS {
	sub, err := fs.Sub(packFiles, "pack")
	if err != nil {
		panic(err) // the folder is embedded: it exists
	}
	return sub
}

// Districts returns the demo kecamatan (fresh values on each call).
func Districts() *geo.Districts { return districts() }

// Cameras returns the demo cameras, their districts named by d.
func Cameras(d *geo.Districts) []cc112.Camera { return demoCameras(d) }
