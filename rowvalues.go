package gqlbase

import (
	"fmt"
	"sort"
)

// MaxBatchRows is the most rows one write may carry.
const MaxBatchRows = 1000

// PrepareInsert validates the values of a new row (keyed by column name) and returns the
// canonical value of every user column: given values coerced, missing ones filled with the
// column default (or null). index is the row's position in the batch, for messages (-1: a
// single row).
func PrepareInsert(t *Table, values map[string]any, index int) (map[string]any, error) {
	if err := checkKeys(t, values, index); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(t.Columns))
	for _, c := range t.Columns {
		v, given := values[c.Name]
		if !given {
			if c.Default == nil && !c.Nullable {
				return nil, rowError(index, BadInput("column %q is required", c.Name).WithField(c.Name))
			}
			out[c.Name] = c.Default
			continue
		}
		cv, err := CoerceValue(c, v)
		if err != nil {
			return nil, rowError(index, err)
		}
		out[c.Name] = cv
	}
	return out, nil
}

// PreparePatch validates the values of an update and returns them coerced; columns not given
// are left out.
func PreparePatch(t *Table, values map[string]any, index int) (map[string]any, error) {
	if err := checkKeys(t, values, index); err != nil {
		return nil, err
	}
	out := make(map[string]any, len(values))
	for _, c := range t.Columns {
		v, given := values[c.Name]
		if !given {
			continue
		}
		cv, err := CoerceValue(c, v)
		if err != nil {
			return nil, rowError(index, err)
		}
		out[c.Name] = cv
	}
	return out, nil
}

// checkKeys refuses unknown and system columns, naming them in a stable order.
func checkKeys(t *Table, values map[string]any, index int) error {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t.UserColumn(k) != nil {
			continue
		}
		for _, sc := range SystemColumns {
			if sc.Name == k {
				return rowError(index, BadInput("column %q is maintained by the system and cannot be written", k).WithField(k))
			}
		}
		return rowError(index, BadInput("table %q has no column %q", t.Name, k).WithField(k))
	}
	return nil
}

// rowError prefixes an error with the row's index in its batch.
func rowError(index int, err error) error {
	e, ok := AsError(err)
	if !ok || index < 0 {
		return err
	}
	c := *e
	c.Message = fmt.Sprintf("row %d: %s", index, e.Message)
	return c.WithDetail("row", index)
}
