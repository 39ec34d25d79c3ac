package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/realtime"
)

// multiplexer runs identical subscriptions once. Subscriptions with the same document,
// operation name and variables, made by principals with the same access (kind, workspace,
// scopes, roles, database restriction), form a group: the operation executes once per event
// and every member receives the same response. Each member's own credential is still checked
// when it joins and watched while it stays; a member that falls behind is dropped alone.
type multiplexer struct {
	server *Server

	mu     sync.Mutex
	groups map[string]*subGroup
}

// memberBuffer is the channel of responses between a member's queue and its transport; a
// burst beyond it waits in the member's flow-controlled queue (realtime.Flow).
const memberBuffer = 32

type subGroup struct {
	key    string
	cancel func()
	err    error // what the group's stream ended with, reported through gqlbase.WithStreamEnd

	mu      sync.Mutex
	members map[*subMember]struct{}
	ended   bool
}

type subMember struct {
	q   *realtime.Queue[*graphql.Response]
	err error // why the member was ended; set before q is closed
}

func newMultiplexer(s *Server) *multiplexer {
	return &multiplexer{server: s, groups: map[string]*subGroup{}}
}

// counts returns the running groups (each one execution) and their members.
func (m *multiplexer) counts() (groups, members int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, g := range m.groups {
		g.mu.Lock()
		members += len(g.members)
		g.mu.Unlock()
	}
	return len(m.groups), members
}

// intercept is an operation middleware: queries and mutations pass through; subscriptions
// join their group.
func (m *multiplexer) intercept(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	// The principal was just authenticated again from the socket's credential
	// (authenticateOperation).
	p := gqlbase.PrincipalFrom(ctx)
	key, err := groupKey(oc, p)
	if err != nil || replays(oc) {
		// Variables that do not encode, or a replay from the outbox (after:) that a running
		// group is past: run it on its own.
		return next(ctx)
	}
	var g *subGroup
	member := &subMember{}
	ready := make(chan struct{})
	member.q = realtime.NewQueue[*graphql.Response](memberBuffer, realtime.DefaultFlow, func(err error) {
		<-ready
		g.end(member, err)
	})
	g = m.join(ctx, key, p, member, next)
	close(ready)

	release := m.server.resolver.Realtime.Watch(p, func(err error) { g.end(member, err) })
	stop := context.AfterFunc(ctx, func() { m.leave(g, member) })
	return func(ctx context.Context) *graphql.Response {
		resp, ok := <-member.q.Out()
		if ok {
			return resp
		}
		release()
		stop()
		m.leave(g, member)
		if member.err != nil && member.err != realtime.ErrShutdown {
			transport.AddSubscriptionError(ctx, subscriptionErr(member.err))
		}
		return nil
	}
}

// join adds a member to the group of key, starting the group's execution when it is new.
func (m *multiplexer) join(ctx context.Context, key string, p *gqlbase.Principal, member *subMember, next graphql.OperationHandler) *subGroup {
	m.mu.Lock()
	if g, ok := m.groups[key]; ok && g.add(member) {
		m.mu.Unlock()
		return g
	}
	// The group runs on its own context: it outlives the member that started it. Its
	// principal has that member's access but none of its identity, so no single member's
	// credential can end it; members' credentials are watched one by one.
	gctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(m.server.closing, cancel)
	g := &subGroup{key: key, cancel: func() { stop(); cancel() }, members: map[*subMember]struct{}{}}
	gctx = gqlbase.WithPrincipal(gctx, groupPrincipal(p))
	gctx = gqlbase.WithStreamEnd(gctx, func(err error) {
		g.mu.Lock()
		g.err = err
		g.mu.Unlock()
	})
	g.add(member)
	m.groups[key] = g
	m.mu.Unlock()
	// Starting the operation may query Postgres: outside the lock, so other subscriptions are
	// not held up. Members that join meanwhile receive from the first response on.
	responses := next(gctx)
	go m.run(gctx, g, responses)
	return g
}

// run pulls the group's responses and hands each to every member.
func (m *multiplexer) run(ctx context.Context, g *subGroup, responses graphql.ResponseHandler) {
	for {
		resp := responses(ctx)
		if resp == nil {
			break
		}
		// gqlgen may reuse the buffer behind Data for the next event; members marshal this
		// response later, each on its own goroutine, so they get a copy of their own.
		shared := *resp
		shared.Data = append(json.RawMessage(nil), resp.Data...)
		g.broadcast(&shared, responseEventID(shared.Data))
	}
	m.mu.Lock()
	if m.groups[g.key] == g {
		delete(m.groups, g.key)
	}
	m.mu.Unlock()
	g.mu.Lock()
	err := g.err
	g.mu.Unlock()
	g.endAll(err)
	g.cancel()
}

