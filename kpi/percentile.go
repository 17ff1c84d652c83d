package kpi

import (
	"cmp"
	"math"
)

// rank is the 1-based nearest rank of percentile p (0 < p ≤ 100) among n
// values: the smallest k with k/n ≥ p/100.
func rank(p float64, n int) int {
	k := int(math.Ceil(p / 100 * float64(n)))
	// p/100*n is computed in floating point: 0.9*10 is 9.000000000000002.
	if k > 1 && float64(k-1) >= p/100*float64(n)-1e-9 {
		k--
	}
	return max(1, min(k, n))
}

// Percentile returns the nearest-rank percentile p of vals: the smallest
// value with at least p% of the values ≤ it. vals is reordered. 0 for none.
func Percentile(vals []float64, p float64) float64 {
	if len(vals) == 0 {
		return 0
	}
	k := rank(p, len(vals)) - 1
	selectK(vals, k)
	return vals[k]
}

// p50p90 returns both percentiles with two selections: after the first,
// every value left of the P90 position is ≤ it, so P50 is selected among
// those only.
func p50p90[T cmp.Ordered](vals []T) (p50, p90 T) {
	if len(vals) == 0 {
		return p50, p90
	}
	k90 := rank(90, len(vals)) - 1
	selectK(vals, k90)
	p90 = vals[k90]
	k50 := rank(50, len(vals)) - 1
	if k50 < k90 {
		selectK(vals[:k90], k50)
	}
	return vals[k50], p90
}

// selectK reorders a so that a[k] is the value a sorted a would have there,
// with nothing greater to its left and nothing smaller to its right
// (quickselect, median-of-three pivot, three-way partition so that many
// equal values — whole seconds from a CAD export — cost nothing extra).
func selectK[T cmp.Ordered](a []T, k int) {
	lo, hi := 0, len(a)-1
	for hi > lo {
		if hi-lo < 16 {
			insertionSort(a[lo : hi+1])
			return
		}
		mid := lo + (hi-lo)/2
		pivot := median3(a[lo], a[mid], a[hi])
		// a[lo:lt] < pivot, a[lt:i] == pivot, a[gt+1:hi+1] > pivot.
		lt, i, gt := lo, lo, hi
		for i <= gt {
			switch {
			case a[i] < pivot:
				a[lt], a[i] = a[i], a[lt]
				lt++
				i++
			case a[i] > pivot:
				a[i], a[gt] = a[gt], a[i]
				gt--
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt - 1
		case k > gt:
			lo = gt + 1
		default:
			return
		}
	}
}

func median3[T cmp.Ordered](a, b, c T) T {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	if a > b {
		return a
	}
	return b
}

func insertionSort[T cmp.Ordered](a []T) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
