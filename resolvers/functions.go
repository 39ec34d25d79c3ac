package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/functions"
)

// Server functions: saved JavaScript a database runs with its own rights (functions/ is the
// sandbox; functionhost.go what ctx reaches).

// functionName allows what dialects name functions with (Airsequel: "Awesome Function"),
// without control characters or surrounding spaces.
var functionName = regexp.MustCompile(`^[^\s\p{Cc}](?:[^\p{Cc}]{0,126}[^\s\p{Cc}])?$`)

// functionScopes are the scopes a function may act with.
var functionScopes = []gqlbase.Scope{gqlbase.ScopeRead, gqlbase.ScopeWrite, gqlbase.ScopeSchema}

func checkFunctionFields(name, description *string, timeoutMs *int, code *string) error {
	if name != nil && !functionName.MatchString(*name) {
		return gqlbase.BadInput("function name %q must be 1 to 128 characters, without control characters or surrounding spaces", *name).WithField("name")
	}
	if description != nil && len(*description) > 5000 {
		return gqlbase.BadInput("description is longer than 5000 characters").WithField("description")
	}
	if timeoutMs != nil && (*timeoutMs < 10 || *timeoutMs > 30000) {
		return gqlbase.BadInput("timeoutMs must be between 10 and 30000").WithField("timeoutMs")
	}
	if code != nil {
		if err := functions.Check(*code); err != nil {
			return gqlbase.BadInput("code: %s", err.Error()).WithField("code")
		}
	}
	return nil
}

// functionRunner is the process's sandbox, made on first use.
func (r *Resolver) functionRunner() *functions.Runner {
	r.fnOnce.Do(func() {
		if r.FunctionRunner == nil {
			r.FunctionRunner = functions.NewRunner(functions.Limits{}, 0)
		}
	})
	return r.FunctionRunner
}

// CreateFunction saves a function; its scopes must be ones the caller holds on the database.
func (r *Resolver) CreateFunction(ctx context.Context, in gqlbase.CreateFunctionInput) (*gqlbase.Function, error) {
	db, err := r.DatabaseFor(ctx, in.DatabaseID, gqlbase.ScopeSchema)
	if err != nil {
		return nil, err
	}
	if err := checkFunctionFields(&in.Name, in.Description, in.TimeoutMs, &in.Code); err != nil {
		return nil, err
	}
	p := gqlbase.PrincipalFrom(ctx)
	if p.Permissions != nil {
		return nil, gqlbase.Forbidden("a token with per-operation permissions cannot create functions: a function would act beyond them")
	}
	scopes := in.Scopes
	if scopes == nil {
		scopes = []gqlbase.Scope{gqlbase.ScopeRead, gqlbase.ScopeWrite}
	}
	scopes = slices.Compact(slices.Sorted(slices.Values(scopes)))
	for _, s := range scopes {
		if !slices.Contains(functionScopes, s) {
			return nil, gqlbase.BadInput("a function acts with read, write or schema, not %s", s).WithField("scopes")
		}
		if err := p.RequireDatabase(db.WorkspaceID, db.ID, s); err != nil {
			return nil, err
		}
	}
	f := &gqlbase.Function{WorkspaceID: db.WorkspaceID, DatabaseID: db.ID, Name: in.Name, Code: in.Code,
		Scopes: scopes, TimeoutMs: 5000}
	if in.Description != nil {
		f.Description = *in.Description
	}
	if in.TimeoutMs != nil {
		f.TimeoutMs = *in.TimeoutMs
	}
	switch {
	case p.Kind == gqlbase.PrincipalUser:
		f.CreatedBy, f.HasCreator = &p.UserID, true
	case p.CreatorID != 0:
		f.CreatedBy, f.HasCreator = &p.CreatorID, true
	}
	return r.Store.CreateFunction(ctx, f)
}

// FunctionFor loads a function the principal may use with scope on its database.
func (r *Resolver) FunctionFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.Function, error) {
	if err := gqlbase.PrincipalFrom(ctx).Authenticated(); err != nil {
		return nil, err
	}
	f, err := r.Store.FunctionByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := r.DatabaseFor(ctx, f.DatabaseID, scope); err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			return nil, gqlbase.NotFound("function %d not found", id)
		}
		return nil, err
	}
	return f, nil
}

// FunctionByNameFor loads a database's function by name for a caller with scope there.
func (r *Resolver) FunctionByNameFor(ctx context.Context, databaseID int64, name string, scope gqlbase.Scope) (*gqlbase.Function, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, scope); err != nil {
		return nil, err
	}
	return r.Store.FunctionByName(ctx, databaseID, name)
}