func (m *multiplexer) leave(g *subGroup, member *subMember) {
	if g.remove(member) {
		m.mu.Lock()
		if m.groups[g.key] == g {
			delete(m.groups, g.key)
		}
		m.mu.Unlock()
		g.cancel()
	}
}

// add joins a member unless the group already ended.
func (g *subGroup) add(member *subMember) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ended {
		return false
	}
	g.members[member] = struct{}{}
	return true
}

// remove takes a member out and reports whether the group is now empty (and so ended).
func (g *subGroup) remove(member *subMember) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.members[member]; ok {
		delete(g.members, member)
		member.q.Close()
	}
	if len(g.members) == 0 && !g.ended {
		g.ended = true
		return true
	}
	return false
}

// end ends one member with err.
func (g *subGroup) end(member *subMember, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.members[member]; ok {
		delete(g.members, member)
		member.close(err)
	}
}

// close ends a member's queue with err; a Behind error names the member's last response
// once the queue has stopped, when it is final.
func (member *subMember) close(err error) {
	if realtime.IsBehind(err) {
		member.q.CloseThen(func(last int64) { member.err = realtime.Behind(member.q.Flow(), last) })
		return
	}
	member.err = err
	member.q.Close()
}

// broadcast hands a response to every member; one that is genuinely behind is dropped alone,
// told the last event it was handed.
func (g *subGroup) broadcast(resp *graphql.Response, eventID int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	size := int64(len(resp.Data)) + 64
	for member := range g.members {
		if !member.q.Push(resp, eventID, size) {
			delete(g.members, member)
			member.close(member.q.Behind())
		}
	}
}

// responseEventID is the id of the event a subscription response carries (its root field's
// id, when the operation selected it), for the error of a member that falls behind.
func responseEventID(data json.RawMessage) int64 {
	var root map[string]struct {
		ID json.Number `json:"id"`
	}
	if json.Unmarshal(data, &root) != nil {
		return 0
	}
	for _, f := range root {
		id, _ := strconv.ParseInt(string(f.ID), 10, 64)
		return id
	}
	return 0
}

// replays reports whether the subscription's root field is asked to replay (after:).
func replays(oc *graphql.OperationContext) bool {
	for _, sel := range oc.Operation.SelectionSet {
		f, ok := sel.(*ast.Field)
		if !ok {
			continue
		}
		if a := f.Arguments.ForName("after"); a != nil {
			if v, err := a.Value.Value(oc.Variables); err != nil || v != nil {
				return true
			}
		}
	}
	return false
}

func (g *subGroup) endAll(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ended = true
	for member := range g.members {
		delete(g.members, member)
		member.close(err)
	}
}

// groupKey identifies the subscriptions that produce the same responses.
func groupKey(oc *graphql.OperationContext, p *gqlbase.Principal) (string, error) {
	vars, err := json.Marshal(oc.Variables) // map keys come out sorted
	if err != nil {
		return "", err
	}
	scopes := slices.Clone(p.Scopes)
	slices.Sort(scopes)
	roles := slices.Sorted(maps.Keys(p.Roles))
	roleList := make([]string, len(roles))
	for i, ws := range roles {
		roleList[i] = fmt.Sprintf("%d=%s", ws, p.Roles[ws])
	}
	dbs := "all"
	if p.Databases != nil {
		ids := slices.Sorted(maps.Keys(p.Databases))
		dbs = ""
		for _, id := range ids {
			dbs += fmt.Sprintf("%d=%s,", id, p.Databases[id])
		}
	}
	perms, err := json.Marshal(p.Permissions.JSON()) // row permissions of a fine-grained token
	if err != nil {
		return "", err
	}
	// A user's subscriptions are grouped with the same user's only: a resolver may one day
	// read the user's identity, not only its access. Tokens with the same access share.
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s|%d|%d|%v|%v|%s|%s", oc.RawQuery, oc.OperationName, vars,
		p.Kind, p.WorkspaceID, p.UserID, scopes, roleList, dbs, perms), nil
}

// groupPrincipal keeps a principal's access and drops its identity.
func groupPrincipal(p *gqlbase.Principal) *gqlbase.Principal {
	g := *p
	g.TokenID, g.SessionID, g.SecretHash, g.ExpiresAt = 0, 0, nil, nil
	return &g
}

func subscriptionErr(err error) *gqlerror.Error {
	e, ok := gqlbase.AsError(err)
	if !ok {
		e = gqlbase.Errorf(gqlbase.CodeInternal, "internal error")
	}
	return &gqlerror.Error{Message: e.Message, Extensions: map[string]any{"code": string(e.Code)}}
}
