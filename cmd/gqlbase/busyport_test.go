package main

import (
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestBusyAddressFailsFirst: serve on an address another process holds fails at once, says the
// address is in use, and leaves nothing behind: no data dir, so no cluster and no admin token.
func TestBusyAddressFailsFirst(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	data := newDataDir(t)

	p := start(t, nil, "serve", "--addr", addr, "--data-dir", data, "--log-format", "json")
	if code := p.wait(time.Minute); code == 0 {
		t.Fatalf("serve on a busy address exited 0:\n%s", p.output)
	}
	out := p.output.String()
	if want := "address " + addr + " is in use: "; !strings.Contains(out, want) {
		t.Errorf("the error does not say %q:\n%s", want, out)
	}
	if strings.Contains(out, "PostgreSQL") {
		t.Errorf("PostgreSQL was started or mentioned:\n%s", out)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data dir was created (stat: %v)", err)
	}
}
