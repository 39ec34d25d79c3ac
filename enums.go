package gqlbase

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// The enums of the GraphQL APIs marshal themselves, so that a value that is not one of the
// enum's names is refused with BAD_USER_INPUT wherever it comes from (a literal or a variable).

type enumNames[T ~string] struct {
	typeName string
	toGo     map[string]T
	toGQL    map[T]string
}

func newEnum[T ~string](typeName string, pairs map[string]T) enumNames[T] {
	e := enumNames[T]{typeName: typeName, toGo: pairs, toGQL: make(map[T]string, len(pairs))}
	for name, v := range pairs {
		e.toGQL[v] = name
	}
	return e
}

func (e enumNames[T]) unmarshal(v any) (T, error) {
	s, ok := v.(string)
	if ok {
		if t, found := e.toGo[s]; found {
			return t, nil
		}
	}
	names := make([]string, 0, len(e.toGo))
	for n := range e.toGo {
		names = append(names, n)
	}
	sort.Strings(names)
	return "", BadInput("%s is not a valid %s (want one of %s)", quoteValue(v), e.typeName, strings.Join(names, ", "))
}

func (e enumNames[T]) marshal(v T, w io.Writer) {
	name, ok := e.toGQL[v]
	if !ok {
		name = string(v)
	}
	_, _ = io.WriteString(w, strconv.Quote(name))
}

func quoteValue(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}

// identity maps each value to itself (enums whose GraphQL names are their Go values).
func identity[T ~string](values ...T) map[string]T {
	m := make(map[string]T, len(values))
	for _, v := range values {
		m[string(v)] = v
	}
	return m
}

var (
	scopeEnum = newEnum("Scope", map[string]Scope{"READ": ScopeRead, "WRITE": ScopeWrite, "SCHEMA": ScopeSchema,
		"FILES": ScopeFiles, "ADMIN": ScopeAdmin})
	roleEnum = newEnum("Role", map[string]Role{"OWNER": RoleOwner, "ADMIN": RoleAdmin, "EDITOR": RoleEditor,
		"VIEWER": RoleViewer})
	accessEnum        = newEnum("DatabaseAccess", map[string]DatabaseAccess{"READ": AccessRead, "WRITE": AccessWrite})
	principalKindEnum = newEnum("PrincipalKind", identity(PrincipalAnonymous, PrincipalUser, PrincipalToken, PrincipalReadonly))
	membershipEnum    = newEnum("MembershipStatus", identity(MembershipActive, MembershipPending))
	columnTypeEnum    = newEnum("ColumnType", identity(ColumnTypes...))
	filterOpEnum      = newEnum("FilterOp", identity(FilterOps...))
	sortDirEnum       = newEnum("SortDirection", identity(SortAsc, SortDesc))
	nullsEnum         = newEnum("NullsOrder", identity(NullsFirst, NullsLast))
	rowEventKindEnum  = newEnum("RowEventKind", identity(RowCreated, RowUpdated, RowDeleted, RowRestored))
	aggregateFnEnum   = newEnum("AggregateFn", identity(AggregateFns...))
)

func (s *Scope) UnmarshalGQL(v any) (err error)          { *s, err = scopeEnum.unmarshal(v); return }
func (s Scope) MarshalGQL(w io.Writer)                   { scopeEnum.marshal(s, w) }
func (r *Role) UnmarshalGQL(v any) (err error)           { *r, err = roleEnum.unmarshal(v); return }
func (r Role) MarshalGQL(w io.Writer)                    { roleEnum.marshal(r, w) }
func (a *DatabaseAccess) UnmarshalGQL(v any) (err error) { *a, err = accessEnum.unmarshal(v); return }
func (a DatabaseAccess) MarshalGQL(w io.Writer)          { accessEnum.marshal(a, w) }
func (k *PrincipalKind) UnmarshalGQL(v any) (err error) {
	*k, err = principalKindEnum.unmarshal(v)
	return
}
func (k PrincipalKind) MarshalGQL(w io.Writer) { principalKindEnum.marshal(k, w) }
func (m *MembershipStatus) UnmarshalGQL(v any) (err error) {
	*m, err = membershipEnum.unmarshal(v)
	return
}
func (m MembershipStatus) MarshalGQL(w io.Writer)       { membershipEnum.marshal(m, w) }
func (f *AggregateFn) UnmarshalGQL(v any) (err error)   { *f, err = aggregateFnEnum.unmarshal(v); return }
func (f AggregateFn) MarshalGQL(w io.Writer)            { aggregateFnEnum.marshal(f, w) }
func (t *ColumnType) UnmarshalGQL(v any) (err error)    { *t, err = columnTypeEnum.unmarshal(v); return }
func (t ColumnType) MarshalGQL(w io.Writer)             { columnTypeEnum.marshal(t, w) }
func (o *FilterOp) UnmarshalGQL(v any) (err error)      { *o, err = filterOpEnum.unmarshal(v); return }
func (o FilterOp) MarshalGQL(w io.Writer)               { filterOpEnum.marshal(o, w) }
func (d *SortDirection) UnmarshalGQL(v any) (err error) { *d, err = sortDirEnum.unmarshal(v); return }
func (d SortDirection) MarshalGQL(w io.Writer)          { sortDirEnum.marshal(d, w) }
func (n *NullsOrder) UnmarshalGQL(v any) (err error)    { *n, err = nullsEnum.unmarshal(v); return }
func (n NullsOrder) MarshalGQL(w io.Writer)             { nullsEnum.marshal(n, w) }
func (k *RowEventKind) UnmarshalGQL(v any) (err error) {
	*k, err = rowEventKindEnum.unmarshal(v)
	return
}
func (k RowEventKind) MarshalGQL(w io.Writer) { rowEventKindEnum.marshal(k, w) }
