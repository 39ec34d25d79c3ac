package storage

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/lib/pq"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/pgcluster"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// DumpDatabase writes a plain SQL dump of one database (its Postgres schema: tables, indexes,
// views, sequences and data) to w, made by pg_dump from the PostgreSQL installation gqlbase
// found (pgcluster.FindBinaries), without owners and privileges so it restores anywhere. It
// returns the number of bytes written; an error after bytes were written means the dump is
// cut short.
func (s *Store) DumpDatabase(ctx context.Context, db *gqlbase.Database, w io.Writer) (int64, error) {
	dir, err := pgcluster.FindBinaries()
	if err != nil {
		return 0, gqlbase.Errorf(gqlbase.CodeNotImplemented, "downloads need PostgreSQL's pg_dump on the server, which was not found")
	}
	pgDump := filepath.Join(dir, "pg_dump")
	if _, err := os.Stat(pgDump); err != nil {
		return 0, gqlbase.Errorf(gqlbase.CodeNotImplemented, "downloads need PostgreSQL's pg_dump on the server, which was not found in %s", dir)
	}
	conninfo, password, err := libpqConninfo(s.dsn)
	if err != nil {
		return 0, err
	}
	role, err := s.databaseRole(ctx, db.ID)
	if err != nil {
		return 0, err
	}
	// pg_dump reads the schema as the database's role (--role): what it dumps is what the
	// tenant may see, and nothing of it runs with gqlbase's rights.
	cmd := exec.CommandContext(ctx, pgDump, "--format=plain", "--no-owner", "--no-privileges",
		"--role="+role, "--schema="+plan.QuoteIdent(db.Schema), "--dbname="+conninfo)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	}
	counter := &countingWriter{w: w}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = counter, &stderr
	if err := cmd.Run(); err != nil {
		return counter.n, fmt.Errorf("pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return counter.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// libpqKeys are the connection parameters libpq (and so pg_dump) understands; lib/pq accepts
// others (timezone, ...) that libpq would refuse.
var libpqKeys = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "sslmode": true,
	"sslcert": true, "sslkey": true, "sslrootcert": true, "sslpassword": true, "connect_timeout": true,
	"application_name": true, "options": true, "service": true, "target_session_attrs": true,
}

// libpqConninfo turns the store's DSN (URL or key=value) into a libpq conninfo string without
// the password, which is returned apart (for PGPASSWORD, so it does not show in process lists).
func libpqConninfo(dsn string) (string, string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		kv, err := pq.ParseURL(dsn)
		if err != nil {
			return "", "", fmt.Errorf("read database URL: %w", err)
		}
		dsn = kv
	}
	pairs, err := parseConninfo(dsn)
	if err != nil {
		return "", "", err
	}
	var b strings.Builder
	password := ""
	for _, p := range pairs {
		if p[0] == "password" {
			password = p[1]
			continue
		}
		if !libpqKeys[p[0]] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p[0] + "='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(p[1]) + "'")
	}
	return b.String(), password, nil
}

// parseConninfo reads key=value pairs (values may be single-quoted with backslash escapes).
func parseConninfo(s string) ([][2]string, error) {
	var out [][2]string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
			i++
		}
		if i >= len(s) {
			return out, nil
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("read DSN: missing '=' after %q", s[i:])
		}
		key := strings.TrimSpace(s[i : i+eq])
		i += eq + 1
		for i < len(s) && s[i] == ' ' {
			i++
		}
		var val strings.Builder
		if i < len(s) && s[i] == '\'' {
			i++
			for i < len(s) && s[i] != '\'' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				val.WriteByte(s[i])
				i++
			}
			i++
		} else {
			for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '\n' {
				val.WriteByte(s[i])
				i++
			}
		}
		out = append(out, [2]string{key, val.String()})
	}
}
