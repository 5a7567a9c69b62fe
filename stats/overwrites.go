package stats

// Overwrite is a value that a newer version changed after the version an
// upload was made from, and that the upload sets to something else, the
// old value included: publishing the upload would silently undo it.
type Overwrite struct {
	Table string `json:"table"`
	Key   string `json:"key"`
	// Field is the column; empty when the whole row was added or removed.
	Field string `json:"field,omitempty"`
	// Base is the value in the version the upload was made from,
	// Current the value now, Upload the value the upload sets. A row
	// that does not exist in one of them is "" with the row's summary in
	// the others.
	Base    string `json:"base"`
	Current string `json:"current"`
	Upload  string `json:"upload"`
}

// Overwrites lists what publishing upload over current would undo of the
// changes made from base to current: a value changed since base that the
// upload changes again, a row added since base that the upload removes or
// changes, a row removed since base that the upload brings back. Changes
// the upload makes to values nobody else touched are not listed.
func Overwrites(base, current, upload *Dataset) []Overwrite {
	theirs := Diff(base, current)
	if len(theirs) == 0 {
		return nil
	}
	mine := Diff(current, upload)
	type rowKey struct{ table, key string }
	type cellKey struct{ table, key, field string }
	cells := map[cellKey]Change{}
	byRow := map[rowKey][]Change{}
	rows := map[rowKey]Change{}
	for _, m := range mine {
		rk := rowKey{m.Table, m.Key}
		if m.Kind == Changed {
			cells[cellKey{m.Table, m.Key, m.Field}] = m
			byRow[rk] = append(byRow[rk], m)
		} else {
			rows[rk] = m
		}
	}
	var out []Overwrite
	for _, th := range theirs {
		rk := rowKey{th.Table, th.Key}
		switch th.Kind {
		case Changed:
			if m, ok := cells[cellKey{th.Table, th.Key, th.Field}]; ok {
				out = append(out, Overwrite{Table: th.Table, Key: th.Key, Field: th.Field, Base: th.Old, Current: th.New, Upload: m.New})
			} else if m, ok := rows[rk]; ok && m.Kind == Removed {
				out = append(out, Overwrite{Table: th.Table, Key: th.Key, Field: th.Field, Base: th.Old, Current: th.New, Upload: ""})
			}
		case Added:
			if m, ok := rows[rk]; ok && m.Kind == Removed {
				out = append(out, Overwrite{Table: th.Table, Key: th.Key, Current: th.New})
				continue
			}
			for _, m := range byRow[rk] {
				out = append(out, Overwrite{Table: th.Table, Key: th.Key, Field: m.Field, Current: m.Old, Upload: m.New})
			}
		case Removed:
			if m, ok := rows[rk]; ok && m.Kind == Added {
				out = append(out, Overwrite{Table: th.Table, Key: th.Key, Base: th.Old, Upload: m.New})
			}
		}
	}
	return out
}
