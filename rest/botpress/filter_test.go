package botpress

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gqlbase/gqlbase"
)

func TestRegexToLike(t *testing.T) {
	cases := map[string]string{
		"abc":           "%abc%",
		"^abc":          "abc%",
		"abc$":          "%abc",
		"^abc$":         "abc",
		"^a.c$":         "a_c",
		"^a.*c$":        "a%c",
		"a.*":           "%a%",
		".*":            "%",
		"":              "%",
		"^.+@x\\.com$":  "_%@x.com",
		"50%":           "%50\\%%",
		"snake_case":    "%snake\\_case%",
		"^\\(x\\)$":     "(x)",
		"a\\$":          "%a$%",
		"^.*foo.*bar.*": "%foo%bar%",
	}
	for re, want := range cases {
		got, err := regexToLike(re)
		if err != nil || got != want {
			t.Errorf("regexToLike(%q) = %q, %v; want %q", re, got, err, want)
		}
	}
	for _, re := range []string{"a|b", "[abc]", "a+", "colou?r", "(ab)", "a{2}", "\\d", "^^a", "a\\"} {
		if got, err := regexToLike(re); err == nil {
			t.Errorf("regexToLike(%q) = %q, want an error", re, got)
		}
	}
}

func decodeFilter(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTranslateFilter(t *testing.T) {
	cases := map[string]string{
		`{"name": "John"}`: `{"column":"name","op":"eq","value":"John"}`,
		`{"name": {"$eq": "John"}, "age": {"$gt": 3}}`:   `{"and":[{"column":"age","op":"gt","value":3},{"column":"name","op":"eq","value":"John"}]}`,
		`{"age": {"$gte": 1, "$lt": 9}}`:                 `{"and":[{"column":"age","op":"gte","value":1},{"column":"age","op":"lt","value":9}]}`,
		`{"age": {"$lte": 1, "$ne": 2}}`:                 `{"and":[{"column":"age","op":"lte","value":1},{"column":"age","op":"neq","value":2}]}`,
		`{"tag": {"$in": ["a", "b"]}}`:                   `{"column":"tag","op":"in","value":["a","b"]}`,
		`{"tag": {"$nin": []}}`:                          `{"column":"tag","op":"nin","value":[]}`,
		`{"tag": {"$exists": true}}`:                     `{"column":"tag","op":"is_null","value":false}`,
		`{"tag": {"$exists": false}}`:                    `{"column":"tag","op":"is_null","value":true}`,
		`{"name": {"$regex": "^Jo", "$options": "i"}}`:   `{"column":"name","op":"ilike","value":"Jo%"}`,
		`{"$or": [{"a": 1}, {"b": 2}]}`:                  `{"or":[{"column":"a","op":"eq","value":1},{"column":"b","op":"eq","value":2}]}`,
		`{"$and": [{"a": 1}]}`:                           `{"and":[{"column":"a","op":"eq","value":1}]}`,
		`{"$not": {"a": 1}}`:                             `{"not":{"column":"a","op":"eq","value":1}}`,
		`{"$nor": [{"a": 1}]}`:                           `{"not":{"or":[{"column":"a","op":"eq","value":1}]}}`,
		`{"a": {"$not": {"$gt": 5}}}`:                    `{"not":{"column":"a","op":"gt","value":5}}`,
		`{"createdAt": {"$lt": "2026-01-01T00:00:00Z"}}`: `{"column":"created_at","op":"lt","value":"2026-01-01T00:00:00Z"}`,
		`{"meta": {"k": "v"}}`:                           `{"column":"meta","op":"eq","value":{"k":"v"}}`,
		`{"name": null}`:                                 `{"column":"name","op":"eq"}`,
	}
	for in, want := range cases {
		f, err := translateFilter(decodeFilter(t, in))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		got, _ := json.Marshal(f)
		if string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
	for _, in := range []string{
		`{"$where": "1"}`, `{"a": {"$foo": 1}}`, `{"$or": {"a": 1}}`, `{"$or": [1]}`, `{"a": {"$in": 1}}`,
		`{"a": {"$exists": "yes"}}`, `{"a": {"$regex": "a|b"}}`, `{"a": {"$regex": "a", "$options": "m"}}`,
		`{"a": {"$options": "i"}}`, `{"$not": [1]}`,
	} {
		if _, err := translateFilter(decodeFilter(t, in)); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%s: %v, want BAD_USER_INPUT", in, err)
		}
	}
}

func TestParseSchema(t *testing.T) {
	jsonSchema := decodeFilter(t, `{"type": "object", "properties": {
		"b": {"type": "number", "x-zui": {"index": 1}},
		"a": {"type": "string", "x-zui": {"index": 0, "searchable": true}, "description": "the a"},
		"when": {"type": "string", "format": "date-time", "x-zui": {"index": 2}},
		"kind": {"type": "string", "enum": ["x", "y"], "x-zui": {"index": 3}},
		"obj": {"type": "object", "x-zui": {"index": 4}},
		"list": {"type": "array", "items": {"type": "string"}, "x-zui": {"index": 5}},
		"ok": {"type": ["boolean", "null"], "x-zui": {"index": 6}},
		"n": {"type": "integer", "x-zui": {"index": 7}}
	}, "required": ["a"]}`)
	cols, deleted, err := parseSchema(jsonSchema, "a")
	if err != nil || len(deleted) != 0 {
		t.Fatal(err, deleted)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.name+":"+string(c.input.Type))
	}
	if strings.Join(got, " ") != "a:TEXT b:NUMBER when:DATETIME kind:SELECT obj:JSON list:JSON ok:BOOLEAN n:INTEGER" {
		t.Errorf("columns %v", got)
	}
	a := cols[0].input
	if *a.Nullable || !*a.Unique || !*a.Indexed || *a.Description != "the a" {
		t.Errorf("column a: %+v", a)
	}
	if len(cols[3].input.Options) != 2 || !*cols[1].input.Nullable {
		t.Errorf("kind options / b nullable: %+v %+v", cols[3].input, cols[1].input)
	}

	plain := decodeFilter(t, `{"name": {"type": "string"}, "gone": null}`)
	cols, deleted, err = parseSchema(plain, "")
	if err != nil || len(cols) != 1 || cols[0].name != "name" || len(deleted) != 1 || deleted[0] != "gone" {
		t.Errorf("plain schema: %v %v %v", cols, deleted, err)
	}

	for _, bad := range []string{
		`{"a": {"type": "null"}}`, `{"a": {"type": "date"}}`, `{"a": {}}`, `{"a": "string"}`, `{"id": {"type": "string"}}`,
		`{"createdAt": {"type": "string"}}`, `{"a": {"type": "string", "enum": [1]}}`,
	} {
		if _, _, err := parseSchema(decodeFilter(t, bad), ""); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
			t.Errorf("%s: %v", bad, err)
		}
	}
	many := map[string]any{}
	for i := 0; i < 21; i++ {
		many[string(rune('a'+i))] = map[string]any{"type": "string"}
	}
	if _, _, err := parseSchema(many, ""); gqlbase.ErrorCode(err) != gqlbase.CodeBadUserInput {
		t.Errorf("21 columns: %v", err)
	}
}

