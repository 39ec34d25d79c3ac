package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestDataDirInsideClosedFolder: run as root with the data dir inside a folder PostgreSQL's
// account cannot enter (a fresh clone in root's home), gqlbase keeps the cluster in a folder of
// its own under /var/lib/gqlbase, says so, and finds it again on the next start.
func TestDataDirInsideClosedFolder(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	home := filepath.Dir(data)
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	p := serveOn(t, data)
	if status, _ := p.get("/ready"); status != http.StatusOK {
		t.Fatalf("/ready: %d", status)
	}
	if os.Geteuid() != 0 {
		return // the cluster runs as gqlbase's own user, which can enter its folders
	}
	sum := sha256.Sum256([]byte(data))
	clusterHome := filepath.Join("/var/lib/gqlbase", hex.EncodeToString(sum[:8]))
	t.Cleanup(func() { os.RemoveAll(clusterHome) })
	if _, err := os.Stat(filepath.Join(clusterHome, "pg", "PG_VERSION")); err != nil {
		t.Fatalf("no cluster in %s: %v", clusterHome, err)
	}
	if len(p.logged("PostgreSQL's account cannot reach the data dir; keeping the cluster elsewhere")) != 1 {
		t.Errorf("the move of the cluster was not logged:\n%s", p.output)
	}
	token := readAdminToken(t, data)
	p.signal(syscall.SIGTERM)
	if code := p.wait(time.Minute); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	// The next start finds the same cluster: the admin token made by the first still works.
	again := serveOn(t, data)
	if kind := again.meKind(token); kind != "TOKEN" {
		t.Fatalf("after restart the admin token gives %s", kind)
	}
	if len(again.logged("initialising PostgreSQL cluster")) != 0 {
		t.Error("the cluster was initialised again")
	}
	again.signal(syscall.SIGTERM)
	again.wait(time.Minute)
}
