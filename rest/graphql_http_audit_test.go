package rest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gqlbase/gqlbase/e2e"
	"github.com/gqlbase/gqlbase/internal/testserver"
)

// auditResult is one line printed by e2e/graphql-http-audit.mjs.
type auditResult struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"` // ok, notice, warn, error
	Reason      string `json:"reason"`
	HTTPStatus  int    `json:"httpStatus"`
	ContentType string `json:"contentType"`
	Body        string `json:"body"`
}

// TestGraphQLOverHTTPAudit runs the graphql-http server audits (the GraphQL over HTTP spec's
// conformance suite, from npm) against the platform endpoint: every MUST and SHOULD audit has
// to pass; MAY audits are logged.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	srv := testserver.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := e2e.Run(ctx, t, "graphql-http-audit.mjs", srv.URL+"/graphql")

	var results []auditResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r auditResult
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("audit output is not a JSON line: %q", line)
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		t.Fatalf("the audit printed no results:\n%s", out)
	}

	levels := map[string]int{}
	failed := 0
	for _, r := range results {
		level, _, _ := strings.Cut(r.Name, " ")
		levels[level]++
		if r.Status == "ok" {
			t.Logf("ok    %s", r.Name)
			continue
		}
		detail := r.Reason
		if r.HTTPStatus != 0 {
			detail += fmt.Sprintf("; got HTTP %d %s %s", r.HTTPStatus, r.ContentType, r.Body)
		}
		switch level {
		case "MUST", "SHOULD":
			failed++
			t.Errorf("FAIL  %s [%s]: %s", r.Name, r.ID, detail)
		default:
			t.Logf("%-5s %s [%s]: %s", r.Status, r.Name, r.ID, detail)
		}
	}
	if levels["MUST"] == 0 || levels["SHOULD"] == 0 {
		t.Errorf("expected MUST and SHOULD audits, ran %v", levels)
	}
	t.Logf("%d audits (%v), %d MUST/SHOULD failures", len(results), levels, failed)
}
