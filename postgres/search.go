package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"cc112"
)

var _ cc112.HistorySearch = (*Journal)(nil)

// FindIncidents implements cc112.HistorySearch over the journal's
// projection, the incidents table (written in the transaction of the
// events): a page walks the (received_at, id) index from the cursor and
// stops when it is full; a text search uses the trigram index over the
// text and the phone's own index (migrations 008, 020).
func (j *Journal) FindIncidents(ctx context.Context, f cc112.HistoryFilter) ([]cc112.HistoryKey, error) {
	sql, args, byParts := j.historyQuery(f)
	var keys []cc112.HistoryKey
	var err error
	if !byParts {
		keys, err = scanKeys(j.pool.Query(ctx, sql, args...))
	} else {
		// By parts the planner cannot know that the whole text is rarer
		// than they are, and may walk the history in order expecting a
		// page soon: through every row when the text is rare. The rows the
		// index finds are few (indexParts), so gather them all and sort.
		err = pgx.BeginFunc(ctx, j.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, byPartsPlan); err != nil {
				return err
			}
			var err error
			keys, err = scanKeys(tx.Query(ctx, sql, args...))
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find incidents: %w", err)
	}
	return keys, nil
}

// byPartsPlan steers the planner of a search by parts to the indexes'
// bitmaps (FindIncidents).
const byPartsPlan = "set local enable_indexscan = off; set local enable_seqscan = off"

// historyQuery is FindIncidents' statement for f and its arguments, and
// whether it asks the trigram index for parts of the text.
func (j *Journal) historyQuery(f cc112.HistoryFilter) (sql string, args []any, byParts bool) {
	var where []string
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Closed {
		where = append(where, "i.status = 'closed'")
	}
	if f.Category != "" {
		where = append(where, "i.category = "+arg(string(f.Category)))
	}
	if f.Priority != 0 {
		where = append(where, "i.priority = "+arg(f.Priority))
	}
	if f.District != "" {
		where = append(where, "lower(i.district) = lower("+arg(f.District)+")")
	}
	if !f.From.IsZero() {
		where = append(where, "i.received_at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "i.received_at < "+arg(f.To))
	}
	if f.Agency != "" {
		where = append(where, "exists (select 1 from assignments a where a.incident_id = i.id and lower(a.agency) = lower("+arg(f.Agency)+"))")
	}
	if f.Unit != "" {
		where = append(where, "exists (select 1 from assignments a where a.incident_id = i.id and a.unit_id = "+arg(f.Unit)+" and a.cleared_at is null)")
	}
	if f.After != nil {
		where = append(where, fmt.Sprintf("(i.received_at, i.id collate \"C\") < (%s, %s collate \"C\")", arg(f.After.ReceivedAt), arg(f.After.ID)))
	}
	// found are the conditions by which an index finds the rows (one
	// query each); none without text.
	var found []string
	if f.Text != "" {
		// The trigram index (migration 020) finds them by the rarest parts
		// of the text (trigrams.go), else by all of it; the phone's
		// (phoneGrams) for a viewer who may match the phone. The parts of
		// the row the viewer may match decide.
		index := indexParts(f.Text, j.currentSample())
		if byParts = index != nil; !byParts {
			index = []string{f.Text}
		}
		inText := make([]string, len(index))
		for k, part := range index {
			inText[k] = searchedText + ` like ` + arg("%"+likeEscape(part)+"%")
		}
		found = append(found, strings.Join(inText, " and "))
		p := arg("%" + likeEscape(f.Text) + "%")
		if f.Phone {
			if grams := phoneGrams(f.Text); grams != nil {
				// Its own query: in one with both, a bitmap's row the text
				// part found is checked against both, and phone_grams
				// costs a hundred times a like (1,232 rows: 70 ms).
				found = append(found, "phone_grams(i.search_phone) @> "+arg(grams)+"::text[]")
			} else {
				found[0] = "(" + found[0] + " or i.search_phone like " + p + ")"
			}
		}
		text := []string{"i.search_text like " + p}
		if f.Phone {
			text = append(text, "i.search_phone like "+p)
		}
		if f.Internal {
			text = append(text, "i.notes_internal like "+p)
		}
		where = append(where, "("+strings.Join(text, " or ")+")")
	}
	order := ` order by received_at desc, id collate "C" desc limit ` + arg(f.Limit)
	page := func(cond string) string {
		w := slices.Clip(where)
		if cond != "" {
			w = append(w, cond)
		}
		sql := "select i.received_at, i.id from incidents i"
		if len(w) > 0 {
			sql += " where " + strings.Join(w, " and ")
		}
		return sql + order
	}
	switch len(found) {
	case 0:
		sql = page("")
	case 1:
		sql = page(found[0])
	default:
		// A page from each index, then the page of both.
		sql = "select * from ((" + page(found[0]) + ") union (" + page(found[1]) + ")) u" + order
	}
	// Planned for these values each time (an unnamed statement): the
	// generic plan a cached statement switches to after five runs cannot
	// see how selective a text or a filter is.
	return sql, append([]any{pgx.QueryExecModeExec}, args...), byParts
}

// scanKeys reads FindIncidents' rows.
func scanKeys(rows pgx.Rows, err error) ([]cc112.HistoryKey, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := []cc112.HistoryKey{}
	for rows.Next() {
		var k cc112.HistoryKey
		if err := rows.Scan(&k.ReceivedAt, &k.ID); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// searchedText is the expression of the trigram index over the searched
// text but the phone (incidents_search_text, migration 020): a query finds
// rows through the index only when it writes the same expression.
const searchedText = `(search_text || E'\n' || notes_internal)`

// phoneGrams answers what the phone's index (incidents_phone, migration
// 020: each line's substrings of three and four characters) is asked for
// text: text itself when it has three characters; else its last four and
// the four before them (or its first four), which a line holding text
// holds too. A number's end tells it apart, its start ("+62812", "0812")
// is in most rows: asking for those too read a million-row list each.
// None (the index cannot tell) when text is shorter or holds a line break.
func phoneGrams(text string) []string {
	r := []rune(text)
	if len(r) < 3 || strings.Contains(text, "\n") {
		return nil
	}
	if len(r) == 3 {
		return []string{text}
	}
	grams := []string{string(r[len(r)-4:])}
	if before := string(r[max(0, len(r)-8) : max(0, len(r)-8)+4]); before != grams[0] {
		grams = append(grams, before)
	}
	return grams
}

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
