package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/storage/plan"
)

// Reconciliation brings the metadata in line with the catalog after raw SQL ran DDL, inside
// the same transaction. Tables and columns are followed by identity (table OID, column
// number) between a snapshot taken before the statements and the catalog after them, so
// renames keep their metadata:
//
//   - a new table (or one the metadata never knew) gets the system columns it lacks (id as a
//     bigint identity key, created_at, updated_at, created_by, version) and metadata for every
//     column whose Postgres type maps to a column type; an existing integer id column becomes
//     the key (bigint, identity by default, so SQL may still insert explicit ids);
//   - a renamed table or column is renamed in the metadata; a dropped one leaves it;
//   - a column whose Postgres type changed gets the column type of its new type;
//   - columns Postgres computes (generated, identity, or NOT NULL with a non-constant default
//     such as nextval()) and columns of types without a column type (arrays, bytea, intervals,
//     ...) stay out of the metadata: SQL sees them, the APIs do not.
//
// Names the APIs cannot serve (reserved words, system column names with other types, ...)
// make the whole request fail with a message, leaving nothing changed.

type catalogColumn struct {
	TableOID  int64   `db:"oid"`
	Table     string  `db:"relname"`
	Num       *int    `db:"attnum"`
	Name      *string `db:"attname"`
	Type      *string `db:"typ"`
	NotNull   *bool   `db:"attnotnull"`
	Default   *string `db:"def"`
	Computed  *bool   `db:"computed"`
	Unique    *bool   `db:"uniq"`
	IsPrimary *bool   `db:"prim"`
}

type catalogTable struct {
	oid     int64
	name    string
	cols    map[int]*catalogColumn
	order   []int
	hasPKey bool
}

type catalogSnapshot struct {
	tables map[int64]*catalogTable
}

func snapshotCatalog(ctx context.Context, q queryer, schema string) (*catalogSnapshot, error) {
	var rows []catalogColumn
	err := q.SelectContext(ctx, &rows, `SELECT c.oid::bigint AS oid, c.relname, a.attnum, a.attname,
		format_type(a.atttypid, a.atttypmod) AS typ, a.attnotnull,
		pg_get_expr(d.adbin, d.adrelid) AS def,
		(a.attidentity <> '' OR a.attgenerated <> '') AS computed,
		EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indnkeyatts = 1
			AND i.indkey[0] = a.attnum AND i.indpred IS NULL AND i.indexprs IS NULL) AS uniq,
		EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS prim
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND c.relname !~ '^_link_[0-9]+$' -- link columns' junctions (links.go) are no tables
		ORDER BY c.oid, a.attnum`, schema)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	snap := &catalogSnapshot{tables: map[int64]*catalogTable{}}
	for i := range rows {
		r := &rows[i]
		t := snap.tables[r.TableOID]
		if t == nil {
			t = &catalogTable{oid: r.TableOID, name: r.Table, cols: map[int]*catalogColumn{}}
			snap.tables[r.TableOID] = t
		}
		if r.Num == nil {
			continue
		}
		t.cols[*r.Num] = r
		t.order = append(t.order, *r.Num)
		if r.IsPrimary != nil && *r.IsPrimary {
			t.hasPKey = true
		}
	}
	return snap, nil
}

func (t *catalogTable) column(name string) *catalogColumn {
	for _, n := range t.order {
		if c := t.cols[n]; *c.Name == name {
			return c
		}
	}
	return nil
}

type reconcileResult struct {
	changed []int64
	names   []string
}

func (r *reconcileResult) has(id int64) bool {
	for _, c := range r.changed {
		if c == id {
			return true
		}
	}
	return false
}

type tableChange struct {
	kind   gqlbase.EventKind
	before map[string]any
}

