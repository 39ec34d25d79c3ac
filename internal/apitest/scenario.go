package apitest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Scenario is one request and what its answer must be.
type Scenario struct {
	// Name names the subtest (default "METHOD PATH").
	Name         string
	Method, Path string
	Header       map[string]string
	Body         any
	// Client sends this request instead of the runner's (another token, another bot).
	Client *Client

	Status int
	// Contains are substrings the raw body must hold; NotContains ones it must not.
	Contains, NotContains []string
	// JSON maps dotted paths of the decoded body ("errors.0.code", "rows.1.id") to the values
	// they must equal (compared as JSON, so 2 equals json.Number("2")).
	JSON map[string]any
	// Check runs further checks.
	Check Check

	// State overrides the runner's fingerprint for this scenario.
	State func(t testing.TB) string
	// Changes says the request must change the fingerprint (by default it must not).
	Changes bool
}

// Runner runs scenarios in order, as subtests, against one server.
type Runner struct {
	Client *Client
	// State fingerprints what a scenario must leave as it is (a table dump, a row count);
	// it is taken before and after each scenario. Nil: no fingerprint.
	State func(t testing.TB) string
}

// Run runs the scenarios one after another (they share the server's state).
func (rn Runner) Run(t *testing.T, scenarios ...Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		name := sc.Name
		if name == "" {
			name = sc.Method + " " + sc.Path
		}
		t.Run(name, func(t *testing.T) { rn.run(t, sc) })
	}
}

func (rn Runner) run(t *testing.T, sc Scenario) {
	t.Helper()
	c := sc.Client
	if c == nil {
		c = rn.Client
	}
	state := sc.State
	if state == nil {
		state = rn.State
	}
	var before string
	if state != nil {
		before = state(t)
	}
	r := c.Send(t, sc.Method, sc.Path, sc.Header, sc.Body)
	if sc.Status != 0 && r.Status != sc.Status {
		t.Errorf("status %d, want %d: %s", r.Status, sc.Status, clip(r.Raw))
	}
	for _, s := range sc.Contains {
		if !strings.Contains(string(r.Raw), s) {
			t.Errorf("the body lacks %q: %s", s, clip(r.Raw))
		}
	}
	for _, s := range sc.NotContains {
		if strings.Contains(string(r.Raw), s) {
			t.Errorf("the body holds %q: %s", s, clip(r.Raw))
		}
	}
	for path, want := range sc.JSON {
		got := Get(r.Body, dotted(path)...)
		if g, w := asJSON(got), asJSON(want); g != w {
			t.Errorf("%s is %s, want %s: %s", path, g, w, clip(r.Raw))
		}
	}
	if sc.Check != nil {
		sc.Check(t, r)
	}
	if state == nil {
		return
	}
	if p := stateProblem(before, state(t), sc.Changes); p != "" {
		t.Error(p)
	}
}

// stateProblem says what is wrong with the fingerprints before and after a request ("" when
// nothing is).
func stateProblem(before, after string, changes bool) string {
	switch {
	case changes && after == before:
		return "the request changed nothing; the state is still:\n" + before
	case !changes && after != before:
		return "the request changed the state:\nbefore: " + before + "\nafter:  " + after
	}
	return ""
}

func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}
