// Package shrink gives back the memory of a map that a sweep emptied: a Go
// map keeps the buckets of its peak size however many keys are deleted.
package shrink

import "maps"

// Delete deletes key from *m and rebuilds the map once it holds less than
// a quarter of the most it held when a key was deleted (*peak): a first
// sweep of 200,000 incidents would otherwise leave megabytes behind. At a
// quarter, the copies cost a third of the deletes at most.
func Delete[K comparable, V any](m *map[K]V, peak *int, key K) {
	*peak = max(*peak, len(*m))
	delete(*m, key)
	if len(*m) < *peak/4 {
		*m = maps.Collect(maps.All(*m)) // maps.Clone would copy the buckets too
		*peak = len(*m)
	}
}
