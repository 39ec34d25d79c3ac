package gqlbase

// Inputs of the operations on databases, tables and columns, shared by the GraphQL API and the REST dialects.

type CreateDatabaseInput struct {
	Name        string `json:"name"`
	WorkspaceID *int64 `json:"workspaceId,omitempty"`
}

type CreateTableInput struct {
	DatabaseID  int64          `json:"databaseId"`
	Name        string         `json:"name"`
	Label       *string        `json:"label,omitempty"`
	Description *string        `json:"description,omitempty"`
	Tags        []string       `json:"tags,omitempty"`
	Columns     []*ColumnInput `json:"columns,omitempty"`
}

type UpdateTableInput struct {
	Name        *string  `json:"name,omitempty"`
	Label       *string  `json:"label,omitempty"`
	Description *string  `json:"description,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Frozen      *bool    `json:"frozen,omitempty"`
}

type ColumnInput struct {
	// Identifier: letters, digits and underscores, starting with a letter or underscore, at most 63 bytes.
	Name        string     `json:"name"`
	Label       *string    `json:"label,omitempty"`
	Type        ColumnType `json:"type"`
	Nullable    *bool      `json:"nullable,omitempty"`
	Unique      *bool      `json:"unique,omitempty"`
	Indexed     *bool      `json:"indexed,omitempty"`
	Description *string    `json:"description,omitempty"`
	Default     any        `json:"default,omitempty"`
	// Choices of SELECT and MULTI_SELECT columns.
	Options []*SelectOptionInput `json:"options,omitempty"`
	// Target table of a LINK column (same database). Omitted: the table itself.
	LinkTable *int64 `json:"linkTable,omitempty"`
	// Top of a RATING column's scale, 1 to 10 (default 5).
	MaxRating *int `json:"maxRating,omitempty"`
}

type SelectOptionInput struct {
	Value string  `json:"value"`
	Color *string `json:"color,omitempty"`
}

type UpdateColumnInput struct {
	Label       *string `json:"label,omitempty"`
	Description *string `json:"description,omitempty"`
	Nullable    *bool   `json:"nullable,omitempty"`
	Unique      *bool   `json:"unique,omitempty"`
	Indexed     *bool   `json:"indexed,omitempty"`
	Position    *int    `json:"position,omitempty"`
	// Sets the default; null removes it (see clearDefault).
	Default      any                  `json:"default,omitempty"`
	ClearDefault *bool                `json:"clearDefault,omitempty"`
	Options      []*SelectOptionInput `json:"options,omitempty"`
	MaxRating    *int                 `json:"maxRating,omitempty"`
}

type ChangeColumnTypeInput struct {
	Type ColumnType `json:"type"`
	// For SELECT and MULTI_SELECT; omitted: the distinct existing values become the options.
	Options   []*SelectOptionInput `json:"options,omitempty"`
	LinkTable *int64               `json:"linkTable,omitempty"`
	MaxRating *int                 `json:"maxRating,omitempty"`
}