// UpdateFunction changes a function; new code is a new version.
func (r *Resolver) UpdateFunction(ctx context.Context, id int64, in gqlbase.UpdateFunctionInput) (*gqlbase.Function, error) {
	if _, err := r.FunctionFor(ctx, id, gqlbase.ScopeSchema); err != nil {
		return nil, err
	}
	if err := checkFunctionFields(in.Name, in.Description, in.TimeoutMs, in.Code); err != nil {
		return nil, err
	}
	return r.Store.UpdateFunction(ctx, id, in)
}

// RepublishFunction makes a saved version current.
func (r *Resolver) RepublishFunction(ctx context.Context, id int64, version int) (*gqlbase.Function, error) {
	if _, err := r.FunctionFor(ctx, id, gqlbase.ScopeSchema); err != nil {
		return nil, err
	}
	return r.Store.RepublishFunction(ctx, id, version)
}

// DeleteFunction removes a function.
func (r *Resolver) DeleteFunction(ctx context.Context, id int64) (bool, error) {
	f, err := r.FunctionFor(ctx, id, gqlbase.ScopeSchema)
	if err != nil {
		return false, err
	}
	if err := r.Store.DeleteFunction(ctx, id); err != nil {
		return false, err
	}
	for v := 1; v <= f.LatestVersion; v++ {
		r.functionRunner().Forget(functionKey(f.ID, v))
	}
	return true, nil
}

