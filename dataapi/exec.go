package dataapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// Executable is the graphql.ExecutableSchema of one Schema: gqlgen's handler parses and
// validates documents against Schema() and calls Exec, which compiles each root field into
// one SQL statement.
type Executable struct {
	schema *Schema
	svc    *Service
}

var _ graphql.ExecutableSchema = (*Executable)(nil)

// Schema returns the gqlparser schema.
func (e *Executable) Schema() *ast.Schema { return e.schema.ast }

// execution is the state of one operation.
type execution struct {
	e     *Executable
	s     *Schema
	opCtx *graphql.OperationContext
	vars  map[string]any
}

// Exec runs the operation of ctx. The principal is checked first (read access to the
// database; write access for mutations), since a WebSocket principal is only known once the
// connection is initialised.
func (e *Executable) Exec(ctx context.Context) graphql.ResponseHandler {
	opCtx := graphql.GetOperationContext(ctx)
	x := &execution{e: e, s: e.schema, opCtx: opCtx, vars: opCtx.Variables}
	op := opCtx.Operation.Operation
	scope := gqlbase.ScopeRead
	if op == ast.Mutation {
		scope = gqlbase.ScopeWrite
	}
	if err := e.authorize(ctx, scope); err != nil {
		graphql.AddError(ctx, &gqlerror.Error{Err: err, Message: err.Error()})
		return graphql.OneShot(&graphql.Response{})
	}
	switch op {
	case ast.Query:
		return once(func(ctx context.Context) *graphql.Response { return x.query(ctx) })
	case ast.Mutation:
		return once(func(ctx context.Context) *graphql.Response { return x.mutate(ctx) })
	case ast.Subscription:
		return x.subscribe(ctx)
	}
	graphql.AddError(ctx, gqlerror.Errorf("unsupported operation %q", op))
	return graphql.OneShot(&graphql.Response{})
}

// once answers the first call with fn and ends the stream after it.
func once(fn func(ctx context.Context) *graphql.Response) graphql.ResponseHandler {
	done := false
	return func(ctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		return fn(ctx)
	}
}

// authorize checks the principal of ctx against the schema's database.
func (e *Executable) authorize(ctx context.Context, scope gqlbase.Scope) error {
	return Authorize(gqlbase.PrincipalFrom(ctx), e.schema.db, scope)
}

// Authorize checks that p may use database db with scope. A database of a workspace p does
// not belong to answers NOT_FOUND, like a missing one.
func Authorize(p *gqlbase.Principal, db *gqlbase.Database, scope gqlbase.Scope) error {
	if err := p.Authenticated(); err != nil {
		return err
	}
	if !p.MemberOf(db.WorkspaceID) {
		return gqlbase.NotFound("database %d not found", db.ID)
	}
	return p.RequireDatabase(db.WorkspaceID, db.ID, scope)
}

// fieldError places an error at a root field.
func fieldError(err error, alias string) *gqlerror.Error {
	var ge *gqlerror.Error
	if errors.As(err, &ge) && ge.Err == nil {
		if ge.Path == nil {
			ge.Path = ast.Path{ast.PathName(alias)}
		}
		return ge
	}
	return &gqlerror.Error{Err: err, Message: err.Error(), Path: ast.Path{ast.PathName(alias)}}
}

// failed is the response of an operation that stopped at an error: a root field is non-null
// or the mutation rolled back, so data is null.
func failed(ctx context.Context, err error, alias string) *graphql.Response {
	graphql.AddError(ctx, fieldError(err, alias))
	return &graphql.Response{Data: json.RawMessage("null")}
}

// query runs each root field as one statement and assembles the data object.
func (x *execution) query(ctx context.Context) *graphql.Response {
	fields := graphql.CollectFields(x.opCtx, x.opCtx.Operation.SelectionSet, []string{"Query"})
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range fields {
		v, err := x.queryField(ctx, f)
		if err != nil {
			return failed(ctx, err, f.Alias)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		writeKey(&buf, f.Alias)
		buf.Write(v)
	}
	buf.WriteByte('}')
	return &graphql.Response{Data: buf.Bytes()}
}

func writeKey(buf *bytes.Buffer, key string) {
	writeString(buf, key)
	buf.WriteByte(':')
}

func writeString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	buf.Write(b)
}

func (x *execution) queryField(ctx context.Context, f graphql.CollectedField) (json.RawMessage, error) {
	switch f.Name {
	case "__typename":
		return json.RawMessage(`"Query"`), nil
	case "__schema", "__type":
		if x.opCtx.DisableIntrospection {
			return nil, gqlbase.Forbidden("introspection is disabled")
		}
		var buf bytes.Buffer
		if err := x.introspect(&buf, f); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case "_empty":
		return json.RawMessage("null"), nil
	}
	rf := x.s.roots[ast.Query][f.Name]
	if rf == nil {
		return nil, gqlbase.BadInput("unknown field %q", f.Name)
	}
	vars, cacheable := variablesKey(x.vars)
	// A principal with per-table permissions has each plan checked, so it skips the cache.
	cacheable = cacheable && !restricted(ctx)
	key := planKey{field: f.Field, vars: vars}
	if cacheable {
		if c, ok := x.s.plans.get(key); ok {
			return x.e.svc.store.RunCompiledPlan(ctx, x.s.db.ID, c.query, c.params)
		}
	}
	p, err := x.readPlan(rf, f)
	if err != nil {
		return nil, err
	}
	if err := requirePlanRead(ctx, p); err != nil {
		return nil, err
	}
	query, params, err := plan.Compile(p)
	if err != nil {
		return nil, err
	}
	if cacheable {
		x.s.plans.put(key, compiledPlan{query: query, params: params})
	}
	return x.e.svc.store.RunCompiledPlan(ctx, x.s.db.ID, query, params)
}
