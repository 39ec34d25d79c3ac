package resolvers

import (
	"context"
	"strconv"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/cache"
)

// Tables found by name (a Botpress table in a path, an Airsequel table id or name), through a
// bounded cache of name → id per database.

// tableNameCache maps table name → id per database for the dialects that address tables by
// name. An entry is only a hint: the table it names is loaded (through the invalidated table
// cache) and checked to still carry that name in that database.
type tableNameCache struct {
	lru cache.Bounded[tableNameKey, int64]
}

type tableNameKey struct {
	dbID int64
	name string
}

func (c *tableNameCache) names() *cache.LRU[tableNameKey, int64] { return c.lru.LRU() }

// TableByName loads a table of a database by name for a principal with scope on it; a name
// that is all digits and names no table is taken as a table id of the same database.
func (r *Resolver) TableByName(ctx context.Context, databaseID int64, name string, scope gqlbase.Scope) (*gqlbase.Table, error) {
	names := r.tableNames.names()
	key := tableNameKey{dbID: databaseID, name: name}
	if id, ok := names.Get(key); ok {
		t, err := r.TableFor(ctx, id, scope)
		if err == nil && t.Name == name && t.DatabaseID == databaseID {
			return t, nil
		}
		names.Remove(key)
		if err != nil && gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
			return nil, err
		}
	}
	t, err := r.TableByNameFor(ctx, databaseID, name, scope)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		if id, perr := strconv.ParseInt(name, 10, 64); perr == nil && id > 0 {
			if byID, err2 := r.TableFor(ctx, id, scope); err2 == nil && byID.DatabaseID == databaseID {
				return byID, nil
			}
		}
		return nil, gqlbase.NotFound("table %q not found", name)
	}
	if err != nil {
		return nil, err
	}
	names.Add(key, t.ID)
	return t, nil
}
