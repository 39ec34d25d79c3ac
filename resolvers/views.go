package resolvers

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gqlbase/gqlbase"
)

// Saved views: the use cases behind the views, view, createView, updateView, deleteView,
// duplicateView and orderViews fields. A view belongs to a table; reading views needs the
// read scope on its database, changing them the write scope (views change how rows are
// shown, never the rows or the table's structure).

const (
	maxViewsPerTable    = 200
	maxDecorationsBytes = 64 << 10
	maxViewNameBytes    = 255
)

// viewFor loads a view and its table for a principal that may use the table with scope.
// A view of a table the principal cannot see answers NOT_FOUND.
func (r *Resolver) viewFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.View, *gqlbase.Table, error) {
	if err := gqlbase.PrincipalFrom(ctx).Authenticated(); err != nil {
		return nil, nil, err
	}
	var v *gqlbase.View
	var err error
	if scope == gqlbase.ScopeRead {
		v, err = r.readView(ctx, id)
	} else {
		// A change starts from the stored view and leaves the cached one alone.
		v, err = r.Store.GetView(ctx, id)
		r.forgetView(id)
	}
	if err != nil {
		return nil, nil, err
	}
	t, err := r.TableFor(ctx, v.TableID, scope)
	if err != nil {
		if e, ok := err.(*gqlbase.Error); ok && e.Code == gqlbase.CodeNotFound {
			return nil, nil, gqlbase.NotFound("view %d not found", id)
		}
		return nil, nil, err
	}
	return v, t, nil
}

// Views lists a table's views in their order.
func (r *Resolver) Views(ctx context.Context, tableID int64) ([]*gqlbase.View, error) {
	if _, err := r.TableFor(ctx, tableID, gqlbase.ScopeRead); err != nil {
		return nil, err
	}
	return r.Store.ListViews(ctx, tableID)
}

// ViewByID returns one view.
func (r *Resolver) ViewByID(ctx context.Context, id int64) (*gqlbase.View, error) {
	v, _, err := r.viewFor(ctx, id, gqlbase.ScopeRead)
	return v, err
}

// CreateView adds a view to a table, after its other views.
func (r *Resolver) CreateView(ctx context.Context, tableID int64, in gqlbase.ViewInput) (*gqlbase.View, error) {
	t, err := r.TableFor(ctx, tableID, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if in.Name == nil || in.Type == nil {
		return nil, gqlbase.BadInput("a view needs a name and a type").WithField("input")
	}
	existing, err := r.Store.ListViews(ctx, tableID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= maxViewsPerTable {
		return nil, gqlbase.BadInput("table %q has %d views, the most a table may have", t.Name, maxViewsPerTable)
	}
	v := &gqlbase.View{TableID: t.ID, CreatedBy: actor(ctx)}
	if err := applyViewInput(t, v, in); err != nil {
		return nil, err
	}
	return r.Store.CreateView(ctx, v)
}

// UpdateView replaces the settings given in the input.
func (r *Resolver) UpdateView(ctx context.Context, id int64, in gqlbase.ViewInput) (*gqlbase.View, error) {
	v, t, err := r.viewFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	if err := applyViewInput(t, v, in); err != nil {
		return nil, err
	}
	defer r.forgetView(v.ID)
	return r.Store.UpdateView(ctx, v)
}

// DeleteView deletes a view; its public link stops working.
func (r *Resolver) DeleteView(ctx context.Context, id int64) (bool, error) {
	v, _, err := r.viewFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return false, err
	}
	defer r.forgetView(v.ID)
	if err := r.Store.DeleteView(ctx, v.ID); err != nil {
		return false, err
	}
	return true, nil
}

// DuplicateView copies a view (not its public link) right after it, named name or
// "<name> 2".
func (r *Resolver) DuplicateView(ctx context.Context, id int64, name *string) (*gqlbase.View, error) {
	v, _, err := r.viewFor(ctx, id, gqlbase.ScopeWrite)
	if err != nil {
		return nil, err
	}
	n := v.Name + " 2"
	if name != nil {
		n = *name
	}
	if err := checkViewName(n); err != nil {
		return nil, err
	}
	defer r.viewCache.LRU().Purge() // the views after it moved down
	return r.Store.DuplicateView(ctx, v.ID, n, actor(ctx))
}

// OrderViews puts a table's views in the order of ids (views left out follow, in their
// current order) and returns them all.
func (r *Resolver) OrderViews(ctx context.Context, tableID int64, ids []int64) ([]*gqlbase.View, error) {
	if _, err := r.TableFor(ctx, tableID, gqlbase.ScopeWrite); err != nil {
		return nil, err
	}
	if len(ids) > maxViewsPerTable {
		return nil, gqlbase.BadInput("at most %d views", maxViewsPerTable).WithField("ids")
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			return nil, gqlbase.BadInput("view %d is listed twice", id).WithField("ids")
		}
		seen[id] = true
	}
	if err := r.Store.OrderViews(ctx, tableID, ids); err != nil {
		return nil, err
	}
	r.viewCache.LRU().Purge() // positions changed (only reads of views show them)
	return r.Store.ListViews(ctx, tableID)
}

func checkViewName(n string) error {
	if strings.TrimSpace(n) == "" || len(n) > maxViewNameBytes {
		return gqlbase.BadInput("a view name is 1 to %d bytes and not blank", maxViewNameBytes).WithField("name")
	}
	return nil
}

