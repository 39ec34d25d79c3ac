package plan

import (
	"fmt"

	"github.com/gqlbase/gqlbase"
)

// CompileLock returns the statement that locks the rows of t matching where (nil: every row)
// and selects their ids in id order: how an update or delete by `where` finds its rows
// before writing them by id.
func CompileLock(t *gqlbase.Table, where *Cond) (query string, params []any, err error) {
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(planError)
			if !ok {
				panic(r)
			}
			query, params, err = "", nil, pe.err
		}
	}()
	if t == nil {
		return "", nil, fmt.Errorf("plan: lock without a table")
	}
	c := &planCompiler{a: &Args{}}
	al := c.alias()
	c.bind(al, t)
	cond := "TRUE"
	if where != nil {
		cond = c.cond(where, al, t)
	}
	query = fmt.Sprintf("SELECT %[1]s.id FROM %[2]s %[1]s WHERE %[3]s ORDER BY %[1]s.id FOR UPDATE OF %[1]s", al, Qualified(t.Schema, t.Name), cond)
	return query, c.a.List, nil
}
