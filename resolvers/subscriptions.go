package resolvers

import (
	"context"
	"slices"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/realtime"
	"github.com/gqlbase/gqlbase/storage"
)

// subscriptionBuffer is how many events a subscription may fall behind before it is closed.
const subscriptionBuffer = 64

// recheckCredential makes sure the credential of a long-lived connection still works when it
// starts another subscription: connection_init may be long past.
func (r *Resolver) recheckCredential(ctx context.Context, p *gqlbase.Principal) error {
	if err := p.Authenticated(); err != nil {
		return err
	}
	if p.TokenID == 0 && p.SessionID == 0 {
		return nil
	}
	bad, err := r.Store.InvalidCredentials(ctx, []storage.Credential{{TokenID: p.TokenID, SessionID: p.SessionID, Hash: p.SecretHash}})
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return gqlbase.Unauthenticated("credentials revoked or expired")
	}
	return nil
}

// SubscribeRows streams a table's row changes that match filter and kinds. The stream ends
// with an error event when the subscriber falls behind or its credential stops working.
func (r *Resolver) SubscribeRows(ctx context.Context, t *gqlbase.Table, filter *gqlbase.BoundFilter, kinds []gqlbase.RowEventKind) (<-chan *gqlbase.RowEvent, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := r.recheckCredential(ctx, p); err != nil {
		return nil, err
	}
	match := func(c *realtime.Change) bool {
		k := gqlbase.RowEventKindOf(c.Kind)
		if k == "" || (len(kinds) > 0 && !slices.Contains(kinds, k)) {
			return false
		}
		return filter == nil || (c.After != nil && filter.Match(c.After)) || (c.Before != nil && filter.Match(c.Before))
	}
	sub := r.Realtime.Hub.SubscribeTable(t.ID, subscriptionBuffer, match)
	ended, release := r.Realtime.Watch(p)
	out := make(chan *gqlbase.RowEvent, 1)
	go func() {
		defer close(out)
		defer release()
		defer sub.Close()
		send := func(ev *gqlbase.RowEvent) bool {
			select {
			case out <- ev:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			select {
			case c, ok := <-sub.Changes():
				if !ok {
					if err := sub.Err(); err != nil {
						send(&gqlbase.RowEvent{Err: err})
					}
					return
				}
				if !send(r.rowEvent(ctx, t, c)) {
					return
				}
			case err := <-ended:
				send(&gqlbase.RowEvent{Err: err})
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

// rowEvent shapes a change for subscribers, with the table's current column order.
func (r *Resolver) rowEvent(ctx context.Context, t *gqlbase.Table, c *realtime.Change) *gqlbase.RowEvent {
	if cur, err := r.loaders(ctx).Table(ctx, t.ID); err == nil {
		t = cur
	}
	ev := &gqlbase.RowEvent{ID: c.ID, Kind: gqlbase.RowEventKindOf(c.Kind), At: c.CreatedAt, Actor: c.Actor,
		Row: gqlbase.RowFromFlat(t, c.After), Old: gqlbase.RowFromFlat(t, c.Before)}
	if ev.Kind == gqlbase.RowDeleted {
		ev.Row = ev.Old
	}
	return ev
}

// SubscribeTables streams the schema changes of a database.
func (r *Resolver) SubscribeTables(ctx context.Context, db *gqlbase.Database) (<-chan *gqlbase.TableEvent, error) {
	p := gqlbase.PrincipalFrom(ctx)
	if err := r.recheckCredential(ctx, p); err != nil {
		return nil, err
	}
	sub := r.Realtime.Hub.SubscribeDatabase(db.ID, subscriptionBuffer, func(c *realtime.Change) bool { return c.Kind.IsSchema() })
	ended, release := r.Realtime.Watch(p)
	out := make(chan *gqlbase.TableEvent, 1)
	go func() {
		defer close(out)
		defer release()
		defer sub.Close()
		send := func(ev *gqlbase.TableEvent) bool {
			select {
			case out <- ev:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			select {
			case c, ok := <-sub.Changes():
				if !ok {
					if err := sub.Err(); err != nil {
						send(&gqlbase.TableEvent{Event: &gqlbase.Event{}, Err: err})
					}
					return
				}
				if !send(&gqlbase.TableEvent{Event: c.Event}) {
					return
				}
			case err := <-ended:
				send(&gqlbase.TableEvent{Event: &gqlbase.Event{}, Err: err})
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
