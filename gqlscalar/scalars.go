// Package gqlscalar holds the GraphQL scalar marshalers the generated platform schema binds to:
// int64 ids shown as decimal strings, JSON values, and times.
package gqlscalar

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gqlbase/gqlbase"
)

// MarshalID writes an int64 id as a decimal string, as GraphQL IDs are serialised.
func MarshalID(id int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, `"`+strconv.FormatInt(id, 10)+`"`)
	})
}

// UnmarshalID accepts an id as a decimal string or as a whole number.
func UnmarshalID(v any) (int64, error) {
	switch x := v.(type) {
	case string:
		id, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil || id <= 0 {
			return 0, gqlbase.BadInput("%q is not a valid id (want a positive whole number)", x)
		}
		return id, nil
	case json.Number:
		return UnmarshalID(string(x))
	case int:
		return positive(int64(x))
	case int64:
		return positive(x)
	case float64:
		if x != math.Trunc(x) || x > math.MaxInt64 {
			return 0, gqlbase.BadInput("%v is not a valid id (want a positive whole number)", x)
		}
		return positive(int64(x))
	}
	return 0, gqlbase.BadInput("%v is not a valid id (want a string or a number)", v)
}

func positive(id int64) (int64, error) {
	if id <= 0 {
		return 0, gqlbase.BadInput("%d is not a valid id (want a positive whole number)", id)
	}
	return id, nil
}

// MarshalJSON writes any JSON-encodable value as it is.
func MarshalJSON(v any) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		b, err := json.Marshal(v)
		if err != nil {
			_, _ = io.WriteString(w, "null")
			return
		}
		_, _ = w.Write(b)
	})
}

// UnmarshalJSON accepts any input value.
func UnmarshalJSON(v any) (any, error) { return v, nil }

// MarshalJSONObject writes a JSON object.
func MarshalJSONObject(v map[string]any) graphql.Marshaler { return MarshalJSON(v) }

// UnmarshalJSONObject accepts an input object (or a string holding one, for clients that send
// JSON as text).
func UnmarshalJSONObject(v any) (map[string]any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		var m map[string]any
		d := json.NewDecoder(strings.NewReader(x))
		d.UseNumber()
		if err := d.Decode(&m); err != nil || m == nil {
			return nil, gqlbase.BadInput("expected a JSON object")
		}
		return m, nil
	case nil:
		return nil, nil
	}
	return nil, gqlbase.BadInput("expected a JSON object, got %s", fmt.Sprintf("%T", v))
}

// MarshalRawJSON writes JSON that is already encoded (rows built by Postgres) as it is.
func MarshalRawJSON(v json.RawMessage) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		if len(v) == 0 {
			_, _ = io.WriteString(w, "null")
			return
		}
		_, _ = w.Write(v)
	})
}

// UnmarshalRawJSON encodes an input value.
func UnmarshalRawJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, gqlbase.BadInput("value is not JSON-encodable")
	}
	return b, nil
}
