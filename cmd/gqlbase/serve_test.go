package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/lib/pq"

	"github.com/gqlbase/gqlbase/storage/pgcluster"
)

func TestFreshDataDir(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	// A stale, readable admin-token file (a data dir whose cluster was removed) must not
	// keep its mode.
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "admin-token"), []byte("stale\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := serveOn(t, data)
	t.Logf("fresh data dir: serving %v after start", time.Since(p.started))

	if status, body := p.get("/health"); status != http.StatusOK || body["status"] != "ok" {
		t.Fatalf("/health: %d %v", status, body)
	}
	if status, body := p.get("/ready"); status != http.StatusOK || body["postgres"] != "ok" {
		t.Fatalf("/ready: %d %v", status, body)
	}

	// The admin token: a private file, its path logged, the token never.
	tokenFile := filepath.Join(data, "admin-token")
	st, err := os.Stat(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("admin-token mode %v, want 0600", st.Mode().Perm())
	}
	token := readAdminToken(t, data)
	if !strings.HasPrefix(token, "gqb_") {
		t.Fatalf("admin-token holds %q", token)
	}
	if lines := p.logged("created the owner workspace and an admin token"); len(lines) != 1 || lines[0]["admin_token_file"] != tokenFile {
		t.Errorf("the admin token's path is not logged: %v", lines)
	}
	if strings.Contains(p.output.String(), token) || strings.Contains(p.output.String(), token[4:]) {
		t.Errorf("the admin token is in the logs")
	}
	_, body := p.graphql(token, `{ me { kind scopes workspace { name } } }`)
	if fmt.Sprint(body["data"]) != "map[me:map[kind:TOKEN scopes:[READ WRITE SCHEMA FILES ADMIN] workspace:map[name:Owner]]]" {
		t.Errorf("the admin token acts as %v", body)
	}

	// The embedded cluster: inside the data dir, on a unix socket only, not as root.
	pid, lines := postmaster(t, data)
	if len(lines) < 6 || strings.TrimSpace(lines[4]) != filepath.Join(data, "run") || strings.TrimSpace(lines[5]) != "" {
		t.Errorf("postmaster.pid: want the socket in %s and no TCP address, got %q", filepath.Join(data, "run"), lines)
	}
	if _, err := os.Stat(filepath.Join(data, "run", ".s.PGSQL.5432")); err != nil {
		t.Errorf("no socket in the data dir: %v", err)
	}
	if os.Geteuid() == 0 {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" && f[1] == "0" {
				t.Errorf("PostgreSQL runs as root")
			}
		}
	}
	if got := pgCtl(t, "status", "-D", filepath.Join(data, "pg")); got != 0 {
		t.Errorf("pg_ctl status: %d, want 0 (running)", got)
	}

	p.stopCleanly(data)
	if len(p.logged("PostgreSQL stopped")) != 1 {
		t.Errorf("no \"PostgreSQL stopped\" line")
	}
}

func TestSecondServeOnTheSameDataDirFails(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	first := serveOn(t, data)
	token := readAdminToken(t, data)

	second := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--data-dir", data)
	if code := second.wait(time.Minute); code == 0 {
		t.Fatalf("a second gqlbase on the data dir in use exited 0:\n%s", second.output)
	}
	out := second.output.String()
	want := fmt.Sprintf("data directory %s is in use by another gqlbase process (pid %d)", data, first.cmd.Process.Pid)
	if !strings.Contains(out, want) {
		t.Errorf("second gqlbase said %q, want it to contain %q", out, want)
	}
	if strings.Count(strings.TrimSpace(out), "\n") > 0 {
		t.Errorf("want one clear line, got:\n%s", out)
	}
	// The first keeps serving, with its database.
	if status, _ := first.get("/ready"); status != http.StatusOK {
		t.Errorf("first gqlbase /ready: %d", status)
	}
	if kind := first.meKind(token); kind != "TOKEN" {
		t.Errorf("first gqlbase me: %s", kind)
	}
	first.stopCleanly(data)
}

