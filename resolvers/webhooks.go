package resolvers

import (
	"context"
	"errors"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/webhooks"
)

// Webhooks: managing them needs the admin scope over their workspace (they send its data
// out); a database or table they are narrowed to must belong to that workspace.

func (r *Resolver) webhookService() (*webhooks.Service, error) {
	if r.Webhooks == nil {
		return nil, errors.New("webhooks are not configured")
	}
	return r.Webhooks, nil
}

// webhookFor loads a webhook the caller administers; one of another workspace is not found.
func (r *Resolver) webhookFor(ctx context.Context, id int64) (*webhooks.Service, *webhooks.Webhook, error) {
	svc, err := r.webhookService()
	if err != nil {
		return nil, nil, err
	}
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, nil, err
	}
	w, err := svc.Get(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !p.MemberOf(w.WorkspaceID) {
		return nil, nil, gqlbase.NotFound("webhook %d not found", id)
	}
	if err := p.Require(w.WorkspaceID, gqlbase.ScopeAdmin); err != nil {
		return nil, nil, err
	}
	return svc, w, nil
}

func hideSecret(w *webhooks.Webhook) *webhooks.Webhook {
	c := *w
	c.Secret = ""
	return &c
}

// CreateWebhook validates and stores a webhook; the result carries its secret.
func (r *Resolver) CreateWebhook(ctx context.Context, in webhooks.CreateInput) (*webhooks.Webhook, error) {
	svc, err := r.webhookService()
	if err != nil {
		return nil, err
	}
	p := gqlbase.PrincipalFrom(ctx)
	if err := p.Authenticated(); err != nil {
		return nil, err
	}
	if in.TableID != 0 {
		t, err := r.TableFor(ctx, in.TableID, gqlbase.ScopeRead)
		if err != nil {
			return nil, err
		}
		if in.DatabaseID != 0 && in.DatabaseID != t.DatabaseID {
			return nil, gqlbase.BadInput("table %d is not in database %d", in.TableID, in.DatabaseID).WithField("tableId")
		}
		in.DatabaseID = t.DatabaseID
	}
	if in.DatabaseID != 0 {
		db, err := r.DatabaseFor(ctx, in.DatabaseID, gqlbase.ScopeRead)
		if err != nil {
			return nil, err
		}
		if in.WorkspaceID != 0 && in.WorkspaceID != db.WorkspaceID {
			return nil, gqlbase.BadInput("database %d is not in workspace %d", in.DatabaseID, in.WorkspaceID).WithField("databaseId")
		}
		in.WorkspaceID = db.WorkspaceID
	}
	if in.WorkspaceID == 0 {
		in.WorkspaceID = p.WorkspaceID
	}
	if err := p.Require(in.WorkspaceID, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	return svc.Create(ctx, in)
}

// Webhook returns a webhook without its secret.
func (r *Resolver) Webhook(ctx context.Context, id int64) (*webhooks.Webhook, error) {
	_, w, err := r.webhookFor(ctx, id)
	if err != nil {
		return nil, err
	}
	return hideSecret(w), nil
}

// WebhooksOf lists a workspace's webhooks without their secrets.
func (r *Resolver) WebhooksOf(ctx context.Context, workspaceID *int64) ([]*webhooks.Webhook, error) {
	svc, err := r.webhookService()
	if err != nil {
		return nil, err
	}
	p := gqlbase.PrincipalFrom(ctx)
	ws := workspaceFor(p, workspaceID)
	if err := p.Require(ws, gqlbase.ScopeAdmin); err != nil {
		return nil, err
	}
	list, err := svc.List(ctx, ws)
	if err != nil {
		return nil, err
	}
	for i, w := range list {
		list[i] = hideSecret(w)
	}
	return list, nil
}

// DeleteWebhook removes a webhook and its log.
func (r *Resolver) DeleteWebhook(ctx context.Context, id int64) error {
	svc, _, err := r.webhookFor(ctx, id)
	if err != nil {
		return err
	}
	return svc.Delete(ctx, id)
}

// SetWebhookActive activates or deactivates a webhook.
func (r *Resolver) SetWebhookActive(ctx context.Context, id int64, active bool) (*webhooks.Webhook, error) {
	svc, _, err := r.webhookFor(ctx, id)
	if err != nil {
		return nil, err
	}
	w, err := svc.SetActive(ctx, id, active)
	if err != nil {
		return nil, err
	}
	return hideSecret(w), nil
}

// RotateWebhookSecret gives a webhook a new secret, returned with it.
func (r *Resolver) RotateWebhookSecret(ctx context.Context, id int64) (*webhooks.Webhook, error) {
	svc, _, err := r.webhookFor(ctx, id)
	if err != nil {
		return nil, err
	}
	return svc.RotateSecret(ctx, id)
}

// TestWebhook calls a webhook now.
func (r *Resolver) TestWebhook(ctx context.Context, id int64) (*webhooks.Delivery, error) {
	svc, _, err := r.webhookFor(ctx, id)
	if err != nil {
		return nil, err
	}
	return svc.Test(ctx, id)
}

// WebhookDeliveries lists a webhook's latest attempts.
func (r *Resolver) WebhookDeliveries(ctx context.Context, webhookID int64, first *int) ([]*webhooks.Delivery, error) {
	n, err := webhookPage(first)
	if err != nil {
		return nil, err
	}
	svc, _, err := r.webhookFor(ctx, webhookID)
	if err != nil {
		return nil, err
	}
	return svc.Deliveries(ctx, webhookID, n)
}

// ReplayWebhookDelivery enqueues a logged delivery's event again and returns the job id.
func (r *Resolver) ReplayWebhookDelivery(ctx context.Context, deliveryID int64) (int64, error) {
	svc, err := r.webhookService()
	if err != nil {
		return 0, err
	}
	d, err := svc.Delivery(ctx, deliveryID)
	if err != nil {
		return 0, err
	}
	if _, _, err := r.webhookFor(ctx, d.WebhookID); err != nil {
		if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
			return 0, gqlbase.NotFound("webhook delivery %d not found", deliveryID)
		}
		return 0, err
	}
	return svc.Replay(ctx, deliveryID)
}

// WebhookDeadLetters lists a webhook's dead deliveries.
func (r *Resolver) WebhookDeadLetters(ctx context.Context, webhookID int64, first *int) ([]*webhooks.DeadLetter, error) {
	n, err := webhookPage(first)
	if err != nil {
		return nil, err
	}
	svc, _, err := r.webhookFor(ctx, webhookID)
	if err != nil {
		return nil, err
	}
	return svc.DeadLetters(ctx, webhookID, n)
}

// RetryWebhookDeadLetter runs a dead delivery again.
func (r *Resolver) RetryWebhookDeadLetter(ctx context.Context, webhookID, jobID int64) error {
	svc, _, err := r.webhookFor(ctx, webhookID)
	if err != nil {
		return err
	}
	return svc.RetryDeadLetter(ctx, webhookID, jobID)
}

// DiscardWebhookDeadLetter removes a dead delivery.
func (r *Resolver) DiscardWebhookDeadLetter(ctx context.Context, webhookID, jobID int64) error {
	svc, _, err := r.webhookFor(ctx, webhookID)
	if err != nil {
		return err
	}
	return svc.DiscardDeadLetter(ctx, webhookID, jobID)
}

// webhookPage checks a page size: nil is the default, else 1..100.
func webhookPage(first *int) (int, error) {
	if first == nil {
		return 0, nil
	}
	if *first < 1 || *first > 100 {
		return 0, gqlbase.BadInput("first must be between 1 and 100").WithField("first")
	}
	return *first, nil
}
