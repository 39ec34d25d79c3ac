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
			types := s.Types()
			buf.WriteByte('[')
			for i := range types {
				if i > 0 {
					buf.WriteByte(',')
				}
				if err := x.introType(buf, &types[i], f.Selections); err != nil {
					return err
				}
			}
			buf.WriteByte(']')
		case "queryType":
			return x.introType(buf, s.QueryType(), f.Selections)
		case "mutationType":
			return x.introType(buf, s.MutationType(), f.Selections)
		case "subscriptionType":
			return x.introType(buf, s.SubscriptionType(), f.Selections)
		case "directives":
			ds := s.Directives()
			buf.WriteByte('[')
			for i := range ds {
				if i > 0 {
					buf.WriteByte(',')
				}
				if err := x.introDirective(buf, &ds[i], f.Selections); err != nil {
					return err
				}
			}
			buf.WriteByte(']')
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
			fields := t.Fields(includeDeprecated(x, f))
			buf.WriteByte('[')
			for i := range fields {
				if i > 0 {
					buf.WriteByte(',')
				}
				if err := x.introField(buf, &fields[i], f.Selections); err != nil {
					return err
				}
			}
			buf.WriteByte(']')
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
			vals := t.EnumValues(includeDeprecated(x, f))
			buf.WriteByte('[')
			for i := range vals {
				if i > 0 {
					buf.WriteByte(',')
				}
				v := &vals[i]
				err := x.object(buf, "__EnumValue", f.Selections, func(g graphql.CollectedField) error {
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
				if err != nil {
					return err
				}
			}
			buf.WriteByte(']')
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
	buf.WriteByte('[')
	for i := range ts {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := x.introType(buf, &ts[i], sel); err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
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
	buf.WriteByte('[')
	for i := range vals {
		if i > 0 {
			buf.WriteByte(',')
		}
		v := &vals[i]
		err := x.object(buf, "__InputValue", sel, func(f graphql.CollectedField) error {
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
		if err != nil {
			return err
		}
	}
	buf.WriteByte(']')
	return nil
}

func (x *execution) introDirective(buf *bytes.Buffer, d *introspection.Directive, sel ast.SelectionSet) error {
	return x.object(buf, "__Directive", sel, func(f graphql.CollectedField) error {
		switch f.Name {
		case "name":
			writeString(buf, d.Name)
		case "description":
			optString(buf, d.Description())
		case "locations":
			buf.WriteByte('[')
			for i, l := range d.Locations {
				if i > 0 {
					buf.WriteByte(',')
				}
				writeString(buf, l)
			}
			buf.WriteByte(']')
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
