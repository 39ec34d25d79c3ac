// Package webhooks delivers gqlbase's events to URLs that tenants subscribe: each matching
// event becomes a job of the job engine (package jobs) in the transaction of the write that
// made it (a trigger on the event outbox), signed as the Standard Webhooks specification
// says, retried with exponential backoff, logged (capped bodies and headers), and counted:
// a webhook whose deliveries fail MaxFailures times in a row is deactivated. A job whose
// attempts are all spent is a dead letter (River's discarded state): it can be retried or
// discarded.
package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/internal/netguard"
	"github.com/gqlbase/gqlbase/jobs"
)

// Defaults of Options.
const (
	DefaultMaxFailures = 8
	DefaultMaxAttempts = 10
	DefaultRetryBase   = 5 * time.Second
	DefaultRetryMax    = time.Hour
	DefaultTimeout     = 10 * time.Second
	maxHeaders         = 20
	maxListed          = 100
)

// Options configure the service.
type Options struct {
	// AllowPrivate lets webhooks reach loopback and private addresses (--webhook-allow-private).
	AllowPrivate bool
	// RetryBase is the gap before the second attempt; each next gap doubles, up to RetryMax.
	RetryBase time.Duration
	RetryMax  time.Duration
	// Timeout bounds one request.
	Timeout time.Duration
	// Formatters are the dialects' body formats by name, besides FormatPlatform.
	Formatters map[string]Formatter
	Logger     *slog.Logger
}

// Service manages webhooks and works their deliveries.
type Service struct {
	db         *sqlx.DB
	engine     *jobs.Engine
	opts       Options
	guard      netguard.Policy
	client     *http.Client
	formatters map[string]Formatter
	logger     *slog.Logger
	metrics    *metrics
}

// New builds the service and registers its worker with engine (before engine runs).
func New(db *sqlx.DB, engine *jobs.Engine, opts Options) (*Service, error) {
	if opts.RetryBase <= 0 {
		opts.RetryBase = DefaultRetryBase
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = DefaultRetryMax
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Service{db: db, engine: engine, opts: opts, guard: netguard.Policy{AllowPrivate: opts.AllowPrivate},
		formatters: map[string]Formatter{FormatPlatform: PlatformFormatter{}},
		logger:     opts.Logger.With("component", "webhooks"), metrics: newMetrics()}
	for name, f := range opts.Formatters {
		s.formatters[name] = f
	}
	s.client = s.guard.Client(opts.Timeout)
	// A redirect would resend the signed body elsewhere: answer with what the receiver said.
	s.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if err := jobs.Register(engine, &deliverWorker{s: s}); err != nil {
		return nil, err
	}
	return s, nil
}

// Collectors are the service's metrics, for the /metrics registry.
func (s *Service) Collectors() []prometheus.Collector { return s.metrics.collectors() }

func (s *Service) backoff(attempt int) time.Duration {
	d := s.opts.RetryBase
	for i := 1; i < attempt && d < s.opts.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.opts.RetryMax)
}

// CreateInput is a new webhook.
type CreateInput struct {
	WorkspaceID int64
	DatabaseID  int64 // 0: every database of the workspace
	TableID     int64 // 0: every table
	URL         string
	Method      string // default POST
	Headers     map[string]string
	Events      []string // empty: every kind
	Format      string   // default FormatPlatform
	MaxFailures int      // default DefaultMaxFailures
	MaxAttempts int      // default DefaultMaxAttempts
}

var eventKinds = map[string]bool{}

func init() {
	for _, k := range []gqlbase.EventKind{gqlbase.EventRowCreated, gqlbase.EventRowUpdated,
		gqlbase.EventRowDeleted, gqlbase.EventRowRestored, gqlbase.EventTableCreated,
		gqlbase.EventTableUpdated, gqlbase.EventTableDeleted, gqlbase.EventColumnCreated,
		gqlbase.EventColumnUpdated, gqlbase.EventColumnDeleted, gqlbase.EventDatabaseCreated,
		gqlbase.EventDatabaseUpdated, gqlbase.EventDatabaseDeleted} {
		eventKinds[string(k)] = true
	}
}

// reservedHeaders are set by the delivery itself.
var reservedHeaders = map[string]bool{"webhook-id": true, "webhook-timestamp": true,
	"webhook-signature": true, "content-type": true, "content-length": true, "host": true,
	"transfer-encoding": true, "connection": true, "user-agent": true}

// Create validates and stores a webhook. The caller has checked the principal may manage
// the workspace, and that the database and table belong to it. The returned secret is the
// only time it is shown by the API.
func (s *Service) Create(ctx context.Context, in CreateInput) (*Webhook, error) {
	w, err := s.validate(ctx, in)
	if err != nil {
		return nil, err
	}
	if w.Secret, err = NewSecret(); err != nil {
		return nil, err
	}
	return insertWebhook(ctx, s.db, w)
}

