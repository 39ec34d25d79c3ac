// Package jobs is gqlbase's background work: a River (github.com/riverqueue/river) client over
// the store's own database/sql pool (driver riverdatabasesql, lib/pq). Jobs live in the same
// Postgres as the data, so a job enqueued with EnqueueTx commits or rolls back with the write
// that caused it; processes claim jobs with SKIP LOCKED, failed jobs retry with backoff, and
// jobs survive restarts. River's tables are created by the store's migrations (under the
// same lock, in the same transaction).
//
// Other packages add work by registering a worker (Register) before Run and enqueueing its
// arguments (Enqueue, EnqueueTx).
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"

	"github.com/gqlbase/gqlbase/logging"
)

// DefaultWorkers is how many jobs a process works at once per queue.
const DefaultWorkers = 10

// DefaultPollInterval is how often a process looks for new jobs: database/sql has no LISTEN,
// so River polls (one cheap indexed query per queue and interval).
const DefaultPollInterval = 250 * time.Millisecond

// QueueDefault is the queue of jobs enqueued without one.
const QueueDefault = river.QueueDefault

// Options configure the engine.
type Options struct {
	// Workers is the concurrency of each queue in this process (default DefaultWorkers).
	Workers int
	// Disabled makes this process enqueue only: it works no jobs (API-only processes).
	Disabled bool
	// PollInterval is how often new jobs are looked for (default DefaultPollInterval).
	PollInterval time.Duration
	// Queues are the queues worked besides QueueDefault.
	Queues []string
	// Logger gets the engine's warnings and errors (River's routine lines are dropped).
	Logger *slog.Logger
	// StopTimeout bounds how long running jobs may take to finish when Run ends (default
	// 10 s); jobs still running then are cancelled and retried by the next process.
	StopTimeout time.Duration
}

// Engine is one process's handle on the job queue.
type Engine struct {
	client  *river.Client[*sql.Tx]
	workers *river.Workers
	opts    Options
	logger  *slog.Logger
	kinds   atomic.Int32 // workers registered
	metrics *metrics
}

// Args are a job's arguments: a JSON-encodable struct whose Kind names its worker.
type Args = river.JobArgs

// Job is a job as its worker sees it.
type Job[T Args] = river.Job[T]

// Worker works jobs of one kind; embed WorkerDefaults for the optional methods.
type Worker[T Args] = river.Worker[T]

// WorkerDefaults gives a Worker River's defaults for its optional methods.
type WorkerDefaults[T Args] = river.WorkerDefaults[T]

// InsertOpts override a job's queue, schedule, attempts and uniqueness.
type InsertOpts = river.InsertOpts

// Row is a job as stored.
type Row = rivertype.JobRow

// New builds the engine over db (the store's pool). Nothing runs until Run.
func New(db *sql.DB, opts Options) (*Engine, error) {
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	logger := opts.Logger.With("component", "jobs")
	workers := river.NewWorkers()
	cfg := &river.Config{
		Logger:            logging.AtLeast(logger, slog.LevelWarn),
		Workers:           workers,
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     min(opts.PollInterval, 100*time.Millisecond),
	}
	if !opts.Disabled {
		cfg.Queues = map[string]river.QueueConfig{QueueDefault: {MaxWorkers: opts.Workers}}
		for _, q := range opts.Queues {
			cfg.Queues[q] = river.QueueConfig{MaxWorkers: opts.Workers}
		}
	}
	client, err := river.NewClient(riverdatabasesql.New(db), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: new client: %w", err)
	}
	return &Engine{client: client, workers: workers, opts: opts, logger: logger, metrics: newMetrics(db)}, nil
}

// Register adds the worker of one job kind. Call it before Run (and before enqueueing that
// kind: an unregistered kind is refused).
func Register[T Args](e *Engine, w Worker[T]) error {
	if err := river.AddWorkerSafely(e.workers, w); err != nil {
		return fmt.Errorf("jobs: register: %w", err)
	}
	e.kinds.Add(1)
	return nil
}

// Enqueue adds a job in a transaction of its own.
func (e *Engine) Enqueue(ctx context.Context, args Args, opts *InsertOpts) (int64, error) {
	res, err := e.client.Insert(ctx, args, opts)
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// EnqueueTx adds a job in tx: it exists only if tx commits.
func (e *Engine) EnqueueTx(ctx context.Context, tx *sql.Tx, args Args, opts *InsertOpts) (int64, error) {
	res, err := e.client.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, nil
}

// Get returns a job by id.
func (e *Engine) Get(ctx context.Context, id int64) (*Row, error) {
	row, err := e.client.JobGet(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("jobs: get %d: %w", id, err)
	}
	return row, nil
}

// Cancel cancels a job: one not yet running never runs, a running one has its context
// cancelled (in this process at once, in another one when it next hears of it).
func (e *Engine) Cancel(ctx context.Context, id int64) (*Row, error) {
	row, err := e.client.JobCancel(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("jobs: cancel %d: %w", id, err)
	}
	return row, nil
}

// Retry makes a finished, failed or cancelled job available again now.
func (e *Engine) Retry(ctx context.Context, id int64) (*Row, error) {
	row, err := e.client.JobRetry(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("jobs: retry %d: %w", id, err)
	}
	return row, nil
}

// Delete removes a job that is not running.
func (e *Engine) Delete(ctx context.Context, id int64) error {
	if _, err := e.client.JobDelete(ctx, id); err != nil {
		return fmt.Errorf("jobs: delete %d: %w", id, err)
	}
	return nil
}

// Run works jobs until ctx ends, then stops: running jobs get StopTimeout to finish. It
// returns nil when the process is shutting down (ctx ended, or the store was closed under
// it): a job engine that cannot reach a closing database is no reason for the server to
// fail. A process with Disabled, or with no worker registered, only waits.
func (e *Engine) Run(ctx context.Context) error {
	if e.opts.Disabled || e.kinds.Load() == 0 {
		<-ctx.Done()
		return nil
	}
	events, unsubscribe := e.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled)
	followCtx, stopFollowing := context.WithCancel(ctx)
	followed := make(chan struct{})
	go func() {
		defer close(followed)
		e.metrics.follow(followCtx, events)
	}()
	defer func() {
		stopFollowing()
		<-followed
		unsubscribe()
	}()
	if err := e.client.Start(ctx); err != nil {
		if shuttingDown(ctx, err) {
			e.logger.Debug("job engine not started: shutting down", "err", err)
			return nil
		}
		return fmt.Errorf("jobs: start: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-e.client.Stopped():
		// River stopped on its own (its database went away): nothing left to run.
		return nil
	}
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.StopTimeout)
	defer cancel()
	if err := e.client.Stop(stopCtx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			// Jobs that would not finish are cancelled; River retries them elsewhere.
			hard, cancelHard := context.WithTimeout(context.WithoutCancel(ctx), e.opts.StopTimeout)
			defer cancelHard()
			_ = e.client.StopAndCancel(hard)
			return nil
		}
		if !shuttingDown(ctx, err) {
			e.logger.Warn("job engine stop", "err", err)
		}
	}
	return nil
}

// shuttingDown tells errors of a process that is stopping from real failures.
func shuttingDown(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	return strings.Contains(err.Error(), "database is closed")
}
