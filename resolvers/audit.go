package resolvers

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage"
)

// The audit log: use cases that change schema, tokens, members or settings, and exports, put
// an entry in the context of their storage call (audited), which storage writes in the
// transaction of the change. Admins read it through AuditLog.

const (
	defaultAuditPage = 50
	maxAuditPage     = 500
)

// audited returns ctx carrying an audit entry for the storage call that follows, acted by the
// context's principal.
func audited(ctx context.Context, workspaceID int64, action, resourceType string, resourceID int64, details map[string]any) context.Context {
	return storage.WithAudit(ctx, gqlbase.Audit{WorkspaceID: workspaceID, Actor: actor(ctx), Action: action,
		ResourceType: resourceType, ResourceID: resourceID, Details: details})
}

// settingKeys names the settings a patch changes (the values may be large or secret).
func settingKeys(patch map[string]any) []string {
	keys := make([]string, 0, len(patch))
	for k := range patch {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// AuditLog is the use case behind the auditLog query: a page of a workspace's audit log,
// newest first, for principals that administer the whole workspace.
func (r *Resolver) AuditLog(ctx context.Context, workspaceID *int64, action, resourceType *string, resourceID *int64, first *int, after *string) (*gqlbase.AuditConnection, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	f := gqlbase.AuditFilter{WorkspaceID: workspaceFor(p, workspaceID), Limit: defaultAuditPage, ResourceID: resourceID}
	if err := p.RequireWorkspace(f.WorkspaceID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	for _, arg := range []struct {
		v     *string
		dst   *string
		field string
	}{{action, &f.Action, "action"}, {resourceType, &f.ResourceType, "resourceType"}} {
		if arg.v == nil {
			continue
		}
		if *arg.v == "" || utf8.RuneCountInString(*arg.v) > 100 {
			return nil, gqlbase.BadInput("%s must have 1 to 100 characters", arg.field).WithField(arg.field)
		}
		*arg.dst = *arg.v
	}
	if first != nil {
		if *first < 1 || *first > maxAuditPage {
			return nil, gqlbase.BadInput("first must be between 1 and %d", maxAuditPage).WithField("first")
		}
		f.Limit = *first
	}
	if after != nil && *after != "" {
		id, err := strconv.ParseInt(strings.TrimPrefix(*after, "audit:"), 10, 64)
		if err != nil || id <= 0 || !strings.HasPrefix(*after, "audit:") {
			return nil, gqlbase.BadInput("after is not a cursor of auditLog").WithField("after")
		}
		f.Before = id
	}
	entries, more, err := r.Store.ListAudit(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &gqlbase.AuditConnection{Entries: entries, HasNextPage: more}
	if more && len(entries) > 0 {
		c := "audit:" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
		out.EndCursor = &c
	}
	return out, nil
}