// reconcileSchema applies the catalog's changes since before to the metadata of db.
func reconcileSchema(ctx context.Context, tx *Tx, db *gqlbase.Database, before *catalogSnapshot, actor string) (*reconcileResult, error) {
	after, err := snapshotCatalog(ctx, tx, db.Schema)
	if err != nil {
		return nil, err
	}
	meta, err := loadTables(ctx, tx, `WHERE t.database_id = $1`, db.ID)
	if err != nil {
		return nil, err
	}
	byName := map[string]*gqlbase.Table{}
	for _, t := range meta {
		byName[t.Name] = t
	}
	// Link metadata tables to catalog tables through the names they had before.
	link := map[int64]*gqlbase.Table{}
	for oid, ct := range before.tables {
		if t := byName[ct.name]; t != nil {
			link[oid] = t
		}
	}
	res := &reconcileResult{}
	changes := map[int64]*tableChange{}
	note := func(t *gqlbase.Table, kind gqlbase.EventKind) {
		if _, ok := changes[t.ID]; !ok {
			changes[t.ID] = &tableChange{kind: kind, before: TableJSON(t)}
		}
	}
	// Dropped tables first: their metadata goes (LINK columns pointing at them with it).
	for oid, t := range link {
		if _, still := after.tables[oid]; still {
			continue
		}
		note(t, gqlbase.EventTableDeleted)
		if _, err := tx.ExecContext(ctx, `DELETE FROM tables_meta WHERE id = $1`, t.ID); err != nil {
			return nil, fmt.Errorf("forget dropped table %q: %w", t.Name, err)
		}
		res.names = append(res.names, t.Name)
		delete(link, oid)
	}
	if len(changes) > 0 {
		// Dropping cascades to LINK columns of other tables: read the metadata again.
		if meta, err = loadTables(ctx, tx, `WHERE t.database_id = $1`, db.ID); err != nil {
			return nil, err
		}
		byName = map[string]*gqlbase.Table{}
		for _, t := range meta {
			byName[t.Name] = t
		}
		for oid, t := range link {
			link[oid] = meta[t.ID]
		}
	}
	for _, oid := range sortedOIDs(after.tables) {
		ct := after.tables[oid]
		t := link[oid]
		if t == nil {
			if byName[ct.name] != nil && !linked(link, byName[ct.name]) {
				t = byName[ct.name] // known by name, not seen before (an earlier out-of-band change)
			}
		}
		if t == nil {
			id, err := adoptTable(ctx, tx, db, ct)
			if err != nil {
				return nil, err
			}
			changes[id] = &tableChange{kind: gqlbase.EventTableCreated}
			res.names = append(res.names, ct.name)
			continue
		}
		var bt *catalogTable
		if before.tables[oid] != nil {
			bt = before.tables[oid]
		}
		changed, err := reconcileTable(ctx, tx, t, bt, ct)
		if err != nil {
			return nil, err
		}
		if changed {
			note(t, gqlbase.EventTableUpdated)
			res.names = append(res.names, ct.name)
		}
	}
	for id, ch := range changes {
		res.changed = append(res.changed, id)
		ev := schemaEvent{workspaceID: db.WorkspaceID, databaseID: db.ID, tableID: id, kind: ch.kind, actor: actor, before: ch.before}
		if ch.kind != gqlbase.EventTableDeleted {
			m, err := loadTables(ctx, tx, `WHERE t.id = $1`, id)
			if err != nil {
				return nil, err
			}
			if t := m[id]; t != nil {
				ev.after = TableJSON(t)
			}
		}
		if err := writeSchemaEvent(ctx, tx, ev); err != nil {
			return nil, err
		}
	}
	// Tables raw SQL created get the triggers and checks of every table; those it changed
	// keep them (or get them back).
	if err := ensureWriteRules(ctx, tx, db.ID); err != nil {
		return nil, err
	}
	return res, nil
}

func linked(link map[int64]*gqlbase.Table, t *gqlbase.Table) bool {
	for _, l := range link {
		if l.ID == t.ID {
			return true
		}
	}
	return false
}

func sortedOIDs(m map[int64]*catalogTable) []int64 {
	out := make([]int64, 0, len(m))
	for oid := range m {
		out = append(out, oid)
	}
	sortByID(out, func(id int64) int64 { return id })
	return out
}