// Functions pages a database's functions by name.
func (r *Resolver) Functions(ctx context.Context, databaseID int64, first *int, after *string) (*gqlbase.FunctionConnection, error) {
	if _, err := r.DatabaseFor(ctx, databaseID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	limit, err := pageLimit(first)
	if err != nil {
		return nil, err
	}
	cursor := ""
	if after != nil {
		cursor = *after
	}
	list, more, err := r.Store.ListFunctions(ctx, databaseID, cursor, limit)
	if err != nil {
		return nil, err
	}
	out := &gqlbase.FunctionConnection{Functions: list, HasNextPage: more}
	if more {
		out.EndCursor = &list[len(list)-1].Name
	}
	return out, nil
}

// FunctionVersions lists a function's versions, newest first.
func (r *Resolver) FunctionVersions(ctx context.Context, f *gqlbase.Function) ([]*gqlbase.FunctionVersion, error) {
	return r.Store.FunctionVersions(ctx, f.ID)
}

// FunctionInvocations pages a function's invocation log, newest first.
func (r *Resolver) FunctionInvocations(ctx context.Context, functionID int64, first *int, after *string) (*gqlbase.FunctionInvocationConnection, error) {
	if _, err := r.FunctionFor(ctx, functionID, gqlbase.ScopeSchema); err != nil {
		return nil, err
	}
	limit, err := pageLimit(first)
	if err != nil {
		return nil, err
	}
	var before int64
	if after != nil {
		if before, err = strconv.ParseInt(*after, 10, 64); err != nil || before <= 0 {
			return nil, gqlbase.BadInput("after %q is not a cursor of this list", *after).WithField("after")
		}
	}
	list, more, err := r.Store.ListInvocations(ctx, functionID, before, limit)
	if err != nil {
		return nil, err
	}
	out := &gqlbase.FunctionInvocationConnection{Invocations: list, HasNextPage: more}
	if more {
		c := strconv.FormatInt(list[len(list)-1].ID, 10)
		out.EndCursor = &c
	}
	return out, nil
}

// pageLimit reads a page size: default 50, at most 500.
func pageLimit(first *int) (int, error) {
	if first == nil {
		return 50, nil
	}
	if *first < 1 || *first > 500 {
		return 0, gqlbase.BadInput("first must be between 1 and 500").WithField("first")
	}
	return *first, nil
}

func functionKey(id int64, version int) string { return fmt.Sprintf("%d:%d", id, version) }

// RunFunction runs a function for a caller with the write scope on its database, with the
// function's own rights, and keeps the call in the invocation log.
func (r *Resolver) RunFunction(ctx context.Context, id int64, input json.RawMessage, trigger string) (*gqlbase.FunctionRun, error) {
	f, err := r.FunctionFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	return r.RunLoadedFunction(ctx, f, input, trigger)
}

// RunLoadedFunction runs a function the caller was already authorized for.
func (r *Resolver) RunLoadedFunction(ctx context.Context, f *gqlbase.Function, input json.RawMessage, trigger string) (*gqlbase.FunctionRun, error) {
	if len(input) > 1<<20 {
		return nil, gqlbase.BadInput("the input is larger than 1 MiB").WithField("input")
	}
	fp, err := r.functionPrincipal(ctx, f)
	if err != nil {
		return nil, err
	}
	host, err := r.newFunctionHost(ctx, f, fp)
	if err != nil {
		return nil, err
	}
	res, err := r.functionRunner().Run(ctx, functions.Call{
		Key: functionKey(f.ID, f.CurrentVersion), Code: f.Code, Input: input, Host: host,
		Limits: functions.Limits{Timeout: msDuration(f.TimeoutMs)},
	})
	if err != nil {
		return nil, gqlbase.Errorf(gqlbase.CodeRateLimited, "too many functions are running: try again")
	}
	run := &gqlbase.FunctionRun{Output: res.Output, Logs: res.Logs, DurationMs: float64(res.Duration.Microseconds()) / 1000}
	if run.Logs == nil {
		run.Logs = []string{}
	}
	if res.Err != nil {
		msg := res.Err.Error()
		run.Error = &msg
	}
	inv := &gqlbase.FunctionInvocation{FunctionID: f.ID, Version: f.CurrentVersion, Trigger: trigger,
		Input: input, Output: res.Output, Logs: run.Logs, Error: run.Error, DurationMs: run.DurationMs}
	// The log outlives a caller that went away mid-call.
	if run.InvocationID, err = r.Store.RecordInvocation(context.WithoutCancel(ctx), inv); err != nil {
		return nil, err
	}
	return run, nil
}

// functionPrincipal is who a function acts as: its scopes cut down to its creator's current
// role (a function whose creator left or was deleted does not run), on its database only.
func (r *Resolver) functionPrincipal(ctx context.Context, f *gqlbase.Function) (*gqlbase.Principal, error) {
	role := gqlbase.RoleOwner
	var creator int64
	if f.HasCreator {
		if f.CreatedBy == nil {
			return nil, gqlbase.Forbidden("function %q cannot run: the user who created it was deleted", f.Name)
		}
		creator = *f.CreatedBy
		roles, _, err := r.Store.ActiveRoles(ctx, creator)
		if err != nil {
			return nil, fmt.Errorf("roles of function %d's creator: %w", f.ID, err)
		}
		if role = roles[f.WorkspaceID]; role == "" {
			return nil, gqlbase.Forbidden("function %q cannot run: the user who created it is no longer a member of its workspace", f.Name)
		}
	}
	allowed := role.Scopes()
	var scopes []gqlbase.Scope
	for _, s := range f.Scopes {
		if slices.Contains(allowed, s) {
			scopes = append(scopes, s)
		}
	}
	access := gqlbase.AccessRead
	if slices.Contains(scopes, gqlbase.ScopeWrite) {
		access = gqlbase.AccessWrite
	}
	return &gqlbase.Principal{Kind: gqlbase.PrincipalToken, FunctionID: f.ID, WorkspaceID: f.WorkspaceID,
		Scopes: scopes, Databases: map[int64]gqlbase.DatabaseAccess{f.DatabaseID: access}, Role: role, CreatorID: creator}, nil
}

// FunctionFetchHosts lists the hosts a workspace's functions may fetch from.
func (r *Resolver) FunctionFetchHosts(ctx context.Context, workspaceID *int64) ([]string, error) {
	ws, err := r.adminWorkspace(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	return r.Store.FunctionFetchHosts(ctx, ws)
}

var hostPattern = regexp.MustCompile(`^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)

// SetFunctionFetchHosts replaces the fetch allowlist of a workspace.
func (r *Resolver) SetFunctionFetchHosts(ctx context.Context, workspaceID *int64, hosts []string) ([]string, error) {
	ws, err := r.adminWorkspace(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	if len(hosts) > 100 {
		return nil, gqlbase.BadInput("at most 100 hosts").WithField("hosts")
	}
	clean := make([]string, 0, len(hosts))
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if len(h) > 253 || !hostPattern.MatchString(h) {
			return nil, gqlbase.BadInput("%q is not a host name (example.com, or *.example.com for its subdomains)", h).WithField("hosts")
		}
		clean = append(clean, h)
	}
	slices.Sort(clean)
	clean = slices.Compact(clean)
	if err := r.Store.SetFunctionFetchHosts(ctx, ws, clean); err != nil {
		return nil, err
	}
	return clean, nil
}

// adminWorkspace resolves an optional workspace id for an admin-scope operation.
func (r *Resolver) adminWorkspace(ctx context.Context, workspaceID *int64) (int64, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return 0, err
	}
	ws := workspaceFor(p, workspaceID)
	if err := p.Require(ws, gqlbase.ScopeAdmin); err != nil {
		return 0, err
	}
	return ws, nil
}

// RunFunctionJSON runs a function with a decoded GraphQL JSON input.
func (r *Resolver) RunFunctionJSON(ctx context.Context, id int64, input any) (*gqlbase.FunctionRun, error) {
	var raw json.RawMessage
	if input != nil {
		b, err := json.Marshal(input)
		if err != nil {
			return nil, gqlbase.BadInput("input is not JSON: %v", err).WithField("input")
		}
		raw = b
	}
	return r.RunFunction(ctx, id, raw, "api")
}
