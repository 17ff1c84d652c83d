package geocode

import (
	"strings"
	"unicode"
)

// streetWords are the ways Surabaya writes "street" and "alley": a caller
// says "Jalan", a sign says "Jl.", OSM often "Jln". They fold to one word so
// that "Jl. Raya Darmo" and "Jalan Raya Darmo" are the same name.
var streetWords = map[string]string{
	"jl": "jalan", "jln": "jalan", "jalan": "jalan", "jalam": "jalan",
	"gg": "gang", "gang": "gang",
}

// tokens folds s to lower-case words: punctuation and spaces split, letters
// and digits stay. Diacritics are rare in Indonesian place names and are
// not folded.
func tokens(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		w := b.String()
		b.Reset()
		if canon, ok := streetWords[w]; ok {
			w = canon
		}
		out = append(out, w)
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		flush()
	}
	flush()
	return out
}

// core drops a leading street word: "jalan raya darmo" is named by
// "raya darmo", which is what a call-taker types.
func core(ts []string) []string {
	if len(ts) > 1 && (ts[0] == "jalan" || ts[0] == "gang") {
		return ts[1:]
	}
	return ts
}

// editDistance is the optimal-string-alignment distance of a and b (an
// adjacent swap counts as one edit, the commonest typo), stopping early
// once it exceeds max.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// typoBudget is how many edits a word of n letters may carry: none for
// short words (too many neighbours: "ii" and "iv"), one from four letters,
// two from eight.
func typoBudget(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}
