package dataapi

import (
	"fmt"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// PageDefaultQuery fills the IDE of a typed endpoint on a first visit (the page is served
// without credentials, so it cannot know the tables).
const PageDefaultQuery = `# The typed GraphQL API of one gqlbase database.
# Put your token in the Headers tab below: {"Authorization": "Bearer <token>"}
# (the /readonly/<id>/graphql endpoint needs none). The Docs panel lists the tables.

query {
  __schema {
    queryType {
      fields {
        name
      }
    }
  }
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