// applyViewInput checks the input against the table and copies the fields given into v.
func applyViewInput(t *gqlbase.Table, v *gqlbase.View, in gqlbase.ViewInput) error {
	if in.Name != nil {
		if err := checkViewName(*in.Name); err != nil {
			return err
		}
		v.Name = *in.Name
	}
	if in.Type != nil {
		if !in.Type.Valid() {
			return gqlbase.BadInput("unknown view type %q", *in.Type).WithField("type")
		}
		v.Type = *in.Type
	}
	if in.ClearFilter != nil && *in.ClearFilter {
		if in.Filter != nil {
			return gqlbase.BadInput("give filter or clearFilter, not both").WithField("clearFilter")
		}
		v.Filter = nil
	}
	if in.Filter != nil {
		if _, err := gqlbase.BindFilter(in.Filter, t); err != nil {
			return err
		}
		v.Filter = in.Filter
	}
	if in.Sorts != nil {
		if len(in.Sorts) > 10 {
			return gqlbase.BadInput("sort by at most 10 columns").WithField("sorts")
		}
		v.Sorts = make([]gqlbase.Sort, 0, len(in.Sorts))
		for _, s := range in.Sorts {
			if t.Column(s.Column) == nil {
				return gqlbase.BadInput("cannot sort by %q: table %q has no such column", s.Column, t.Name).WithField("sorts")
			}
			sort := *s
			if sort.Direction == "" {
				sort.Direction = gqlbase.SortAsc
			}
			v.Sorts = append(v.Sorts, sort)
		}
	}
	for _, list := range []struct {
		names []string
		field string
		into  *[]string
	}{{in.GroupBy, "groupBy", &v.GroupBy}, {in.HiddenFields, "hiddenFields", &v.HiddenFields}} {
		if list.names == nil {
			continue
		}
		if err := userColumns(t, list.names, list.field); err != nil {
			return err
		}
		*list.into = list.names
	}
	if in.FieldOptions != nil {
		v.FieldOptions = make([]gqlbase.FieldOption, 0, len(in.FieldOptions))
		for _, o := range in.FieldOptions {
			if err := userColumns(t, []string{o.Column}, "fieldOptions"); err != nil {
				return err
			}
			if o.Width != nil && (*o.Width < 0 || *o.Width > 10_000) {
				return gqlbase.BadInput("a width is between 0 and 10000").WithField("fieldOptions")
			}
			v.FieldOptions = append(v.FieldOptions, *o)
		}
	}
	if in.Decorations != nil {
		b, err := json.Marshal(in.Decorations)
		if err != nil || len(b) > maxDecorationsBytes {
			return gqlbase.BadInput("decorations are JSON of at most %d bytes", maxDecorationsBytes).WithField("decorations")
		}
		v.Decorations = in.Decorations
	}
	for _, c := range []struct {
		in   *string
		into **string
	}{{in.GroupColumn, &v.GroupColumn}, {in.DateColumn, &v.DateColumn}, {in.EndDateColumn, &v.EndDateColumn}} {
		if c.in != nil {
			s := *c.in
			if s == "" {
				*c.into = nil
			} else {
				*c.into = &s
			}
		}
	}
	return checkViewColumns(t, v)
}

// userColumns checks that every name is a user column of t, listed once.
func userColumns(t *gqlbase.Table, names []string, field string) error {
	if len(names) > len(t.Columns) {
		return gqlbase.BadInput("%s lists more columns than table %q has", field, t.Name).WithField(field)
	}
	seen := map[string]bool{}
	for _, n := range names {
		c := t.Column(n)
		if c == nil || c.System {
			return gqlbase.BadInput("table %q has no user column %q", t.Name, n).WithField(field)
		}
		if seen[n] {
			return gqlbase.BadInput("%s lists %q twice", field, n).WithField(field)
		}
		seen[n] = true
	}
	return nil
}

// checkViewColumns checks what the view's type needs: a kanban groups by a SELECT column,
// a calendar or timeline buckets by a DATE or DATETIME column (a timeline's end too).
func checkViewColumns(t *gqlbase.Table, v *gqlbase.View) error {
	column := func(name *string, field string, types ...gqlbase.ColumnType) error {
		if name == nil {
			return gqlbase.BadInput("a %s view needs %s", v.Type, field).WithField(field)
		}
		c := t.Column(*name)
		if c == nil || c.System {
			return gqlbase.BadInput("table %q has no user column %q", t.Name, *name).WithField(field)
		}
		for _, ty := range types {
			if c.Type == ty {
				return nil
			}
		}
		return gqlbase.BadInput("%s %q is a %s column; a %s view needs %v", field, *name, c.Type, v.Type, types).WithField(field)
	}
	switch v.Type {
	case gqlbase.ViewKanban:
		return column(v.GroupColumn, "groupColumn", gqlbase.TypeSelect)
	case gqlbase.ViewCalendar, gqlbase.ViewTimeline:
		if err := column(v.DateColumn, "dateColumn", gqlbase.TypeDate, gqlbase.TypeDateTime); err != nil {
			return err
		}
		if v.EndDateColumn != nil {
			return column(v.EndDateColumn, "endDateColumn", gqlbase.TypeDate, gqlbase.TypeDateTime)
		}
	}
	return nil
}
