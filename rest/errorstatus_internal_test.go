package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gqlbase/gqlbase"
)

// TestTypedErrorStatusFollowsCode: a typed request refused before GraphQL runs answers with
// the status of the one code → status mapping, for every code (a copy of the mapping once
// turned CONFLICT and RATE_LIMITED into 500).
func TestTypedErrorStatusFollowsCode(t *testing.T) {
	cases := map[gqlbase.Code]int{
		gqlbase.CodeUnauthenticated: http.StatusUnauthorized,
		gqlbase.CodeForbidden:       http.StatusForbidden,
		gqlbase.CodeNotFound:        http.StatusNotFound,
		gqlbase.CodeBadUserInput:    http.StatusBadRequest,
		gqlbase.CodeConflict:        http.StatusConflict,
		gqlbase.CodeRateLimited:     http.StatusTooManyRequests,
		gqlbase.CodePayloadTooLarge: http.StatusRequestEntityTooLarge,
		gqlbase.CodeNotImplemented:  http.StatusNotImplemented,
	}
	for code, want := range cases {
		rec := httptest.NewRecorder()
		writeTypedError(rec, fmt.Errorf("load: %w", gqlbase.Errorf(code, "refused for %s", code)))
		if rec.Code != want {
			t.Errorf("%s: status %d, want %d", code, rec.Code, want)
		}
		var body struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
			t.Fatalf("%s: body %s: %v", code, rec.Body, err)
		}
		if got := body.Errors[0].Extensions["code"]; got != string(code) {
			t.Errorf("%s: extensions.code %v", code, got)
		}
	}
	rec := httptest.NewRecorder()
	writeTypedError(rec, fmt.Errorf("a driver error with secrets"))
	if rec.Code != http.StatusInternalServerError || json.Valid(rec.Body.Bytes()) == false {
		t.Fatalf("internal: %d %s", rec.Code, rec.Body)
	}
	var body map[string][]map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if msg := body["errors"][0]["message"]; msg != "internal error" {
		t.Errorf("an internal error shows its cause: %v", msg)
	}
}
