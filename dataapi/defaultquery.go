package dataapi

import (
	"fmt"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// PageDefaultQuery fills the IDE of a typed endpoint on a first visit. The page is served
// without credentials, so it cannot know the tables: once a token is in the Headers tab, the
// page replaces this text with DefaultQuery (from /dbs/{db}/playground/default-query). Its
// lines stay short, so they fit the editor of a laptop-sized window.
const PageDefaultQuery = `# The typed GraphQL API of one gqlbase database.
# Queries need a token: without one, this
# one answers UNAUTHENTICATED.
#
# 1. Open the Headers tab below and write
#    {"Authorization": "Bearer <token>"}
# 2. The page then loads the schema (Docs)
#    and puts a query over the first table here.
#
# A new install writes its admin token to
# <data dir>/admin-token (./data/admin-token
# under make run). createToken on /playground
# makes tokens for one database.

{
  __typename
}
`

// ReadonlyPageDefaultQuery fills the IDE of a read-only endpoint whose database is unknown
// (a known one opens on DefaultQuery: the read-only id is its credential).
const ReadonlyPageDefaultQuery = `# The read-only GraphQL API of one gqlbase database.
# The id in the address is the credential: no token
# is needed. The Docs panel lists the tables.

{
  __typename
}
`

// DefaultQuery is a sample query over the schema's first table (its columns and ten rows).
func DefaultQuery(s *Schema) string {
	ids := s.TableIDs()
	if len(ids) == 0 {
		return fmt.Sprintf("# Database %q has no tables yet.\n\n{\n  __typename\n}\n", s.db.Name)
	}
	ti := s.tables[ids[0]]
	var b strings.Builder
	fmt.Fprintf(&b, "{\n  %s(limit: 10) {\n    id\n", ti.name)
	for _, c := range ti.t.Columns {
		fmt.Fprintf(&b, "    %s\n", c.Name)
	}
	for _, c := range gqlbase.SystemColumns[1:3] {
		fmt.Fprintf(&b, "    %s\n", c.Name)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}
