package botpress

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gqlbase/gqlbase"
)

// MaxColumns is Botpress's limit of columns per table.
const MaxColumns = 20

// reservedColumns are the keys of a row that are not columns.
var reservedColumns = map[string]bool{"id": true, "createdAt": true, "updatedAt": true, "computed": true, "stale": true, "similarity": true}

// jsonSchema is a table's schema as Botpress shows it.
type jsonSchema struct {
	Schema               string                    `json:"$schema,omitempty"`
	Type                 string                    `json:"type"`
	Properties           map[string]map[string]any `json:"properties"`
	AdditionalProperties bool                      `json:"additionalProperties"`
	Required             []string                  `json:"required,omitempty"`
}

// tableOut is Botpress's Table object.
type tableOut struct {
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Factor           int               `json:"factor"`
	Frozen           bool              `json:"frozen"`
	KeyColumn        *string           `json:"keyColumn,omitempty"`
	Schema           jsonSchema        `json:"schema"`
	Tags             map[string]string `json:"tags"`
	IsComputeEnabled bool              `json:"isComputeEnabled"`
	CreatedAt        string            `json:"createdAt"`
	UpdatedAt        string            `json:"updatedAt"`
}

// settings are what the dialect keeps per table: factor, keyColumn and the column properties
// as given.
type settings struct {
	Factor     int                       `json:"factor,omitempty"`
	KeyColumn  string                    `json:"keyColumn,omitempty"`
	Properties map[string]map[string]any `json:"properties,omitempty"`
}

func readSettings(m map[string]any) settings {
	var s settings
	if m == nil {
		return s
	}
	b, _ := json.Marshal(m)
	_ = json.Unmarshal(b, &s)
	return s
}

func (s settings) patch() map[string]any {
	b, _ := json.Marshal(s)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if s.KeyColumn == "" {
		m["keyColumn"] = nil
	}
	return m
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// tagsOut turns the table's "k=v" tags into Botpress's map.
func tagsOut(tags []string) map[string]string {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		k, v, _ := strings.Cut(t, "=")
		out[k] = v
	}
	return out
}

// tagsIn turns Botpress's tag map into "k=v" tags in key order.
func tagsIn(m map[string]string) ([]string, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k == "" || strings.Contains(k, "=") {
			return nil, gqlbase.BadInput("tag key %q must be non-empty and hold no '='", k).WithField("tags")
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+m[k])
	}
	return out, nil
}

// encodeTable renders a table with its settings.
func encodeTable(t *gqlbase.Table, raw map[string]any) tableOut {
	s := readSettings(raw)
	factor := s.Factor
	if factor <= 0 {
		factor = 1
	}
	out := tableOut{
		ID: fmt.Sprint(t.ID), Name: t.Name, Factor: factor, Frozen: t.Frozen, Tags: tagsOut(t.Tags),
		CreatedAt: formatTime(t.CreatedAt), UpdatedAt: formatTime(t.UpdatedAt),
		Schema: jsonSchema{Type: "object", Properties: map[string]map[string]any{}, AdditionalProperties: true},
	}
	if s.KeyColumn != "" && t.UserColumn(s.KeyColumn) != nil {
		k := s.KeyColumn
		out.KeyColumn = &k
	}
	for i, c := range t.Columns {
		out.Schema.Properties[c.Name] = propertyOf(c, s.Properties[c.Name], i)
		if !c.Nullable {
			out.Schema.Required = append(out.Schema.Required, c.Name)
		}
	}
	return out
}

// propertyOf is the JSON schema property of a column: the one it was defined with while the
// column's type still matches it, else one derived from the column.
func propertyOf(c *gqlbase.Column, stored map[string]any, index int) map[string]any {
	var p map[string]any
	if stored != nil {
		if typ, _, err := columnType(c.Name, stored); err == nil && typ == c.Type {
			p = make(map[string]any, len(stored)+1)
			for k, v := range stored {
				p[k] = v
			}
		}
	}
	if p == nil {
		p = derivedProperty(c)
	}
	zui := map[string]any{}
	if z, ok := p["x-zui"].(map[string]any); ok {
		for k, v := range z {
			zui[k] = v
		}
	}
	zui["index"] = index
	zui["searchable"] = c.Indexed
	p["x-zui"] = zui
	if c.Type == gqlbase.TypeSelect {
		opts := make([]string, len(c.Options))
		for i, o := range c.Options {
			opts[i] = o.Value
		}
		p["enum"] = opts
	}
	if c.Nullable {
		p["nullable"] = true
	} else {
		delete(p, "nullable")
	}
	if c.Description != "" {
		p["description"] = c.Description
	}
	return p
}

