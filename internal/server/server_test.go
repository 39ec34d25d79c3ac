package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/internal/server"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newServer(t *testing.T) *server.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(pgtest.NewStore(t), server.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Listener: ln, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The first goroutine that fails ends the others, and Run returns its error once all of them
// (HTTP included) have stopped.
func TestFirstErrorStopsEverything(t *testing.T) {
	s := newServer(t)
	boom := errors.New("boom")
	fail := make(chan struct{})
	waiterEnded := make(chan struct{})
	s.Go("waiter", func(ctx context.Context) error {
		<-ctx.Done()
		close(waiterEnded)
		return nil
	})
	s.Go("failing", func(ctx context.Context) error {
		<-fail
		return boom
	})
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	url := "http://" + s.Addr().String() + "/health"
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("serving: %v", err)
	}
	resp.Body.Close()

	close(fail)
	var runErr error
	select {
	case runErr = <-done:
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after a goroutine failed")
	}
	if !errors.Is(runErr, boom) || runErr.Error() != "failing: boom" {
		t.Errorf("Run returned %v, want the failing goroutine's error with its name", runErr)
	}
	select {
	case <-waiterEnded:
	default:
		t.Errorf("Run returned before the other goroutine ended")
	}
	if _, err := http.Get(url); err == nil {
		t.Errorf("still serving after Run returned")
	}
}

// Close without Run gives the address back.
func TestCloseWithoutRun(t *testing.T) {
	s := newServer(t)
	addr := s.Addr().String()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the address is still taken after Close: %v", err)
	}
	ln.Close()
	if err := s.Run(context.Background()); err == nil {
		t.Errorf("Run after Close: no error")
	}
}
