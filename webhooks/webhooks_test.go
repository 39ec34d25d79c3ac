package webhooks_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/jobs"
	"github.com/gqlbase/gqlbase/storage"
	"github.com/gqlbase/gqlbase/storage/pgtest"
	"github.com/gqlbase/gqlbase/webhooks"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// received is one request the receiver got.
type received struct {
	at     time.Time
	header http.Header
	body   []byte
}

// receiver is a real HTTP server answering with the statuses it is given, in turn (the
// last one again once they run out).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []received
	arrived  chan struct{}
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses, arrived: make(chan struct{}, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{at: time.Now(), header: req.Header.Clone(), body: body})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status = r.statuses[0]
			if len(r.statuses) > 1 {
				r.statuses = r.statuses[1:]
			}
		}
		r.mu.Unlock()
		w.Header().Set("X-Receiver", "test")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
		r.arrived <- struct{}{}
	}))
	t.Cleanup(r.Close)
	return r
}

// wait waits for n requests in all, failing after a generous bound.
func (r *receiver) wait(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		r.mu.Lock()
		got := append([]received(nil), r.got...)
		r.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("receiver got %d requests, want %d", len(got), n)
		}
	}
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

type fixture struct {
	st  *storage.Store
	tbl *gqlbase.Table
	svc *webhooks.Service
	eng *jobs.Engine
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newFixture(t *testing.T, opts webhooks.Options) *fixture {
	t.Helper()
	st := pgtest.NewStore(t)
	_, tbl := pgtest.NewTable(t, st, &gqlbase.Table{Name: "items", Columns: []*gqlbase.Column{
		{Name: "seq", Type: gqlbase.TypeInteger},
	}})
	eng, err := jobs.New(st.DB().DB, jobs.Options{Queues: []string{webhooks.Queue},
		PollInterval: 50 * time.Millisecond, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = quiet()
	if opts.RetryBase == 0 {
		opts.RetryBase = 100 * time.Millisecond
	}
	svc, err := webhooks.New(st.DB(), eng, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("engine: %v", err)
		}
	})
	return &fixture{st: st, tbl: tbl, svc: svc, eng: eng}
}

func (f *fixture) hook(t *testing.T, url string, in webhooks.CreateInput) *webhooks.Webhook {
	t.Helper()
	in.WorkspaceID, in.DatabaseID, in.TableID, in.URL = f.tbl.WorkspaceID, f.tbl.DatabaseID, f.tbl.ID, url
	w, err := f.svc.Create(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (f *fixture) insert(t *testing.T, seq int) {
	t.Helper()
	if _, err := f.st.InsertRows(context.Background(), f.tbl, []map[string]any{{"seq": seq}}, "test"); err != nil {
		t.Fatal(err)
	}
}

func TestSignedDeliveryVerifies(t *testing.T) {
	f := newFixture(t, webhooks.Options{AllowPrivate: true})
	r := newReceiver(t, http.StatusOK)
	hook := f.hook(t, r.URL, webhooks.CreateInput{Events: []string{"row.created"}, Headers: map[string]string{"X-Custom": "yes"}})
	if hook.Secret == "" || !hook.Active {
		t.Fatalf("new webhook: %+v", hook)
	}
	start := time.Now()
	f.insert(t, 7)
	got := r.wait(t, 1)[0]
	t.Logf("insert to receipt: %v", got.at.Sub(start))
	if err := webhooks.Verify(hook.Secret, got.header, got.body, time.Now(), 5*time.Minute); err != nil {
		t.Fatalf("signature: %v (headers %v)", err, got.header)
	}
	if err := webhooks.Verify("whsec_"+"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", got.header, got.body, time.Now(), 5*time.Minute); err == nil {
		t.Error("signature verifies with another secret")
	}
	if got.header.Get("X-Custom") != "yes" {
		t.Errorf("custom header missing: %v", got.header)
	}
	var body struct {
		Type string `json:"type"`
		Data struct {
			TableID string          `json:"tableId"`
			After   json.RawMessage `json:"after"`
		} `json:"data"`
	}
	if err := json.Unmarshal(got.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Type != "row.created" || body.Data.TableID != jsonID(f.tbl.ID) {
		t.Errorf("body %s", got.body)
	}
	var after map[string]any
	if err := json.Unmarshal(body.Data.After, &after); err != nil || after["seq"] != float64(7) {
		t.Errorf("after %s (%v)", body.Data.After, err)
	}
	// The log keeps the attempt.
	ds := waitDeliveries(t, f, hook.ID, 1)
	if !ds[0].Succeeded || ds[0].Status != 200 || ds[0].ResponseHeaders["x-receiver"] != "test" ||
		ds[0].MessageID != got.header.Get("webhook-id") || ds[0].RequestBody != string(got.body) {
		t.Errorf("delivery log: %+v", ds[0])
	}
}

func jsonID(id int64) string { b, _ := json.Marshal(id); return string(b) }

func waitDeliveries(t *testing.T, f *fixture, hookID int64, n int) []*webhooks.Delivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := f.svc.Deliveries(context.Background(), hookID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) >= n {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries logged, want %d", len(ds), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRetriesBackOffUntilSuccess(t *testing.T) {
	f := newFixture(t, webhooks.Options{AllowPrivate: true, RetryBase: 300 * time.Millisecond})
	r := newReceiver(t, 500, 500, 200)
	hook := f.hook(t, r.URL, webhooks.CreateInput{})
	f.insert(t, 1)
	got := r.wait(t, 3)
	ds := waitDeliveries(t, f, hook.ID, 3)
	gap1, gap2 := got[1].at.Sub(got[0].at), got[2].at.Sub(got[1].at)
	if gap1 < 300*time.Millisecond || gap2 < 600*time.Millisecond {
		t.Errorf("gaps %v, %v: want at least the backoff 300ms, 600ms", gap1, gap2)
	}
	for i, g := range got {
		if g.header.Get("webhook-id") != got[0].header.Get("webhook-id") {
			t.Errorf("attempt %d has message id %q, want the first's", i, g.header.Get("webhook-id"))
		}
	}
	ok := 0
	for _, d := range ds {
		if d.Succeeded {
			ok++
		}
	}
	if len(ds) != 3 || ok != 1 || !ds[0].Succeeded || ds[0].Attempt != 3 {
		t.Errorf("log: %d attempts, %d succeeded, newest %+v", len(ds), ok, ds[0])
	}
	w, err := f.svc.Get(context.Background(), hook.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Active || w.FailureCount != 0 {
		t.Errorf("after a success: active %v, failures %d", w.Active, w.FailureCount)
	}
}

func TestConsecutiveFailuresDeactivate(t *testing.T) {
	f := newFixture(t, webhooks.Options{AllowPrivate: true, RetryBase: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond})
	r := newReceiver(t, 500)
	hook := f.hook(t, r.URL, webhooks.CreateInput{MaxAttempts: 20})
	f.insert(t, 1)
	r.wait(t, webhooks.DefaultMaxFailures)
	deadline := time.Now().Add(30 * time.Second)
	for {
		w, err := f.svc.Get(context.Background(), hook.ID)
		if err != nil {
			t.Fatal(err)
		}
		var state string
		if err := f.st.DB().Get(&state, `SELECT state FROM river_job WHERE kind = $1`, webhooks.KindDeliver); err != nil {
			t.Fatal(err)
		}
		if !w.Active && state == "cancelled" {
			if w.FailureCount != webhooks.DefaultMaxFailures {
				t.Errorf("failure count %d, want %d", w.FailureCount, webhooks.DefaultMaxFailures)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook active %v, failures %d, job %s", w.Active, w.FailureCount, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := r.count(); n != webhooks.DefaultMaxFailures {
		t.Errorf("%d attempts, want %d (none after deactivation)", n, webhooks.DefaultMaxFailures)
	}
	// An inactive webhook gets no new jobs.
	f.insert(t, 2)
	var n int
	if err := f.st.DB().Get(&n, `SELECT count(*) FROM river_job WHERE kind = $1`, webhooks.KindDeliver); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d delivery jobs, want 1: an inactive webhook is not enqueued", n)
	}
}

func TestRolledBackWriteDeliversNothing(t *testing.T) {
	f := newFixture(t, webhooks.Options{AllowPrivate: true})
	r := newReceiver(t, 200)
	f.hook(t, r.URL, webhooks.CreateInput{})
	ctx := context.Background()
	tx, err := f.st.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO "`+f.tbl.Schema+`".items (seq) VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	var jobsInTx int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM river_job`).Scan(&jobsInTx); err != nil {
		t.Fatal(err)
	}
	if jobsInTx != 1 {
		t.Fatalf("%d jobs inside the writing transaction, want 1", jobsInTx)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	f.insert(t, 2)
	got := r.wait(t, 1)
	time.Sleep(300 * time.Millisecond) // give a wrongly enqueued first delivery its chance
	if n := r.count(); n != 1 {
		t.Fatalf("%d deliveries, want 1", n)
	}
	if !json.Valid(got[0].body) || !containsSeq(got[0].body, 2) {
		t.Errorf("delivered %s, want the committed row (seq 2)", got[0].body)
	}
}

func containsSeq(body []byte, seq int) bool {
	var b struct {
		Data struct {
			After struct {
				Seq int `json:"seq"`
			} `json:"after"`
		} `json:"data"`
	}
	return json.Unmarshal(body, &b) == nil && b.Data.After.Seq == seq
}

func TestPrivateAndMetadataTargetsAreRefused(t *testing.T) {
	f := newFixture(t, webhooks.Options{})
	for _, url := range []string{"http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:8080/", "ftp://example.com/", "http://user:pw@example.com/"} {
		_, err := f.svc.Create(context.Background(), webhooks.CreateInput{WorkspaceID: f.tbl.WorkspaceID, URL: url})
		e, ok := gqlbase.AsError(err)
		if !ok || e.Code != gqlbase.CodeBadUserInput || e.Field != "url" {
			t.Errorf("%s: %v, want BAD_USER_INPUT on url", url, err)
		}
	}
	var n int
	if err := f.st.DB().Get(&n, `SELECT count(*) FROM webhooks`); err != nil || n != 0 {
		t.Errorf("%d webhooks stored (%v), want none", n, err)
	}
}

func TestBadInputIsRefused(t *testing.T) {
	f := newFixture(t, webhooks.Options{AllowPrivate: true})
	ws := f.tbl.WorkspaceID
	cases := map[string]webhooks.CreateInput{
		"events":  {WorkspaceID: ws, URL: "http://127.0.0.1/", Events: []string{"row.exploded"}},
		"method":  {WorkspaceID: ws, URL: "http://127.0.0.1/", Method: "DELETE"},
		"headers": {WorkspaceID: ws, URL: "http://127.0.0.1/", Headers: map[string]string{"webhook-signature": "x"}},
		"format":  {WorkspaceID: ws, URL: "http://127.0.0.1/", Format: "nope"},
	}
	for field, in := range cases {
		_, err := f.svc.Create(context.Background(), in)
		e, ok := gqlbase.AsError(err)
		if !ok || e.Code != gqlbase.CodeBadUserInput || e.Field != field {
			t.Errorf("%s: %v, want BAD_USER_INPUT on %s", field, err, field)
		}
	}
}

func TestTestReplayAndRotate(t *testing.T) {
	f := newFixture(t, webhooks.Options{AllowPrivate: true})
	r := newReceiver(t, 200, 503)
	hook := f.hook(t, r.URL, webhooks.CreateInput{MaxAttempts: 1})
	ctx := context.Background()
	d, err := f.svc.Test(ctx, hook.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != 200 || !d.Succeeded {
		t.Errorf("test call: %+v", d)
	}
	got := r.wait(t, 1)
	if !json.Valid(got[0].body) || !contains(got[0].body, `"webhook.test"`) {
		t.Errorf("test body %s", got[0].body)
	}
	// A 503 with one attempt is a dead letter; replay and dead-letter retry send it again.
	f.insert(t, 1)
	r.wait(t, 2)
	var dead []*webhooks.DeadLetter
	deadline := time.Now().Add(30 * time.Second)
	for len(dead) == 0 {
		if dead, err = f.svc.DeadLetters(ctx, hook.ID, 10); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("no dead letter")
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.mu.Lock()
	r.statuses = []int{200}
	r.mu.Unlock()
	if err := f.svc.RetryDeadLetter(ctx, hook.ID, dead[0].JobID); err != nil {
		t.Fatal(err)
	}
	got = r.wait(t, 3)
	if got[2].header.Get("webhook-id") != got[1].header.Get("webhook-id") {
		t.Errorf("retried dead letter has a new message id")
	}
	ds := waitDeliveries(t, f, hook.ID, 3)
	if _, err := f.svc.Replay(ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	got = r.wait(t, 4)
	if got[3].header.Get("webhook-id") != got[1].header.Get("webhook-id") {
		t.Errorf("replay has a new message id")
	}
	if err := f.svc.DiscardDeadLetter(ctx, hook.ID, dead[0].JobID); gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
		t.Errorf("discarding a job that is no longer dead: %v, want NOT_FOUND", err)
	}
	rotated, err := f.svc.RotateSecret(ctx, hook.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Secret == hook.Secret {
		t.Error("secret unchanged")
	}
	if _, err := f.svc.Test(ctx, hook.ID); err != nil {
		t.Fatal(err)
	}
	got = r.wait(t, 5)
	if err := webhooks.Verify(rotated.Secret, got[4].header, got[4].body, time.Now(), time.Minute); err != nil {
		t.Errorf("after rotation: %v", err)
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
