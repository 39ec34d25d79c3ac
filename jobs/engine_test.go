package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/jobs"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type echoArgs struct {
	N int `json:"n"`
}

func (echoArgs) Kind() string { return "test.echo" }

type echoWorker struct {
	jobs.WorkerDefaults[echoArgs]
	got chan int
}

func (w *echoWorker) Work(ctx context.Context, job *jobs.Job[echoArgs]) error {
	w.got <- job.Args.N
	return nil
}

func startEngine(t *testing.T, opts jobs.Options) (*jobs.Engine, *echoWorker, func()) {
	t.Helper()
	st := pgtest.NewStore(t)
	e, err := jobs.New(st.DB().DB, opts)
	if err != nil {
		t.Fatal(err)
	}
	w := &echoWorker{got: make(chan int, 16)}
	if err := jobs.Register(e, w); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	return e, w, stop
}

// A job enqueued in a transaction exists only when the transaction commits.
func TestEnqueueTxFollowsTheTransaction(t *testing.T) {
	st := pgtest.NewStore(t)
	e, err := jobs.New(st.DB().DB, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := &echoWorker{got: make(chan int, 16)}
	if err := jobs.Register(e, w); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, commit := range []bool{false, true} {
		tx, err := st.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 1
		if commit {
			n = 2
		}
		if _, err := e.EnqueueTx(ctx, tx, echoArgs{N: n}, nil); err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	select {
	case n := <-w.got:
		if n != 2 {
			t.Errorf("worked job %d, want only the committed one (2)", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("committed job never worked")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	var count int
	if err := st.DB().Get(&count, `SELECT count(*) FROM river_job`); err != nil {
		t.Fatal(err)
	}
	if count != 1 {
		t.Errorf("%d jobs stored, want 1 (the rolled-back one never existed)", count)
	}
}

// An engine whose database is closed under it stops without an error.
func TestRunEndsQuietlyWhenTheStoreCloses(t *testing.T) {
	st := pgtest.NewStore(t)
	e, err := jobs.New(st.DB().DB, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Register(e, &echoWorker{got: make(chan int, 1)}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	time.Sleep(300 * time.Millisecond)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run over a closed store: %v, want nil", err)
	}
}

// A disabled engine enqueues but works nothing.
func TestDisabledEngineOnlyEnqueues(t *testing.T) {
	e, w, stop := startEngine(t, jobs.Options{Disabled: true})
	id, err := e.Enqueue(context.Background(), echoArgs{N: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	stop()
	select {
	case n := <-w.got:
		t.Errorf("disabled engine worked job %d", n)
	default:
	}
	row, err := e.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if row.State != "available" {
		t.Errorf("job state %q, want available", row.State)
	}
}
