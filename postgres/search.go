package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"cc112"
)

var _ cc112.HistorySearch = (*Journal)(nil)

// FindIncidents implements cc112.HistorySearch over the journal's
// projection, the incidents table (written in the transaction of the
// events): a page walks the (received_at, id) index from the cursor and
// stops when it is full; a text search uses the trigram indexes of
// migration 008.
func (j *Journal) FindIncidents(ctx context.Context, f cc112.HistoryFilter) ([]cc112.HistoryKey, error) {
	var where []string
	var args []any
	byParts := false // the index asked for parts of the text
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
	if f.Text != "" {
		// The index's expression (migration 008) finds the candidates: by
		// the rarest parts of the text (trigrams.go), else by all of it; the
		// parts of the row the viewer may match decide.
		index := indexParts(f.Text, j.currentSample())
		if byParts = index != nil; !byParts {
			index = []string{f.Text}
		}
		for _, part := range index {
			where = append(where, searchedText+` like `+arg("%"+likeEscape(part)+"%"))
		}
		p := arg("%" + likeEscape(f.Text) + "%")
		text := []string{"i.search_text like " + p}
		if f.Phone {
			text = append(text, "i.search_phone like "+p)
		}
		if f.Internal {
			text = append(text, "i.notes_internal like "+p)
		}
		where = append(where, "("+strings.Join(text, " or ")+")")
	}
	if f.After != nil {
		where = append(where, fmt.Sprintf("(i.received_at, i.id collate \"C\") < (%s, %s collate \"C\")", arg(f.After.ReceivedAt), arg(f.After.ID)))
	}
	sql := "select i.received_at, i.id from incidents i"
	if len(where) > 0 {
		sql += " where " + strings.Join(where, " and ")
	}
	sql += ` order by i.received_at desc, i.id collate "C" desc limit ` + arg(f.Limit)
	// Planned for these values each time (an unnamed statement): the
	// generic plan a cached statement switches to after five runs cannot
	// see how selective a text or a filter is.
	args = append([]any{pgx.QueryExecModeExec}, args...)
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
			if _, err := tx.Exec(ctx, "set local enable_indexscan = off; set local enable_seqscan = off"); err != nil {
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
// text (incidents_search, migration 008): a query finds rows through the
// index only when it writes the same expression.
const searchedText = `(search_text || E'\n' || search_phone || E'\n' || notes_internal)`

// likeEscape makes s match itself in a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