func isSystemName(name string) bool {
	for _, c := range gqlbase.SystemColumns {
		if c.Name == name {
			return true
		}
	}
	return false
}

// reconcileTable follows renames, drops, additions and type changes of one known table's
// columns (bt is its catalog state before the statements, nil when unknown).
func reconcileTable(ctx context.Context, tx *Tx, t *gqlbase.Table, bt, ct *catalogTable) (bool, error) {
	changed := false
	if ct.name != t.Name {
		if err := gqlbase.CheckTableName(ct.name); err != nil {
			return false, sqlNameError(err, ct.name)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tables_meta SET name = $2, label = CASE WHEN label = $3 THEN $2 ELSE label END,
			updated_at = now() WHERE id = $1`, t.ID, ct.name, t.Name); err != nil {
			return false, fmt.Errorf("rename table metadata: %w", err)
		}
		changed = true
	}
	// Link metadata columns to catalog columns through the names they had before.
	byNum := map[int]*gqlbase.Column{}
	for _, c := range t.Columns {
		var num int
		found := false
		if bt != nil {
			if bc := bt.column(c.Name); bc != nil {
				num, found = *bc.Num, true
			}
		} else if cc := ct.column(c.Name); cc != nil {
			num, found = *cc.Num, true
		}
		if found {
			byNum[num] = c
		}
	}
	position := len(t.Columns)
	for _, c := range t.Columns {
		num := -1
		for n, lc := range byNum {
			if lc == c {
				num = n
			}
		}
		cc := ct.cols[num]
		if num < 0 || cc == nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM columns_meta WHERE id = $1`, c.ID); err != nil {
				return false, fmt.Errorf("forget dropped column: %w", err)
			}
			changed = true
			continue
		}
		col := *c
		dirty := false
		if *cc.Name != c.Name {
			if err := gqlbase.CheckColumnName(*cc.Name); err != nil {
				return false, sqlNameError(err, ct.name+"."+*cc.Name)
			}
			if col.Label == col.Name {
				col.Label = *cc.Name
			}
			col.Name, dirty = *cc.Name, true
		}
		var bc *catalogColumn
		if bt != nil {
			bc = bt.cols[num]
		}
		if bc != nil && *bc.Type != *cc.Type {
			typ, ok := columnTypeOf(*cc.Type)
			if !ok || *cc.Computed {
				if _, err := tx.ExecContext(ctx, `DELETE FROM columns_meta WHERE id = $1`, c.ID); err != nil {
					return false, fmt.Errorf("forget column: %w", err)
				}
				changed = true
				continue
			}
			if typ != col.Type && typ.PGType() != col.Type.PGType() {
				col.Type, col.Options, col.LinkTableID, col.MaxRating, col.Default = typ, nil, nil, 0, nil
				dirty = true
			}
		}
		if nullable := !*cc.NotNull; nullable != col.Nullable {
			col.Nullable, dirty = nullable, true
		}
		if dirty {
			if err := writeColumnMeta(ctx, tx, &col); err != nil {
				return false, err
			}
			changed = true
		}
	}
	for _, num := range ct.order {
		if byNum[num] != nil {
			continue
		}
		cc := ct.cols[num]
		c, err := columnFromCatalog(ct.name, cc)
		if err != nil {
			return false, err
		}
		if c == nil {
			continue
		}
		c.Position = position
		position++
		if err := insertColumnMeta(ctx, tx, t.ID, c); err != nil {
			return false, err
		}
		changed = true
	}
	if changed {
		if _, err := tx.ExecContext(ctx, `WITH o AS (SELECT id, row_number() OVER (ORDER BY position, id) - 1 AS p
			FROM columns_meta WHERE table_id = $1) UPDATE columns_meta c SET position = o.p FROM o WHERE c.id = o.id AND c.position <> o.p`,
			t.ID); err != nil {
			return false, fmt.Errorf("renumber columns: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tables_meta SET updated_at = now() WHERE id = $1`, t.ID); err != nil {
			return false, fmt.Errorf("touch table: %w", err)
		}
	}
	return changed, nil
}