func TestSchemaRoundTrip(t *testing.T) {
	c := &gqlbase.Column{Name: "a", Type: gqlbase.TypeText, Nullable: true, Indexed: true}
	stored := map[string]any{"type": "string", "description": "kept", "x-zui": map[string]any{"index": 9, "width": 120}}
	p := propertyOf(c, stored, 2)
	zui := p["x-zui"].(map[string]any)
	if p["description"] != "kept" || zui["index"] != 2 || zui["width"] != 120 || zui["searchable"] != true || p["nullable"] != true {
		t.Errorf("property %v", p)
	}
	// A stored property of another type gives way to one derived from the column.
	c.Type = gqlbase.TypeDateTime
	p = propertyOf(c, stored, 0)
	if p["format"] != "date-time" || p["description"] != nil {
		t.Errorf("derived property %v", p)
	}
	sel := &gqlbase.Column{Name: "s", Type: gqlbase.TypeSelect, Options: []gqlbase.SelectOption{{Value: "x"}}}
	if p := propertyOf(sel, nil, 0); p["type"] != "string" || len(p["enum"].([]string)) != 1 || p["nullable"] != nil {
		t.Errorf("select property %v", p)
	}
	tags, err := tagsIn(map[string]string{"b": "2", "a": "1"})
	if err != nil || strings.Join(tags, ",") != "a=1,b=2" {
		t.Errorf("tags %v %v", tags, err)
	}
	if out := tagsOut([]string{"a=1", "plain"}); out["a"] != "1" || out["plain"] != "" {
		t.Errorf("tags out %v", out)
	}
	if _, err := tagsIn(map[string]string{"a=b": "1"}); err == nil {
		t.Error("tag key with = accepted")
	}
	if camel("order_total") != "orderTotal" || camel("qty") != "qty" {
		t.Error("camel")
	}
}
