package resolvers

import (
	"unicode/utf8"

	"github.com/gqlbase/gqlbase"
)

const (
	maxLabelLen       = 255
	maxDescriptionLen = 5000
	maxOptions        = 1000
)

// ColumnFromInput validates a column definition and returns the column to create.
func ColumnFromInput(in *gqlbase.ColumnInput) (*gqlbase.Column, error) {
	if err := gqlbase.CheckColumnName(in.Name); err != nil {
		return nil, err
	}
	if !validColumnType(in.Type) {
		return nil, gqlbase.BadInput("unknown column type %q", in.Type).WithField("type")
	}
	c := &gqlbase.Column{Name: in.Name, Label: in.Name, Type: in.Type, Nullable: true}
	if in.Label != nil {
		if err := checkLabel(*in.Label); err != nil {
			return nil, err
		}
		c.Label = *in.Label
	}
	if in.Nullable != nil {
		c.Nullable = *in.Nullable
	}
	if in.Unique != nil {
		c.Unique = *in.Unique
	}
	if in.Indexed != nil {
		c.Indexed = *in.Indexed
	}
	if in.Description != nil {
		if utf8.RuneCountInString(*in.Description) > maxDescriptionLen {
			return nil, gqlbase.BadInput("description of column %q is longer than %d characters", in.Name, maxDescriptionLen).WithField("description")
		}
		c.Description = *in.Description
	}
	opts, err := selectOptions(c.Type, in.Options)
	if err != nil {
		return nil, err
	}
	c.Options = opts
	if in.LinkTable != nil {
		if c.Type != gqlbase.TypeLink {
			return nil, gqlbase.BadInput("linkTable applies only to LINK columns; %q is %s", in.Name, c.Type).WithField("linkTable")
		}
		c.LinkTableID = in.LinkTable
	}
	if c.MaxRating, err = ratingScale(c.Type, in.MaxRating); err != nil {
		return nil, err
	}
	if in.Default != nil {
		if c.Default, err = checkDefault(c, in.Default); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func validColumnType(t gqlbase.ColumnType) bool {
	for _, ct := range gqlbase.ColumnTypes {
		if ct == t {
			return true
		}
	}
	return false
}

func checkLabel(label string) error {
	if label == "" || utf8.RuneCountInString(label) > maxLabelLen {
		return gqlbase.BadInput("a label must have 1 to %d characters", maxLabelLen).WithField("label")
	}
	return nil
}

// selectOptions validates the choices of a SELECT or MULTI_SELECT column.
func selectOptions(t gqlbase.ColumnType, in []*gqlbase.SelectOptionInput) ([]gqlbase.SelectOption, error) {
	isSelect := t == gqlbase.TypeSelect || t == gqlbase.TypeMultiSelect
	if len(in) > 0 && !isSelect {
		return nil, gqlbase.BadInput("options apply only to SELECT and MULTI_SELECT columns").WithField("options")
	}
	if !isSelect {
		return nil, nil
	}
	if len(in) > maxOptions {
		return nil, gqlbase.BadInput("a column may have at most %d options", maxOptions).WithField("options")
	}
	out := make([]gqlbase.SelectOption, 0, len(in))
	seen := map[string]bool{}
	for _, o := range in {
		if o.Value == "" || utf8.RuneCountInString(o.Value) > maxLabelLen {
			return nil, gqlbase.BadInput("an option value must have 1 to %d characters", maxLabelLen).WithField("options")
		}
		if seen[o.Value] {
			return nil, gqlbase.BadInput("option %q is listed twice", o.Value).WithField("options")
		}
		seen[o.Value] = true
		opt := gqlbase.SelectOption{Value: o.Value}
		if o.Color != nil {
			opt.Color = *o.Color
		}
		out = append(out, opt)
	}
	return out, nil
}

func ratingScale(t gqlbase.ColumnType, in *int) (int, error) {
	if in == nil {
		if t == gqlbase.TypeRating {
			return 5, nil
		}
		return 0, nil
	}
	if t != gqlbase.TypeRating {
		return 0, gqlbase.BadInput("maxRating applies only to RATING columns").WithField("maxRating")
	}
	if *in < 1 || *in > 10 {
		return 0, gqlbase.BadInput("maxRating must be between 1 and 10").WithField("maxRating")
	}
	return *in, nil
}

// checkDefault coerces a default value with the column's own rules.
func checkDefault(c *gqlbase.Column, v any) (any, error) {
	probe := *c
	probe.Nullable = true
	d, err := gqlbase.CoerceValue(&probe, v)
	if err != nil {
		e, _ := gqlbase.AsError(err)
		return nil, gqlbase.BadInput("default of column %q: %s", c.Name, e.Message).WithField("default")
	}
	return d, nil
}

func optionsFromInput(t gqlbase.ColumnType, in []*gqlbase.SelectOptionInput) ([]gqlbase.SelectOption, error) {
	if in == nil {
		return nil, nil
	}
	return selectOptions(t, in)
}
