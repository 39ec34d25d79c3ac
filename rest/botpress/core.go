package botpress

import (
	"context"
	"encoding/json"

	"github.com/gqlbase/gqlbase"
)

// Core is what the Botpress routes need from gqlbase: the use cases they map onto.
// *resolvers.Resolver implements it; the dialect depends on nothing else of the core.
type Core interface {
	AddColumn(ctx context.Context, table int64, input gqlbase.ColumnInput) (*gqlbase.Column, error)
	AggregateRows(ctx context.Context, table int64, where *gqlbase.Filter, search *string, groupBy []string, aggregates []*gqlbase.AggregateInput) ([]*gqlbase.AggregateGroup, error)
	ChangeColumnType(ctx context.Context, id int64, input gqlbase.ChangeColumnTypeInput) (*gqlbase.Column, error)
	CreateTable(ctx context.Context, input gqlbase.CreateTableInput) (*gqlbase.Table, error)
	DatabaseByNameOrCreate(ctx context.Context, workspaceID int64, name string, scope gqlbase.Scope, create bool) (*gqlbase.Database, bool, error)
	DeleteColumn(ctx context.Context, id int64) (bool, error)
	DeleteRows(ctx context.Context, table int64, ids []int64, where *gqlbase.Filter) (*gqlbase.DeleteRowsResult, error)
	DeleteTable(ctx context.Context, id int64, force *bool) (bool, error)
	DuplicateTable(ctx context.Context, id int64, name string, withRows *bool) (*gqlbase.Table, error)
	GetRow(ctx context.Context, table int64, id int64) (*gqlbase.Row, error)
	InsertRows(ctx context.Context, t *gqlbase.Table, rows []map[string]any) ([]*gqlbase.Row, error)
	ListRows(ctx context.Context, t *gqlbase.Table, p gqlbase.ListParams) (*gqlbase.RowConnection, error)
	MergeTableSettings(ctx context.Context, tableID int64, dialect string, patch map[string]any) (map[string]any, error)
	RenameColumn(ctx context.Context, id int64, name string) (*gqlbase.Column, error)
	RowCount(ctx context.Context, t *gqlbase.Table) (int64, error)
	FunctionByNameFor(ctx context.Context, databaseID int64, name string, scope gqlbase.Scope) (*gqlbase.Function, error)
	RunLoadedFunction(ctx context.Context, f *gqlbase.Function, input json.RawMessage, trigger string) (*gqlbase.FunctionRun, error)
	TableByName(ctx context.Context, databaseID int64, name string, scope gqlbase.Scope) (*gqlbase.Table, error)
	TableFor(ctx context.Context, id int64, scope gqlbase.Scope) (*gqlbase.Table, error)
	TableSettings(ctx context.Context, tables []*gqlbase.Table, dialect string) (map[int64]map[string]any, error)
	Tables(ctx context.Context, databaseID int64) ([]*gqlbase.Table, error)
	UpdateColumn(ctx context.Context, id int64, input gqlbase.UpdateColumnInput) (*gqlbase.Column, error)
	UpdateRowsByID(ctx context.Context, t *gqlbase.Table, patches []gqlbase.RowPatch) ([]*gqlbase.Row, error)
	UpdateTable(ctx context.Context, id int64, input gqlbase.UpdateTableInput) (*gqlbase.Table, error)
	UpsertRows(ctx context.Context, table int64, rows []any, keyColumn string) (*gqlbase.UpsertResult, error)
	WorkspaceRef(ctx context.Context, ref string) (int64, error)
}
