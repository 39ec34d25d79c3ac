package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/jobs"
	"github.com/gqlbase/gqlbase/storage/outbox"
)

// KindDeliver is the job kind of a delivery; the outbox's trigger enqueues it (queue Queue)
// in the transaction of the write.
const KindDeliver = "webhook.deliver"

// Queue is the job queue of deliveries.
const Queue = "webhooks"

// bodyCap bounds the request and response bodies the delivery log keeps, and how much of a
// response is read at all.
const bodyCap = 4096

// DeliverArgs are a delivery job's arguments.
type DeliverArgs struct {
	WebhookID int64 `json:"webhook_id"`
	EventID   int64 `json:"event_id"`
}

// Kind implements jobs.Args.
func (DeliverArgs) Kind() string { return KindDeliver }

type deliverWorker struct {
	jobs.WorkerDefaults[DeliverArgs]
	s *Service
}

// NextRetry backs off exponentially: RetryBase, twice that, ... up to RetryMax.
func (w *deliverWorker) NextRetry(job *jobs.Job[DeliverArgs]) time.Time {
	return time.Now().Add(w.s.backoff(job.Attempt))
}

// Timeout bounds one attempt (River cancels the job's context after it).
func (w *deliverWorker) Timeout(*jobs.Job[DeliverArgs]) time.Duration {
	return w.s.opts.Timeout + 5*time.Second
}

func (w *deliverWorker) Work(ctx context.Context, job *jobs.Job[DeliverArgs]) error {
	s := w.s
	hook, err := getWebhook(ctx, s.db, job.Args.WebhookID)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return river.JobCancel(errors.New("webhook deleted"))
	}
	if err != nil {
		return err
	}
	if !hook.Active {
		return river.JobCancel(errors.New("webhook inactive"))
	}
	ev, err := loadEvent(ctx, s, job.Args.EventID)
	if err != nil {
		return err
	}
	if ev == nil {
		return river.JobCancel(fmt.Errorf("event %d purged", job.Args.EventID))
	}
	d, err := s.send(ctx, hook, Message{ID: messageID(hook.ID, ev.ID), Event: ev, Webhook: hook}, job.ID, job.Attempt)
	if err != nil {
		return err
	}
	if !d.Succeeded {
		return fmt.Errorf("webhook %d: %s", hook.ID, failureText(d))
	}
	return nil
}

func failureText(d *Delivery) string {
	if d.Error != "" {
		return d.Error
	}
	return "status " + strconv.Itoa(d.Status)
}

func messageID(hookID, eventID int64) string {
	return "msg_" + strconv.FormatInt(eventID, 10) + "_" + strconv.FormatInt(hookID, 10)
}

func loadEvent(ctx context.Context, s *Service, id int64) (*gqlbase.Event, error) {
	evs, err := outbox.EventsAfter(ctx, s.db, id-1, 1)
	if err != nil {
		return nil, fmt.Errorf("webhooks: event %d: %w", id, err)
	}
	if len(evs) == 0 || evs[0].ID != id {
		return nil, nil
	}
	return evs[0], nil
}

// send makes one attempt, logs it and counts its outcome. Only a failure to log comes back
// as an error; the attempt's own failure is in the Delivery.
func (s *Service) send(ctx context.Context, hook *Webhook, m Message, jobID int64, attempt int) (*Delivery, error) {
	f, ok := s.formatters[hook.Format]
	if !ok {
		return nil, river.JobCancel(fmt.Errorf("webhook %d: unknown format %q", hook.ID, hook.Format))
	}
	body, err := f.Format(m)
	if err != nil {
		return nil, river.JobCancel(err)
	}
	d := &Delivery{WebhookID: hook.ID, EventID: m.Event.ID, JobID: jobID, MessageID: m.ID,
		Attempt: attempt, RequestBody: capText(body)}
	req, err := http.NewRequestWithContext(ctx, hook.Method, hook.URL, bytes.NewReader(body))
	if err != nil {
		d.Error = "request: " + err.Error()
	} else {
		for k, v := range hook.Headers {
			req.Header.Set(k, v)
		}
		req.Header.Set("Content-Type", f.ContentType())
		req.Header.Set("User-Agent", "gqlbase-webhooks")
		if err := SignHeaders(req.Header, hook.Secret, m.ID, time.Now(), body); err != nil {
			return nil, river.JobCancel(err)
		}
		d.RequestHeaders = flatten(req.Header)
		start := time.Now()
		resp, err := s.client.Do(req)
		d.Duration = time.Since(start)
		if err != nil {
			d.Error = err.Error()
		} else {
			respBody, _ := io.ReadAll(io.LimitReader(resp.Body, bodyCap))
			_ = resp.Body.Close()
			d.Status = resp.StatusCode
			d.ResponseHeaders = flatten(resp.Header)
			d.ResponseBody = capText(respBody)
			d.Succeeded = resp.StatusCode >= 200 && resp.StatusCode < 300
		}
	}
	// The log and the failure count survive a job context that ended with the attempt.
	logCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := insertDelivery(logCtx, s.db, d); err != nil {
		return nil, err
	}
	s.metrics.observe(d)
	if m.Test {
		return d, nil // a test call neither counts as a failure nor clears the count
	}
	active, failures, err := recordOutcome(logCtx, s.db, hook.ID, d.Succeeded)
	if err != nil {
		return nil, err
	}
	if !d.Succeeded && !active && hook.Active {
		s.logger.Warn("webhook deactivated after consecutive failures", "webhook", hook.ID, "failures", failures)
		return d, river.JobCancel(fmt.Errorf("webhook %d deactivated after %d failures", hook.ID, failures))
	}
	return d, nil
}

func capText(b []byte) string {
	if len(b) > bodyCap {
		b = b[:bodyCap]
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func flatten(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[strings.ToLower(k)] = capText([]byte(strings.Join(v, ", ")))
	}
	return out
}
