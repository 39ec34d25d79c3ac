package resolvers

import (
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase/graph"
)

func TestAddressRateRefillsOverTime(t *testing.T) {
	l := newAddressRate(3, time.Minute, 10)
	now := time.Now()
	for i := 0; i < 3; i++ {
		if _, ok := l.take(addrA, now); !ok {
			t.Fatalf("token %d of the burst refused", i)
		}
	}
	wait, ok := l.take(addrA, now)
	if ok || wait != 20*time.Second {
		t.Fatalf("after the burst: ok %v, wait %v; want a refusal for 20s", ok, wait)
	}
	if _, ok := l.take(addrB, now); !ok {
		t.Fatal("another address shares the bucket")
	}
	if _, ok := l.take(addrA, now.Add(20*time.Second)); !ok {
		t.Fatal("no token after a refill period")
	}
	if _, ok := l.take(addrA, now.Add(20*time.Second)); ok {
		t.Fatal("more than one token after one refill period")
	}
	for i := 0; i < 3; i++ {
		if _, ok := l.take(addrA, now.Add(time.Hour)); !ok {
			t.Fatalf("token %d after a long pause refused", i)
		}
	}
	if _, ok := l.take(addrA, now.Add(time.Hour)); ok {
		t.Fatal("a long pause filled the bucket beyond its burst")
	}
}

// Every mutation that takes a password must be a credential mutation, or an operation could
// alias it as often as it likes.
func TestCredentialMutationsAreListed(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{Resolvers: &Resolver{}}).Schema()
	for name := range credentialMutations {
		if schema.Mutation.Fields.ForName(name) == nil {
			t.Errorf("credential mutation %s is not in the schema", name)
		}
	}
	for _, f := range schema.Mutation.Fields {
		for _, arg := range f.Arguments {
			if takesPassword(schema, arg.Type, arg.Name, map[string]bool{}) && !credentialMutations[f.Name] {
				t.Errorf("mutation %s takes a password (argument %s) and is not in credentialMutations", f.Name, arg.Name)
			}
		}
	}
}

func takesPassword(schema *ast.Schema, typ *ast.Type, name string, seen map[string]bool) bool {
	if strings.Contains(strings.ToLower(name), "password") {
		return true
	}
	def := schema.Types[typ.Name()]
	if def == nil || def.Kind != ast.InputObject || seen[def.Name] {
		return false
	}
	seen[def.Name] = true
	for _, f := range def.Fields {
		if takesPassword(schema, f.Type, f.Name, seen) {
			return true
		}
	}
	return false
}