// TestShutdownFinishesInFlightRequests sends the signal while a request is being received:
// the server stops accepting, answers that request (from the database, so PostgreSQL must
// still run), closes WebSockets, exits 0, and only then stops PostgreSQL.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		group bool // signal the whole process group, as a terminal's Ctrl-C does
		sig   syscall.Signal
	}{{"SIGTERM", false, syscall.SIGTERM}, {"SIGINT to the group", true, syscall.SIGINT}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			data := newDataDir(t)
			p := serveOn(t, data)
			token := readAdminToken(t, data)

			// A WebSocket, acknowledged.
			ws := dialAcked(t, "ws://"+p.addr+"/graphql", token)
			defer ws.Close()

			// A request whose body is still on its way.
			conn, err := net.Dial("tcp", p.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			body := `{"query": "{ me { kind workspace { name } } }"}`
			fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s",
				p.addr, token, len(body), body[:10])
			time.Sleep(200 * time.Millisecond) // let the server read the start of it

			if c.group {
				if err := syscall.Kill(-p.cmd.Process.Pid, c.sig); err != nil {
					t.Fatal(err)
				}
			} else {
				p.signal(c.sig)
			}
			// New connections are refused once shutdown has begun.
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				probe, err := net.Dial("tcp", p.addr)
				if err != nil {
					break
				}
				probe.Close()
				if time.Now().After(deadline) {
					t.Fatal("gqlbase still accepts connections after the signal")
				}
			}
			// The WebSocket is closed by the server, normally.
			_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
						t.Errorf("WebSocket ended with %v, want a close frame", err)
					}
					break
				}
			}
			// The in-flight request completes, answered from the database.
			if _, err := io.WriteString(conn, body[10:]); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			httpResp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("in-flight request: %v", err)
			}
			answer, _ := io.ReadAll(httpResp.Body)
			httpResp.Body.Close()
			if httpResp.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"me":{"kind":"TOKEN","workspace":{"name":"Owner"}}`) {
				t.Errorf("in-flight request: %d %s", httpResp.StatusCode, answer)
			}

			if code := p.wait(time.Minute); code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
			checkPostgresStopped(t, data)
		})
	}
}

func TestRestartReusesTheCluster(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	p := serveOn(t, data)
	admin := readAdminToken(t, data)
	_, body := p.graphql(admin, `mutation { createToken(input: {name: "kept", scopes: [READ]}) { secret } }`)
	secret, _ := body["data"].(map[string]any)["createToken"].(map[string]any)["secret"].(string)
	if secret == "" {
		t.Fatalf("createToken: %v", body)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(time.Minute); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	pgVersion, err := os.Stat(filepath.Join(data, "pg", "PG_VERSION"))
	if err != nil {
		t.Fatal(err)
	}

	// Again, configured by environment this time, and with a bare `gqlbase`.
	again := start(t, []string{"GQLBASE_DATA_DIR=" + data, "GQLBASE_ADDR=127.0.0.1:0", "GQLBASE_LOG_FORMAT=json"})
	again.waitServing()
	var readyAfter time.Duration
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		if status, _ := again.get("/ready"); status == http.StatusOK {
			readyAfter = time.Since(again.started)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not ready")
		}
	}
	time.Sleep(2 * time.Second) // settle
	t.Logf("existing data dir: /ready 200 %v after start; idle VmRSS of gqlbase %d KiB", readyAfter, vmRSS(t, again.cmd.Process.Pid))

	if len(again.logged("initialising PostgreSQL cluster")) != 0 {
		t.Errorf("the cluster was initialised again")
	}
	if st, err := os.Stat(filepath.Join(data, "pg", "PG_VERSION")); err != nil || !st.ModTime().Equal(pgVersion.ModTime()) {
		t.Errorf("PG_VERSION changed: %v", err)
	}
	if len(again.logged("applied migration")) != 0 {
		t.Errorf("migrations applied again")
	}
	if len(again.logged("created the owner workspace and an admin token")) != 0 || readAdminToken(t, data) != admin {
		t.Errorf("bootstrapped again")
	}
	if lines := again.logged("admin token"); len(lines) != 1 || lines[0]["admin_token_file"] != filepath.Join(data, "admin-token") {
		t.Errorf("the admin token's path is not logged on restart: %v", lines)
	}
	if kind := again.meKind(secret); kind != "TOKEN" {
		t.Errorf("a token made before the restart: %s", kind)
	}
	if kind := again.meKind(admin); kind != "TOKEN" {
		t.Errorf("the admin token after the restart: %s", kind)
	}
	again.stopCleanly(data)
}

func TestServerLeftRunningIsAdopted(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	p := serveOn(t, data)
	token := readAdminToken(t, data)
	p.signal(syscall.SIGKILL) // a crash: PostgreSQL stays up
	p.wait(time.Minute)
	if pids := postgresProcesses(t, filepath.Join(data, "pg")); len(pids) == 0 {
		t.Fatal("PostgreSQL did not survive the crash; nothing to adopt")
	}
	again := serveOn(t, data)
	if len(again.logged("adopting PostgreSQL server left running")) != 1 {
		t.Errorf("the running server was not adopted")
	}
	if kind := again.meKind(token); kind != "TOKEN" {
		t.Errorf("me after adoption: %s", kind)
	}
	again.stopCleanly(data)
}

func TestNoPostgresBinaries(t *testing.T) {
	t.Parallel()
	empty := filepath.Join(tempRoot, "empty-bin-"+strconv.Itoa(os.Getpid()))
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		env  []string
		args []string
	}{
		"GQLBASE_PG_BIN": {[]string{"GQLBASE_PG_BIN=" + empty, "PATH="}, nil},
		"--pg-bin":       {[]string{"PATH="}, []string{"--pg-bin", empty}},
	} {
		t.Run(name, func(t *testing.T) {
			data := newDataDir(t)
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", data}, c.args...)
			p := start(t, c.env, args...)
			if code := p.wait(time.Minute); code == 0 {
				t.Fatalf("exit code 0 without PostgreSQL binaries")
			}
			out := p.output.String()
			for _, want := range []string{"PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found in " + empty,
				"install PostgreSQL", "apt-get install -y postgresql", "GQLBASE_PG_BIN", "DATABASE_URL"} {
				if !strings.Contains(out, want) {
					t.Errorf("the error does not say %q:\n%s", want, out)
				}
			}
			if _, err := os.Stat(filepath.Join(data, "pg")); err == nil {
				t.Errorf("a cluster folder was made")
			}
		})
	}
	// Pointing GQLBASE_PG_BIN at the real folder works without PATH.
	bin, err := pgcluster.FindBinaries()
	if err != nil {
		t.Fatal(err)
	}
	data := newDataDir(t)
	p := serveOn(t, data, "GQLBASE_PG_BIN="+bin, "PATH=")
	if status, _ := p.get("/ready"); status != http.StatusOK {
		t.Errorf("/ready with GQLBASE_PG_BIN: %d", status)
	}
}

func TestAdminTokenFromEnvironment(t *testing.T) {
	t.Parallel()
	t.Run("too short", func(t *testing.T) {
		t.Parallel()
		data := newDataDir(t)
		short := "short-admin-token-1234567890ab" // 30 characters
		p := start(t, []string{"GQLBASE_ADMIN_TOKEN=" + short}, "serve", "--addr", "127.0.0.1:0", "--data-dir", data)
		if code := p.wait(time.Minute); code == 0 {
			t.Fatal("exit code 0 with a short GQLBASE_ADMIN_TOKEN")
		}
		out := p.output.String()
		if !strings.Contains(out, "GQLBASE_ADMIN_TOKEN") || !strings.Contains(out, "at least 32") {
			t.Errorf("unclear error: %s", out)
		}
		if strings.Contains(out, short) {
			t.Errorf("the error shows the token")
		}
		if _, err := os.Stat(data); err == nil {
			t.Errorf("the data dir was touched before the token was checked")
		}
	})
	t.Run("used as the admin token", func(t *testing.T) {
		t.Parallel()
		data := newDataDir(t)
		token := "env-admin-token-0123456789abcdefghijklmnop"
		p := serveOn(t, data, "GQLBASE_ADMIN_TOKEN="+token)
		if kind := p.meKind(token); kind != "TOKEN" {
			t.Errorf("the environment's admin token: %s", kind)
		}
		if _, err := os.Stat(filepath.Join(data, "admin-token")); err == nil {
			t.Errorf("an admin-token file was written although the environment gave the token")
		}
		if strings.Contains(p.output.String(), token) {
			t.Errorf("the admin token is in the logs")
		}
		_, body := p.graphql(token, `{ tokens { name } workspaces { name } }`)
		if fmt.Sprint(body["data"]) != "map[tokens:[map[name:bootstrap (GQLBASE_ADMIN_TOKEN)]] workspaces:[map[name:Owner]]]" {
			t.Errorf("bootstrap with an environment token made %v", body)
		}
	})
}

func TestDatabaseURLSharedByTwoProcesses(t *testing.T) {
	t.Parallel()
	cluster, _ := externalCluster(t, "shared")
	db, err := sql.Open("postgres", cluster.DSN("shared"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	url := cluster.URL("shared")
	dirs := []string{newDataDir(t), newDataDir(t)}
	procs := []*process{
		start(t, []string{"DATABASE_URL=" + url}, "--addr", "127.0.0.1:0", "--data-dir", dirs[0], "--log-format", "json"),
		start(t, nil, "serve", "--database-url", url, "--addr", "127.0.0.1:0", "--data-dir", dirs[1], "--log-format", "json"),
	}
	for _, p := range procs {
		p.waitServing()
		if status, _ := p.get("/ready"); status != http.StatusOK {
			t.Errorf("/ready: %d", status)
		}
	}

	entries, err := os.ReadDir(filepath.Join("..", "..", "storage", "migrations"))
	if err != nil {
		t.Fatal(err)
	}
	var applied, distinct int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	if applied != len(entries) || distinct != len(entries) {
		t.Errorf("schema_migrations: %d rows (%d versions), want each of the %d migrations once", applied, distinct, len(entries))
	}
	if n := len(procs[0].logged("applied migration")) + len(procs[1].logged("applied migration")); n != len(entries) {
		t.Errorf("the two processes logged %d applied migrations, want %d", n, len(entries))
	}
	var workspaces, tokens int
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM workspaces), (SELECT count(*) FROM api_tokens)`).Scan(&workspaces, &tokens); err != nil {
		t.Fatal(err)
	}
	if workspaces != 1 || tokens != 1 {
		t.Errorf("bootstrap made %d workspaces and %d tokens, want one of each", workspaces, tokens)
	}
	var tokenDirs []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "admin-token")); err == nil {
			tokenDirs = append(tokenDirs, d)
		}
		if _, err := os.Stat(filepath.Join(d, "pg")); err == nil {
			t.Errorf("an embedded cluster was made in %s although DATABASE_URL was given", d)
		}
	}
	if len(tokenDirs) != 1 {
		t.Fatalf("admin-token written in %d data dirs, want 1", len(tokenDirs))
	}
	token := readAdminToken(t, tokenDirs[0])
	for i, p := range procs {
		if kind := p.meKind(token); kind != "TOKEN" {
			t.Errorf("process %d: the admin token: %s", i, kind)
		}
	}
	for i, p := range procs {
		p.signal(syscall.SIGTERM)
		if code := p.wait(time.Minute); code != 0 {
			t.Errorf("process %d exit code %d", i, code)
		}
	}
	// gqlbase does not stop a server it did not start.
	if err := db.Ping(); err != nil {
		t.Errorf("the external PostgreSQL is gone after gqlbase stopped: %v", err)
	}
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	run := func(args ...string) (int, string) {
		p := start(t, nil, args...)
		return p.wait(time.Minute), p.output.String()
	}
	if code, out := run("version"); code != 0 || strings.TrimSpace(out) == "" {
		t.Errorf("version: %d %q", code, out)
	}
	if code, out := run("serve", "-h"); code != 0 || !strings.Contains(out, "-data-dir") || !strings.Contains(out, "GQLBASE_PG_BIN") {
		t.Errorf("serve -h: %d %s", code, out)
	}
	if code, out := run("frobnicate"); code == 0 || !strings.Contains(out, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %s", code, out)
	}
	if code, out := run("serve", "--no-such-flag"); code == 0 || !strings.Contains(out, "no-such-flag") {
		t.Errorf("unknown flag: %d %s", code, out)
	}
	if code, out := run("serve", "extra"); code == 0 || !strings.Contains(out, "unexpected arguments") {
		t.Errorf("extra argument: %d %s", code, out)
	}
}

// A data dir that only its owner may enter: run as root, gqlbase starts PostgreSQL as another
// account, which could not reach the cluster inside it; that is said clearly up front instead
// of failing deep inside initdb. Run as an ordinary user, PostgreSQL runs as that user too and
// the private data dir simply works.
func TestPrivateDataDir(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		p := serveOn(t, data)
		if status, _ := p.get("/ready"); status != http.StatusOK {
			t.Errorf("/ready: %d", status)
		}
		return
	}
	p := start(t, nil, "serve", "--addr", "127.0.0.1:0", "--data-dir", data)
	if code := p.wait(time.Minute); code == 0 {
		t.Fatal("exit code 0")
	}
	out := p.output.String()
	if !strings.Contains(out, "cannot enter the data dir "+data) || !strings.Contains(out, "chmod 755 "+data) {
		t.Errorf("unclear error:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(data, "pg")); err == nil {
		t.Errorf("a cluster folder was made")
	}
}
