package dataapi

import (
	"bytes"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/gqlbase/gqlbase"
)

// introspect answers __schema and __type from the schema's AST, with gqlgen's introspection
// wrappers, writing JSON into buf.
func (x *execution) introspect(buf *bytes.Buffer, f graphql.CollectedField) error {
	schema := introspection.WrapSchema(x.s.ast)
	if f.Name == "__schema" {
		return x.introSchema(buf, schema, f.Selections)
	}
	name, _ := f.ArgumentMap(x.vars)["name"].(string)
	def := x.s.ast.Types[name]
	if def == nil {
		buf.WriteString("null")
		return nil
	}
	return x.introType(buf, introspection.WrapTypeFromDef(x.s.ast, def), f.Selections)
}

func (x *execution) object(buf *bytes.Buffer, typeName string, sel ast.SelectionSet, field func(f graphql.CollectedField) error) error {
	fields := graphql.CollectFields(x.opCtx, sel, []string{typeName})
	buf.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeKey(buf, f.Alias)
		if f.Name == "__typename" {
			writeString(buf, typeName)
			continue
		}
		if err := field(f); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// writeList writes items as a JSON array, each element by write, which gets a pointer so
// that gqlgen's introspection wrappers are not copied.
func writeList[T any](buf *bytes.Buffer, items []T, write func(item *T) error) error {
	buf.WriteByte('[')
	for i := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := write(&items[i]); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

func optString(buf *bytes.Buffer, s *string) {
	if s == nil {
		buf.WriteString("null")
		return
	}
	writeString(buf, *s)
}

func writeBool(buf *bytes.Buffer, b bool) { buf.WriteString(strconv.FormatBool(b)) }

func unknownField(typeName, name string) error {
	return gqlbase.BadInput("type %s has no field %q", typeName, name)
}

func (x *execution) introSchema(buf *bytes.Buffer, s *introspection.Schema, sel ast.SelectionSet) error {
	return x.object(buf, "__Schema", sel, func(f graphql.CollectedField) error {
		switch f.Name {
		case "description":
			optString(buf, s.Description())
		case "types":
			return x.introTypes(buf, s.Types(), f.Selections)
		case "queryType":
			return x.introType(buf, s.QueryType(), f.Selections)
		case "mutationType":
			return x.introType(buf, s.MutationType(), f.Selections)
		case "subscriptionType":
			return x.introType(buf, s.SubscriptionType(), f.Selections)
		case "directives":
			return writeList(buf, s.Directives(), func(d *introspection.Directive) error {
				return x.introDirective(buf, d, f.Selections)
			})
		default:
			return unknownField("__Schema", f.Name)
		}
		return nil
	})
}

func includeDeprecated(x *execution, f graphql.CollectedField) bool {
	b, _ := f.ArgumentMap(x.vars)["includeDeprecated"].(bool)
	return b
}

func (x *execution) introType(buf *bytes.Buffer, t *introspection.Type, sel ast.SelectionSet) error {
	if t == nil {
		buf.WriteString("null")
		return nil
	}
	kind := t.Kind()
	return x.object(buf, "__Type", sel, func(f graphql.CollectedField) error {
		switch f.Name {
		case "kind":
			writeString(buf, kind)
		case "name":
			optString(buf, t.Name())
		case "description":
			optString(buf, t.Description())
		case "specifiedByURL":
			optString(buf, t.SpecifiedByURL())
		case "isOneOf":
			if kind != string(ast.InputObject) {
				buf.WriteString("null")
			} else {
				writeBool(buf, t.IsOneOf())
			}
		case "fields":
			if kind != string(ast.Object) && kind != string(ast.Interface) {
				buf.WriteString("null")
				return nil
			}
			return writeList(buf, t.Fields(includeDeprecated(x, f)), func(fl *introspection.Field) error {
				return x.introField(buf, fl, f.Selections)
			})
		case "interfaces":
			if kind != string(ast.Object) && kind != string(ast.Interface) {
				buf.WriteString("null")
				return nil
			}
			return x.introTypes(buf, t.Interfaces(), f.Selections)
		case "possibleTypes":
			if kind != string(ast.Interface) && kind != string(ast.Union) {
				buf.WriteString("null")
				return nil
			}
			return x.introTypes(buf, t.PossibleTypes(), f.Selections)
		case "enumValues":
			if kind != string(ast.Enum) {
				buf.WriteString("null")
				return nil
			}
			return writeList(buf, t.EnumValues(includeDeprecated(x, f)), func(v *introspection.EnumValue) error {
				return x.object(buf, "__EnumValue", f.Selections, func(g graphql.CollectedField) error {
					switch g.Name {
					case "name":
						writeString(buf, v.Name)
					case "description":
						optString(buf, v.Description())
					case "isDeprecated":
						writeBool(buf, v.IsDeprecated())
					case "deprecationReason":
						optString(buf, v.DeprecationReason())
					default:
						return unknownField("__EnumValue", g.Name)
					}
					return nil
				})
			})
		case "inputFields":
			if kind != string(ast.InputObject) {
				buf.WriteString("null")
				return nil
			}
			return x.introInputValues(buf, t.VisibleInputFields(includeDeprecated(x, f)), f.Selections)
		case "ofType":
			return x.introType(buf, t.OfType(), f.Selections)
		default:
			return unknownField("__Type", f.Name)
		}
		return nil
	})
}

func (x *execution) introTypes(buf *bytes.Buffer, ts []introspection.Type, sel ast.SelectionSet) error {
	return writeList(buf, ts, func(t *introspection.Type) error { return x.introType(buf, t, sel) })
}

func (x *execution) introField(buf *bytes.Buffer, fl *introspection.Field, sel ast.SelectionSet) error {
	return x.object(buf, "__Field", sel, func(f graphql.CollectedField) error {
		switch f.Name {
		case "name":
			writeString(buf, fl.Name)
		case "description":
			optString(buf, fl.Description())
		case "args":
			return x.introInputValues(buf, fl.VisibleArgs(includeDeprecated(x, f)), f.Selections)
		case "type":
			return x.introType(buf, fl.Type, f.Selections)
		case "isDeprecated":
			writeBool(buf, fl.IsDeprecated())
		case "deprecationReason":
			optString(buf, fl.DeprecationReason())
		default:
			return unknownField("__Field", f.Name)
		}
		return nil
	})
}

func (x *execution) introInputValues(buf *bytes.Buffer, vals []introspection.InputValue, sel ast.SelectionSet) error {
	return writeList(buf, vals, func(v *introspection.InputValue) error {
		return x.object(buf, "__InputValue", sel, func(f graphql.CollectedField) error {
			switch f.Name {
			case "name":
				writeString(buf, v.Name)
			case "description":
				optString(buf, v.Description())
			case "type":
				return x.introType(buf, v.Type, f.Selections)
			case "defaultValue":
				optString(buf, v.DefaultValue)
			case "isDeprecated":
				writeBool(buf, v.IsDeprecated())
			case "deprecationReason":
				optString(buf, v.DeprecationReason())
			default:
				return unknownField("__InputValue", f.Name)
			}
			return nil
		})
	})
}

func (x *execution) introDirective(buf *bytes.Buffer, d *introspection.Directive, sel ast.SelectionSet) error {
	return x.object(buf, "__Directive", sel, func(f graphql.CollectedField) error {
		switch f.Name {
		case "name":
			writeString(buf, d.Name)
		case "description":
			optString(buf, d.Description())
		case "locations":
			return writeList(buf, d.Locations, func(l *string) error {
				writeString(buf, *l)
				return nil
			})
		case "args":
			return x.introInputValues(buf, d.VisibleArgs(includeDeprecated(x, f)), f.Selections)
		case "isRepeatable":
			writeBool(buf, d.IsRepeatable)
		default:
			return unknownField("__Directive", f.Name)
		}
		return nil
	})
}
