// Package blobtest starts a real S3 server for tests: versitygw serving a temp folder
// (installed by .ci/run with go install). Tests that need S3 fail, never skip, when it is
// missing, so a green run always means the S3 store was exercised.
package blobtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/files/blob"
)

const (
	accessKey = "gqlbasetest"
	secretKey = "gqlbasetestsecret"
)

// binary finds versitygw on PATH or in go install's folder.
func binary() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	gobin := os.Getenv("GOBIN")
	if gobin == "" {
		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err == nil {
			gobin = filepath.Join(strings.TrimSpace(string(out)), "bin")
		}
	}
	p := filepath.Join(gobin, "versitygw")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("versitygw not found on PATH or in %s: install it with "+
			"`go install github.com/versity/versitygw/cmd/versitygw@v1.8.0` (.ci/run does)", gobin)
	}
	return p, nil
}

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Server starts versitygw over a temp folder for the test and returns its config (with a
// fresh bucket name); the server is stopped when the test ends.
func Server(t testing.TB) blob.S3Config {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	addr := freePort(t)
	cmd := exec.Command(bin, "--access", accessKey, "--secret", secretKey, "--port", addr, "posix", root)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not listen on %s: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return blob.S3Config{Endpoint: addr, Bucket: "gqlbase-test", Region: "us-east-1",
		AccessKey: accessKey, SecretKey: secretKey}
}

// Store starts a server and opens an S3 store on it.
func Store(t testing.TB) *blob.S3 {
	t.Helper()
	cfg := Server(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := blob.NewS3(ctx, cfg)
	if err != nil {
		t.Fatalf("open S3 store on versitygw: %v", err)
	}
	return s
}
