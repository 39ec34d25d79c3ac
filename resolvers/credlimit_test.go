package resolvers

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase/graph"
)

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
