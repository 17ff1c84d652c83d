package roads

import "cc112/geo"

// Lines draws the roads of class worst or better as polylines: each
// stretch between junctions once, whatever its directions. It is the
// map's offline layer of main roads (no tile server needed).
func (g *Graph) Lines(worst Class) [][]geo.Point {
	// The undirected subgraph of the chosen classes.
	adj := make(map[int32][]int32)
	seen := make(map[[2]int32]bool)
	for e := range g.from {
		if g.class[e] > worst {
			continue
		}
		a, b := g.from[e], g.to[e]
		k := [2]int32{min(a, b), max(a, b)}
		if seen[k] {
			continue
		}
		seen[k] = true
		adj[a] = append(adj[a], b)
		adj[b] = append(adj[b], a)
	}
	used := make(map[[2]int32]bool, len(seen))
	var out [][]geo.Point
	walk := func(a, b int32) {
		line := []geo.Point{g.Point(a)}
		for {
			used[[2]int32{min(a, b), max(a, b)}] = true
			line = append(line, g.Point(b))
			if len(adj[b]) != 2 {
				break
			}
			next := adj[b][0]
			if next == a {
				next = adj[b][1]
			}
			if used[[2]int32{min(b, next), max(b, next)}] {
				break // a loop back to where it started
			}
			a, b = b, next
		}
		out = append(out, line)
	}
	// Stretches start at junctions and ends; what is left are loops.
	for pass := 0; pass < 2; pass++ {
		for n := int32(0); n < int32(len(g.lat)); n++ {
			if pass == 0 && len(adj[n]) == 2 {
				continue
			}
			for _, m := range adj[n] {
				if !used[[2]int32{min(n, m), max(n, m)}] {
					walk(n, m)
				}
			}
		}
	}
	return out
}
