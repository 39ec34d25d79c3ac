package resolvers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/jobs"
)

// Function triggers: row events (the events table's trigger enqueues function.run jobs in
// the writing transaction, migration 0023) and cron schedules (EnqueueDueCronTriggers, from
// RunFunctionCron), worked by functionRunWorker as River jobs.

// FunctionQueue is the job queue function runs go to.
const FunctionQueue = "functions"

// triggerEvents are the row events a trigger may name.
var triggerEvents = []string{string(gqlbase.EventRowCreated), string(gqlbase.EventRowUpdated), string(gqlbase.EventRowDeleted), string(gqlbase.EventRowRestored)}

// minCronInterval bounds how often a cron trigger may run.
const minCronInterval = time.Second

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// nextCron is when expr is next due after t (UTC).
func nextCron(expr string, after time.Time) (time.Time, error) {
	s, err := cronParser.Parse(expr)
	if err != nil {
		return time.Time{}, err
	}
	next := s.Next(after.UTC())
	if next.IsZero() {
		return time.Time{}, fmt.Errorf("%q is never due", expr)
	}
	return next, nil
}

// SetFunctionTrigger sets or removes what runs a function.
func (r *Resolver) SetFunctionTrigger(ctx context.Context, functionID int64, in gqlbase.FunctionTriggerInput) (*gqlbase.FunctionTrigger, error) {
	f, err := r.FunctionFor(ctx, functionID, gqlbase.ScopeSchema)
	if err != nil {
		return nil, err
	}
	if in.TableID != nil {
		t, err := r.TableFor(ctx, *in.TableID, gqlbase.ScopeRead)
		if err != nil {
			return nil, err
		}
		if t.DatabaseID != f.DatabaseID {
			return nil, gqlbase.BadInput("table %d is not in the function's database", t.ID).WithField("tableId")
		}
	} else if len(in.Events) > 0 {
		return nil, gqlbase.BadInput("events need a tableId").WithField("events")
	}
	for _, e := range in.Events {
		if !slices.Contains(triggerEvents, e) {
			return nil, gqlbase.BadInput("unknown row event %q (want one of %s)", e, strings.Join(triggerEvents, ", ")).WithField("events")
		}
	}
	in.Events = slices.Compact(slices.Sorted(slices.Values(in.Events)))
	var next *time.Time
	if in.Cron != nil {
		expr := strings.TrimSpace(*in.Cron)
		in.Cron = &expr
		if d, ok := strings.CutPrefix(expr, "@every "); ok {
			// The parser rounds a shorter delay up to a second; say so instead.
			if every, err := time.ParseDuration(strings.TrimSpace(d)); err == nil && every < minCronInterval {
				return nil, gqlbase.BadInput("cron %q runs more often than once a second", expr).WithField("cron")
			}
		}
		first, err := nextCron(expr, time.Now())
		if err != nil {
			return nil, gqlbase.BadInput("cron %q: %v", expr, err).WithField("cron")
		}
		if second, _ := nextCron(expr, first); second.Sub(first) < minCronInterval {
			return nil, gqlbase.BadInput("cron %q runs more often than once a second", expr).WithField("cron")
		}
		next = &first
	}
	return r.Store.SetFunctionTrigger(ctx, f.ID, in, next)
}

// FunctionRunArgs is the job that runs a function for a trigger.
type FunctionRunArgs struct {
	FunctionID int64      `json:"function_id"`
	EventID    int64      `json:"event_id,omitempty"`
	Trigger    string     `json:"trigger"`
	DueAt      *time.Time `json:"due_at,omitempty"`
	// Depth is how many triggered runs led to this one (1: a write of anyone but a
	// triggered function); the events table's trigger sets it (migration 0023).
	Depth int `json:"depth,omitempty"`
}

// MaxTriggerDepth bounds a chain of triggered runs: a function whose writes trigger itself,
// or a ring of functions, runs at most this many times in a row for one first write.
const MaxTriggerDepth = 8

// Kind names the worker.
func (FunctionRunArgs) Kind() string { return "function.run" }

type functionRunWorker struct {
	jobs.WorkerDefaults[FunctionRunArgs]
	r *Resolver
}

// RegisterFunctionJobs registers the worker of triggered function runs with the engine.
func (r *Resolver) RegisterFunctionJobs(e *jobs.Engine) error {
	return jobs.Register(e, &functionRunWorker{r: r})
}

// triggerInput is what a triggered run gets as input.
type triggerInput struct {
	Trigger string        `json:"trigger"`
	Event   *triggerEvent `json:"event,omitempty"`
	Cron    *string       `json:"cron,omitempty"`
	DueAt   *time.Time    `json:"dueAt,omitempty"`
}

type triggerEvent struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	TableID   int64           `json:"tableId"`
	RowID     int64           `json:"rowId"`
	Actor     string          `json:"actor"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
	CreatedAt time.Time       `json:"createdAt"`
}

func rawOrNull(b json.RawMessage) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	return b
}

// Work runs the function once. A function that fails is recorded in its invocation log and
// not retried (running it again would fail the same way); a failure of the server (the
// database, no free slot) is returned, so River retries it with backoff.
func (w *functionRunWorker) Work(ctx context.Context, job *jobs.Job[FunctionRunArgs]) error {
	a := job.Args
	f, err := w.r.Store.FunctionByID(ctx, a.FunctionID)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		return nil // deleted since: nothing to run
	}
	if err != nil {
		return err
	}
	in := triggerInput{Trigger: a.Trigger, DueAt: a.DueAt}
	if a.EventID != 0 {
		ev, err := w.r.Store.EventByID(ctx, a.EventID)
		if err != nil {
			return err
		}
		if ev == nil {
			return nil // purged by retention before it could run
		}
		in.Event = &triggerEvent{ID: ev.ID, Kind: string(ev.Kind), TableID: ev.TableID, RowID: ev.RowID, Actor: ev.Actor,
			Before: rawOrNull(ev.Before), After: rawOrNull(ev.After), CreatedAt: ev.CreatedAt}
	}
	if a.Trigger == "cron" {
		if t, err := w.r.Store.FunctionTrigger(ctx, f.ID); err == nil && t != nil {
			in.Cron = t.Cron
		}
	}
	input, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("function %d trigger input: %w", f.ID, err)
	}
	if a.Depth > MaxTriggerDepth {
		// Not run, so it writes nothing and the chain ends here; the log says why.
		msg := fmt.Sprintf("not run: %d triggered runs in a row led to this event (at most %d); a function whose writes trigger itself, directly or through others, stops here", a.Depth-1, MaxTriggerDepth)
		_, err := w.r.Store.RecordInvocation(ctx, &gqlbase.FunctionInvocation{FunctionID: f.ID, Version: f.CurrentVersion,
			Trigger: a.Trigger, Input: input, Logs: []string{}, Error: &msg})
		return err
	}
	_, err = w.r.RunLoadedFunction(ctx, f, input, a.Trigger)
	if e, ok := gqlbase.AsError(err); ok && e.Code != gqlbase.CodeRateLimited {
		// The function cannot run (its creator left): recorded nowhere else, so log it.
		w.r.Logger.WarnContext(ctx, "triggered function not run", "function", f.ID, "err", e.Message)
		return nil
	}
	return err
}

// RunFunctionCron enqueues due cron triggers once a second until ctx ends.
func (r *Resolver) RunFunctionCron(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if _, err := r.Store.EnqueueDueCronTriggers(ctx, time.Now(), 100, nextCron); err != nil && ctx.Err() == nil {
				r.Logger.ErrorContext(ctx, "function cron", "err", err)
			}
		}
	}
}