func sqlNameError(err error, what string) error {
	e, ok := gqlbase.AsError(err)
	if !ok {
		return err
	}
	return gqlbase.BadInput("%s (table or column %q created by SQL)", e.Message, what)
}

// columnFromCatalog is the metadata of a column SQL created, or nil when the column stays out
// of the metadata (system, computed or of an unmapped type).
func columnFromCatalog(table string, cc *catalogColumn) (*gqlbase.Column, error) {
	name := *cc.Name
	if isSystemName(name) {
		return nil, nil
	}
	typ, ok := columnTypeOf(*cc.Type)
	if !ok || *cc.Computed {
		return nil, nil
	}
	var def any
	if cc.Default != nil {
		lit, ok := defaultLiteral(*cc.Default)
		if !ok {
			if *cc.NotNull {
				return nil, nil // filled by Postgres (nextval(), now(), ...)
			}
		} else {
			probe := &gqlbase.Column{Name: name, Type: typ, Nullable: true}
			if v, err := gqlbase.CoerceValue(probe, lit); err == nil {
				def = v
			}
		}
	}
	if err := gqlbase.CheckColumnName(name); err != nil {
		return nil, sqlNameError(err, table+"."+name)
	}
	return &gqlbase.Column{Name: name, Label: name, Type: typ, Nullable: !*cc.NotNull, Unique: *cc.Unique, Default: def}, nil
}

var (
	typmodPattern    = regexp.MustCompile(`\(\d+(,\d+)?\)`)
	stringDefault    = regexp.MustCompile(`^'((?:[^']|'')*)'::[a-z ]+(\(\d+(,\d+)?\))?$`)
	numberDefault    = regexp.MustCompile(`^\(?(-?\d+(\.\d+)?)\)?(::[a-z ]+(\(\d+(,\d+)?\))?)?$`)
	booleanDefaultRE = regexp.MustCompile(`^(true|false)$`)
)

// columnTypeOf maps a Postgres type (format_type's text) to a column type.
func columnTypeOf(pgType string) (gqlbase.ColumnType, bool) {
	base := typmodPattern.ReplaceAllString(pgType, "")
	switch base {
	case "text", "character varying", "character", "name", "citext":
		return gqlbase.TypeText, true
	case "bigint", "integer", "smallint":
		return gqlbase.TypeInteger, true
	case "double precision", "real":
		return gqlbase.TypeNumber, true
	case "numeric":
		return gqlbase.TypeDecimal, true
	case "boolean":
		return gqlbase.TypeBoolean, true
	case "date":
		return gqlbase.TypeDate, true
	case "timestamp with time zone", "timestamp without time zone":
		return gqlbase.TypeDateTime, true
	case "jsonb", "json":
		return gqlbase.TypeJSON, true
	case "uuid":
		return gqlbase.TypeUUID, true
	}
	return "", false
}

// defaultLiteral reads a constant column default ('x'::text, 42, 1.5, true).
func defaultLiteral(expr string) (any, bool) {
	if m := stringDefault.FindStringSubmatch(expr); m != nil {
		return strings.ReplaceAll(m[1], "''", "'"), true
	}
	if m := numberDefault.FindStringSubmatch(expr); m != nil {
		return json.Number(m[1]), true
	}
	if booleanDefaultRE.MatchString(expr) {
		return expr == "true", true
	}
	return nil, false
}