func derivedProperty(c *gqlbase.Column) map[string]any {
	switch c.Type {
	case gqlbase.TypeBoolean:
		return map[string]any{"type": "boolean"}
	case gqlbase.TypeInteger, gqlbase.TypeNumber, gqlbase.TypeDecimal, gqlbase.TypeRating, gqlbase.TypeLink:
		return map[string]any{"type": "number"}
	case gqlbase.TypeDateTime:
		return map[string]any{"type": "string", "format": "date-time"}
	case gqlbase.TypeJSON:
		return map[string]any{"type": "object"}
	case gqlbase.TypeMultiSelect:
		return map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
	case gqlbase.TypeFile:
		return map[string]any{"type": "array", "items": map[string]any{"type": "number"}}
	}
	return map[string]any{"type": "string"}
}

// columnType reads the column type a property defines.
func columnType(name string, p map[string]any) (gqlbase.ColumnType, []string, error) {
	typ := ""
	switch t := p["type"].(type) {
	case string:
		typ = t
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				typ = s
				break
			}
		}
	case nil:
	default:
		return "", nil, gqlbase.BadInput("column %q: type must be a string", name).WithField(name)
	}
	var enum []string
	if e, ok := p["enum"]; ok && e != nil {
		list, ok := e.([]any)
		if !ok {
			return "", nil, gqlbase.BadInput("column %q: enum must be a list of strings", name).WithField(name)
		}
		for _, v := range list {
			s, ok := v.(string)
			if !ok {
				return "", nil, gqlbase.BadInput("column %q: enum must be a list of strings", name).WithField(name)
			}
			enum = append(enum, s)
		}
	}
	switch typ {
	case "string", "":
		if enum != nil {
			return gqlbase.TypeSelect, enum, nil
		}
		if typ == "" {
			return "", nil, gqlbase.BadInput("column %q needs a type (string, number, boolean, object or array)", name).WithField(name)
		}
		if f, _ := p["format"].(string); f == "date-time" {
			return gqlbase.TypeDateTime, nil, nil
		}
		return gqlbase.TypeText, nil, nil
	case "number":
		return gqlbase.TypeNumber, nil, nil
	case "integer":
		return gqlbase.TypeInteger, nil, nil
	case "boolean":
		return gqlbase.TypeBoolean, nil, nil
	case "object", "array":
		return gqlbase.TypeJSON, nil, nil
	}
	return "", nil, gqlbase.BadInput("column %q: type %q is not one of string, number, boolean, object, array", name, typ).WithField(name)
}

// columnSpec is a column as a schema defines it.
type columnSpec struct {
	name     string
	index    float64
	input    gqlbase.ColumnInput
	property map[string]any
}

// parseSchema reads a table schema: a JSON schema ({type: object, properties, required}) or a
// plain object of properties. A property given as null (in updates) lands in deleted.
func parseSchema(raw map[string]any, keyColumn string) (cols []*columnSpec, deleted []string, err error) {
	props := raw
	var required []string
	if p, ok := raw["properties"].(map[string]any); ok {
		if t, _ := raw["type"].(string); t == "" || t == "object" {
			props = p
			if req, ok := raw["required"].([]any); ok {
				for _, x := range req {
					if s, ok := x.(string); ok {
						required = append(required, s)
					}
				}
			}
		}
	}
	if len(props) > MaxColumns {
		return nil, nil, gqlbase.BadInput("a table may have at most %d columns; the schema has %d", MaxColumns, len(props)).WithField("schema")
	}
	for name, v := range props {
		if v == nil {
			deleted = append(deleted, name)
			continue
		}
		p, ok := v.(map[string]any)
		if !ok {
			return nil, nil, gqlbase.BadInput("schema property %q must be an object such as {\"type\": \"string\"}", name).WithField("schema")
		}
		if reservedColumns[name] {
			return nil, nil, gqlbase.BadInput("column name %q is reserved for the row's own fields", name).WithField(name)
		}
		typ, enum, err := columnType(name, p)
		if err != nil {
			return nil, nil, err
		}
		in := gqlbase.ColumnInput{Name: name, Type: typ}
		nullable := !contains(required, name)
		in.Nullable = &nullable
		if name == keyColumn {
			unique := true
			in.Unique = &unique
		}
		if zui, ok := p["x-zui"].(map[string]any); ok {
			if s, ok := zui["searchable"].(bool); ok && s {
				in.Indexed = &s
			}
		}
		if d, ok := p["description"].(string); ok && d != "" {
			in.Description = &d
		}
		for _, o := range enum {
			in.Options = append(in.Options, &gqlbase.SelectOptionInput{Value: o})
		}
		if def, ok := p["default"]; ok && def != nil {
			in.Default = def
		}
		spec := &columnSpec{name: name, input: in, property: p, index: 1e9}
		if zui, ok := p["x-zui"].(map[string]any); ok {
			if n, ok := number(zui["index"]); ok {
				spec.index = n
			}
		}
		cols = append(cols, spec)
	}
	sort.SliceStable(cols, func(i, j int) bool {
		if cols[i].index != cols[j].index {
			return cols[i].index < cols[j].index
		}
		return cols[i].name < cols[j].name
	})
	sort.Strings(deleted)
	return cols, deleted, nil
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// storedProperty is the property kept in the settings (x-zui's index is recomputed).
func storedProperty(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		if k == "nullable" {
			continue
		}
		out[k] = v
	}
	return out
}
