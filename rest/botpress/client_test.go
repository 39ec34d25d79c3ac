package botpress_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/e2e"
	"github.com/gqlbase/gqlbase/internal/testserver"
	"github.com/gqlbase/gqlbase/storage/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// createToken makes a token of the admin's workspace with the given scopes.
func createToken(t testing.TB, srv *testserver.Server, scopes ...string) string {
	t.Helper()
	data := srv.Platform(t, srv.AdminToken, `mutation($in: CreateTokenInput!) { createToken(input: $in) { secret } }`,
		map[string]any{"in": map[string]any{"name": "t", "scopes": scopes}}).OK(t)
	return testserver.Str(data, "createToken", "secret")
}

// TestOfficialClient runs every table method of the official @botpress/client (npm) against
// the server: e2e/botpress-tables.mjs checks each answer.
func TestOfficialClient(t *testing.T) {
	srv := testserver.Start(t)
	readOnly := createToken(t, srv, "READ")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := e2e.Run(ctx, t, "botpress-tables.mjs", srv.URL, srv.AdminToken, "my-bot", readOnly)
	sc := bufio.NewScanner(bytes.NewReader(out))
	done := false
	for sc.Scan() {
		var line struct {
			Method  string `json:"method"`
			OK      bool   `json:"ok"`
			Done    bool   `json:"done"`
			Methods int    `json:"methods"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("script output is not JSON lines: %q", sc.Text())
		}
		if line.Done {
			done = line.Methods == 14
			continue
		}
		t.Logf("%-18s ok=%v", line.Method, line.OK)
	}
	if !done {
		t.Fatalf("the script did not run all 14 table methods:\n%s", out)
	}
}
