package gqlbase

import (
	"io"
	"time"
)

// ViewType is how a saved view shows its rows.
type ViewType string

const (
	ViewGrid     ViewType = "grid"
	ViewGallery  ViewType = "gallery"
	ViewForm     ViewType = "form"
	ViewKanban   ViewType = "kanban"
	ViewCalendar ViewType = "calendar"
	ViewTimeline ViewType = "timeline"
)

var viewTypeEnum = newEnum("ViewType", identity(ViewGrid, ViewGallery, ViewForm, ViewKanban, ViewCalendar, ViewTimeline))

func (v *ViewType) UnmarshalGQL(x any) (err error) {
	*v, err = viewTypeEnum.unmarshal(x)
	return
}
func (v ViewType) MarshalGQL(w io.Writer) { viewTypeEnum.marshal(v, w) }

// Valid tells whether v is one of the view types.
func (v ViewType) Valid() bool { _, ok := viewTypeEnum.toGQL[v]; return ok }

// View is a saved way of looking at a table's rows: its filter tree, sorts, group-bys,
// hidden fields and field options, plus what its type needs (the select column a kanban
// groups by, the date columns a calendar or timeline buckets by). A view may be public
// through a random slug, optionally behind a password.
type View struct {
	ID          int64
	TableID     int64
	DatabaseID  int64
	WorkspaceID int64
	Name        string
	Type        ViewType
	// Position orders a table's views (ascending).
	Position     int
	Filter       *Filter
	Sorts        []Sort
	GroupBy      []string
	HiddenFields []string
	FieldOptions []FieldOption
	// Decorations are the client's own JSON (colours, conditional styles); kept as given.
	Decorations   any
	GroupColumn   *string
	DateColumn    *string
	EndDateColumn *string
	Public        bool
	Slug          *string
	// PasswordHash, when set, is what a public visitor's password is checked against.
	PasswordHash string
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// PasswordProtected tells whether a public visitor needs a password.
func (v *View) PasswordProtected() bool { return v.PasswordHash != "" }

// Hidden tells whether a column is hidden in the view.
func (v *View) Hidden(column string) bool {
	for _, h := range v.HiddenFields {
		if h == column {
			return true
		}
	}
	return false
}

// VisibleColumns are the table's user columns the view shows, in table order.
func (v *View) VisibleColumns(t *Table) []string {
	out := make([]string, 0, len(t.Columns))
	for _, c := range t.Columns {
		if !v.Hidden(c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// FieldOption is how a view shows one column.
type FieldOption struct {
	Column string `json:"column"`
	Width  *int   `json:"width,omitempty"`
	Order  *int   `json:"order,omitempty"`
}

// ViewInput makes a view; in an update, the fields given replace the view's.
type ViewInput struct {
	Name          *string
	Type          *ViewType
	Filter        *Filter
	ClearFilter   *bool
	Sorts         []*Sort
	GroupBy       []string
	HiddenFields  []string
	FieldOptions  []*FieldOption
	Decorations   any
	GroupColumn   *string
	DateColumn    *string
	EndDateColumn *string
}

// ViewGroup is one group of a kanban view: the rows whose group column holds Value (null:
// rows without one).
type ViewGroup struct {
	Value any
	Count int64
	Rows  []*Row
}

// ViewBucket is one day of a calendar or timeline view and the rows that fall on it.
type ViewBucket struct {
	Day  string
	Rows []*Row
}

// ViewShare is what sharing a view gives its owner.
type ViewShare struct {
	View *View
	Slug string
}

// FieldOptionInput is a FieldOption as a client sends it.
type FieldOptionInput = FieldOption
