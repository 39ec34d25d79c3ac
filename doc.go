// Package gqlbase holds the domain of gqlbase: workspaces, databases, tables, columns and rows,
// the filter and sort AST with its in-memory evaluation, events, principals and scopes, and the
// error type that every layer speaks. It imports only the standard library, so every other
// package can depend on it without pulling GraphQL or SQL along.
package gqlbase