func (s *Service) validate(ctx context.Context, in CreateInput) (*Webhook, error) {
	if _, err := s.guard.CheckURL(ctx, "url", in.URL); err != nil {
		return nil, err
	}
	w := &Webhook{WorkspaceID: in.WorkspaceID, DatabaseID: in.DatabaseID, TableID: in.TableID,
		URL: in.URL, Method: strings.ToUpper(in.Method), Headers: map[string]string{},
		Events: []string{}, Format: in.Format, MaxFailures: in.MaxFailures, MaxAttempts: in.MaxAttempts}
	if w.Method == "" {
		w.Method = http.MethodPost
	}
	switch w.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil, gqlbase.BadInput("method must be POST, PUT or PATCH").WithField("method")
	}
	if w.Format == "" {
		w.Format = FormatPlatform
	}
	if _, ok := s.formatters[w.Format]; !ok {
		return nil, gqlbase.BadInput("unknown format %q", w.Format).WithField("format")
	}
	if len(in.Headers) > maxHeaders {
		return nil, gqlbase.BadInput("at most %d headers", maxHeaders).WithField("headers")
	}
	for k, v := range in.Headers {
		lk := strings.ToLower(k)
		if reservedHeaders[lk] || !validHeaderName(k) || len(v) > 1024 || strings.ContainsAny(v, "\r\n") {
			return nil, gqlbase.BadInput("header %q is not allowed", k).WithField("headers")
		}
		w.Headers[k] = v
	}
	seen := map[string]bool{}
	for _, e := range in.Events {
		if !eventKinds[e] {
			return nil, gqlbase.BadInput("unknown event %q", e).WithField("events")
		}
		if !seen[e] {
			seen[e] = true
			w.Events = append(w.Events, e)
		}
	}
	if w.TableID != 0 && w.DatabaseID == 0 {
		return nil, gqlbase.BadInput("a table webhook names its database").WithField("databaseId")
	}
	if w.MaxFailures == 0 {
		w.MaxFailures = DefaultMaxFailures
	}
	if w.MaxFailures < 1 || w.MaxFailures > 1000 {
		return nil, gqlbase.BadInput("maxFailures must be between 1 and 1000").WithField("maxFailures")
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = DefaultMaxAttempts
	}
	if w.MaxAttempts < 1 || w.MaxAttempts > 25 {
		return nil, gqlbase.BadInput("maxAttempts must be between 1 and 25").WithField("maxAttempts")
	}
	return w, nil
}

func validHeaderName(k string) bool {
	if k == "" || len(k) > 128 {
		return false
	}
	for _, c := range k {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// Get returns a webhook (NOT_FOUND when there is none).
func (s *Service) Get(ctx context.Context, id int64) (*Webhook, error) {
	return getWebhook(ctx, s.db, id)
}

// List returns a workspace's webhooks, oldest first, at most 100.
func (s *Service) List(ctx context.Context, workspaceID int64) ([]*Webhook, error) {
	return listWebhooks(ctx, s.db, workspaceID, maxListed)
}

// Delete removes a webhook with its log; its pending deliveries are cancelled when they run.
func (s *Service) Delete(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM webhooks WHERE id = $1`, id); err != nil {
		return fmt.Errorf("webhooks: delete %d: %w", id, err)
	}
	return nil
}

// SetActive activates (clearing the failure count) or deactivates a webhook.
func (s *Service) SetActive(ctx context.Context, id int64, active bool) (*Webhook, error) {
	if _, err := s.db.ExecContext(ctx, `UPDATE webhooks SET active = $2,
		failure_count = CASE WHEN $2 THEN 0 ELSE failure_count END, updated_at = now() WHERE id = $1`, id, active); err != nil {
		return nil, fmt.Errorf("webhooks: set active %d: %w", id, err)
	}
	return s.Get(ctx, id)
}

// RotateSecret gives a webhook a new secret and returns it with the webhook.
func (s *Service) RotateSecret(ctx context.Context, id int64) (*Webhook, error) {
	secret, err := NewSecret()
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE webhooks SET secret = $2, updated_at = now() WHERE id = $1`, id, secret); err != nil {
		return nil, fmt.Errorf("webhooks: rotate %d: %w", id, err)
	}
	return s.Get(ctx, id)
}

// Deliveries returns a webhook's latest attempts, newest first (first: 1..100, default 20).
func (s *Service) Deliveries(ctx context.Context, webhookID int64, first int) ([]*Delivery, error) {
	if first <= 0 {
		first = 20
	}
	return listDeliveries(ctx, s.db, webhookID, min(first, maxListed))
}

// Delivery returns one attempt of the log.
func (s *Service) Delivery(ctx context.Context, id int64) (*Delivery, error) {
	return getDelivery(ctx, s.db, id)
}

// Test calls the webhook now with a "webhook.test" message and returns the attempt, which
// the log keeps but which counts neither as a failure nor as a success.
func (s *Service) Test(ctx context.Context, id int64) (*Delivery, error) {
	hook, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.guard.CheckURL(ctx, "url", hook.URL); err != nil {
		return nil, err
	}
	ev := &gqlbase.Event{WorkspaceID: hook.WorkspaceID, DatabaseID: hook.DatabaseID,
		TableID: hook.TableID, Kind: gqlbase.EventRowCreated, CreatedAt: time.Now(),
		After: json.RawMessage(`{}`)}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	return s.send(ctx, hook, Message{ID: "msg_test_" + fmt.Sprint(time.Now().UnixNano()), Event: ev, Webhook: hook, Test: true}, 0, 1)
}

// Replay delivers a logged attempt's event again, as a new job with the same message id.
func (s *Service) Replay(ctx context.Context, deliveryID int64) (int64, error) {
	d, err := s.Delivery(ctx, deliveryID)
	if err != nil {
		return 0, err
	}
	if d.EventID == 0 {
		return 0, gqlbase.BadInput("a test call cannot be replayed").WithField("id")
	}
	hook, err := s.Get(ctx, d.WebhookID)
	if err != nil {
		return 0, err
	}
	if !hook.Active {
		return 0, gqlbase.Conflict("webhook %d is inactive", hook.ID)
	}
	return s.engine.Enqueue(ctx, DeliverArgs{WebhookID: d.WebhookID, EventID: d.EventID},
		&jobs.InsertOpts{Queue: Queue, MaxAttempts: hook.MaxAttempts})
}
