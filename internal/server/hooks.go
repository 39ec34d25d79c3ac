package server

import "github.com/gqlbase/gqlbase/storage"

// fanOut combines the change hooks of every cache that holds what the store changes into the
// one set the store calls, in the order given.
func fanOut(hooks ...storage.Hooks) storage.Hooks {
	var tables []func(...int64)
	var rows []func(int64, ...int64)
	for _, h := range hooks {
		if h.TablesChanged != nil {
			tables = append(tables, h.TablesChanged)
		}
		if h.RowsChanged != nil {
			rows = append(rows, h.RowsChanged)
		}
	}
	return storage.Hooks{
		TablesChanged: func(ids ...int64) {
			for _, f := range tables {
				f(ids...)
			}
		},
		RowsChanged: func(tableID int64, ids ...int64) {
			for _, f := range rows {
				f(tableID, ids...)
			}
		},
	}
}
