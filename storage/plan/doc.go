// Package plan is the typed API's read plans and the SQL they compile to: the IR that dataapi
// builds from a GraphQL selection (Plan, RowSet, Node, Cond), its compiler into one statement,
// the bound-filter compiler that storage's row reads share, and identifier quoting. It holds
// pure functions only: no database, and nothing of gqlbase but the root package.
package plan
