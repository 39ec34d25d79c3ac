package resolvers

import (
	"github.com/gqlbase/gqlbase/graph"
	"github.com/gqlbase/gqlbase/webhooks"
)

// The webhook API's GraphQL types are gqlgen's models; these convert the use cases' types.

func webhookDone(err error) (bool, error) { return err == nil, err }

func webhookOptID(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func webhookInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func webhookString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func createWebhookIn(in graph.CreateWebhookInput) webhooks.CreateInput {
	out := webhooks.CreateInput{WorkspaceID: webhookInt64(in.WorkspaceID), DatabaseID: webhookInt64(in.DatabaseID),
		TableID: webhookInt64(in.TableID), URL: in.URL, Method: webhookString(in.Method),
		Events: in.Events, Format: webhookString(in.Format)}
	if in.MaxFailures != nil {
		out.MaxFailures = *in.MaxFailures
		if out.MaxFailures == 0 {
			out.MaxFailures = -1 // explicit 0 is refused, not taken as the default
		}
	}
	if in.MaxAttempts != nil {
		out.MaxAttempts = *in.MaxAttempts
		if out.MaxAttempts == 0 {
			out.MaxAttempts = -1
		}
	}
	if in.Headers != nil {
		out.Headers = make(map[string]string, len(in.Headers))
		for k, v := range in.Headers {
			s, ok := v.(string)
			if !ok {
				s = "\n" // not a string: refused by the header check
			}
			out.Headers[k] = s
		}
	}
	return out
}

func webhookModel(w *webhooks.Webhook) *graph.Webhook {
	headers := make(map[string]any, len(w.Headers))
	for k, v := range w.Headers {
		headers[k] = v
	}
	out := &graph.Webhook{ID: w.ID, WorkspaceID: w.WorkspaceID, DatabaseID: webhookOptID(w.DatabaseID),
		TableID: webhookOptID(w.TableID), URL: w.URL, Method: w.Method, Headers: headers, Events: w.Events,
		Format: w.Format, Active: w.Active, FailureCount: w.FailureCount, MaxFailures: w.MaxFailures,
		MaxAttempts: w.MaxAttempts, CreatedAt: w.CreatedAt}
	if w.Secret != "" {
		s := w.Secret
		out.Secret = &s
	}
	return out
}

func webhookOut(w *webhooks.Webhook, err error) (*graph.Webhook, error) {
	if err != nil {
		return nil, err
	}
	return webhookModel(w), nil
}

func webhooksOut(ws []*webhooks.Webhook, err error) ([]*graph.Webhook, error) {
	if err != nil {
		return nil, err
	}
	out := make([]*graph.Webhook, len(ws))
	for i, w := range ws {
		out[i] = webhookModel(w)
	}
	return out, nil
}

func webhookStringMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func deliveryModel(d *webhooks.Delivery) *graph.WebhookDelivery {
	out := &graph.WebhookDelivery{ID: d.ID, WebhookID: d.WebhookID, EventID: webhookOptID(d.EventID),
		MessageID: d.MessageID, Attempt: d.Attempt, Succeeded: d.Succeeded,
		DurationMs: int(d.Duration.Milliseconds()), Error: d.Error,
		RequestHeaders: webhookStringMap(d.RequestHeaders), RequestBody: d.RequestBody,
		ResponseHeaders: webhookStringMap(d.ResponseHeaders), ResponseBody: d.ResponseBody, CreatedAt: d.CreatedAt}
	if d.Status != 0 {
		s := d.Status
		out.Status = &s
	}
	return out
}

func deliveryOut(d *webhooks.Delivery, err error) (*graph.WebhookDelivery, error) {
	if err != nil {
		return nil, err
	}
	return deliveryModel(d), nil
}

func deliveriesOut(ds []*webhooks.Delivery, err error) ([]*graph.WebhookDelivery, error) {
	if err != nil {
		return nil, err
	}
	out := make([]*graph.WebhookDelivery, len(ds))
	for i, d := range ds {
		out[i] = deliveryModel(d)
	}
	return out, nil
}

func deadLettersOut(ds []*webhooks.DeadLetter, err error) ([]*graph.WebhookDeadLetter, error) {
	if err != nil {
		return nil, err
	}
	out := make([]*graph.WebhookDeadLetter, len(ds))
	for i, d := range ds {
		out[i] = &graph.WebhookDeadLetter{JobID: d.JobID, EventID: d.EventID, Attempts: d.Attempts,
			LastError: d.LastError, DiedAt: d.DiedAt}
	}
	return out, nil
}