// adoptTable gives a table SQL created the system columns and its metadata, and returns its
// new id.
func adoptTable(ctx context.Context, tx *Tx, db *gqlbase.Database, ct *catalogTable) (int64, error) {
	if err := gqlbase.CheckTableName(ct.name); err != nil {
		return 0, sqlNameError(err, ct.name)
	}
	table := plan.Qualified(db.Schema, ct.name)
	fail := func(format string, args ...any) (int64, error) {
		return 0, gqlbase.BadInput("table %q: %s", ct.name, fmt.Sprintf(format, args...))
	}
	var stmts []string
	if idc := ct.column(gqlbase.ColID); idc != nil {
		switch typmodPattern.ReplaceAllString(*idc.Type, "") {
		case "bigint", "integer", "smallint":
		default:
			return fail("gqlbase tables use id as their bigint key, and this id column has type %s; rename it", *idc.Type)
		}
		if *idc.Type != "bigint" {
			stmts = append(stmts, `ALTER TABLE `+table+` ALTER COLUMN id TYPE bigint`)
		}
		if idc.Default != nil && !*idc.Computed {
			stmts = append(stmts, `ALTER TABLE `+table+` ALTER COLUMN id DROP DEFAULT`)
		}
		stmts = append(stmts, `ALTER TABLE `+table+` ALTER COLUMN id SET NOT NULL`)
		if !*idc.Computed {
			stmts = append(stmts, `ALTER TABLE `+table+` ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY`)
		}
		if !*idc.Unique {
			if ct.hasPKey {
				stmts = append(stmts, `ALTER TABLE `+table+` ADD UNIQUE (id)`)
			} else {
				stmts = append(stmts, `ALTER TABLE `+table+` ADD PRIMARY KEY (id)`)
			}
		}
		stmts = append(stmts, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence(%s, 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1, false)`,
			plan.QuoteLiteral(table), table))
	} else {
		key := "PRIMARY KEY"
		if ct.hasPKey {
			key = "UNIQUE"
		}
		stmts = append(stmts, `ALTER TABLE `+table+` ADD COLUMN id bigint GENERATED BY DEFAULT AS IDENTITY `+key)
	}
	for _, sc := range []struct{ name, typ, ddl string }{
		{gqlbase.ColCreatedAt, "timestamp with time zone", "timestamptz NOT NULL DEFAULT now()"},
		{gqlbase.ColUpdatedAt, "timestamp with time zone", "timestamptz NOT NULL DEFAULT now()"},
		{gqlbase.ColCreatedBy, "text", "text"},
		{gqlbase.ColVersion, "integer", "integer NOT NULL DEFAULT 1"},
	} {
		c := ct.column(sc.name)
		if c == nil {
			stmts = append(stmts, `ALTER TABLE `+table+` ADD COLUMN `+plan.QuoteIdent(sc.name)+` `+sc.ddl)
			continue
		}
		if *c.Type != sc.typ {
			return fail("gqlbase keeps %s as a %s column on every table, and this table has one of type %s; rename it", sc.name, sc.typ, *c.Type)
		}
	}
	// The system columns are added as the database's role: adding an identity column rewrites
	// the table, which evaluates the table's own checks and index expressions again.
	var role string
	if err := tx.GetContext(ctx, &role, selectDatabaseRole, db.ID); err != nil {
		return 0, fmt.Errorf("role of database %d: %w", db.ID, err)
	}
	if len(stmts) > 0 {
		stmts = append([]string{`SET LOCAL ROLE ` + plan.QuoteIdent(role)}, append(stmts, `RESET ROLE`)...)
	}
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			if pqe := asPQ(err); pqe != nil && strings.HasPrefix(string(pqe.Code), "23") {
				return fail("its id column cannot become the key: %s", pqe.Message)
			}
			return 0, fmt.Errorf("add system columns to %s: %w", ct.name, err)
		}
	}
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO tables_meta (database_id, name, label) VALUES ($1, $2, $2) RETURNING id`, db.ID, ct.name)
	if pgCode(err) == sqlstateUniqueViolation {
		return fail("a table of that name is already known")
	}
	if err != nil {
		return 0, fmt.Errorf("insert table metadata: %w", err)
	}
	pos := 0
	for _, num := range ct.order {
		c, err := columnFromCatalog(ct.name, ct.cols[num])
		if err != nil {
			return 0, err
		}
		if c == nil {
			continue
		}
		c.Position = pos
		pos++
		if err := insertColumnMeta(ctx, tx, id, c); err != nil {
			return 0, err
		}
	}
	return id, nil
}
