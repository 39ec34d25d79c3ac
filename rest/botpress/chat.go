package botpress

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gqlbase/gqlbase"
)

// The Chat API (/v1/chat) keeps a bot's users, conversations, participants, messages, events
// and states in tables of the bot's database (x-bot-id), created on first use. They are real
// tables, so history, subscriptions, the event stream and webhooks work on them as on any
// other; their names start with chatPrefix, which Botpress table names cannot (they are
// refused on creation and left out of /v1/tables listings).
//
// Ids are the rows' ids as decimal strings. Lists are newest first, 20 per page by default
// (pageSize up to 100), with an opaque nextToken; tag filters (tags.<key>=<value>) are JSON
// containment on the tags column.

const chatPrefix = "_chat_"

// chatTable names a chat table and its columns.
type chatTable struct {
	name    string
	columns []*gqlbase.ColumnInput
}

func col(name string, typ gqlbase.ColumnType, opts ...func(*gqlbase.ColumnInput)) *gqlbase.ColumnInput {
	yes := true
	c := &gqlbase.ColumnInput{Name: name, Type: typ, Nullable: &yes}
	for _, o := range opts {
		o(c)
	}
	return c
}

func unique(c *gqlbase.ColumnInput)  { no, yes := false, true; c.Unique, c.Nullable = &yes, &no }
func indexed(c *gqlbase.ColumnInput) { yes := true; c.Indexed = &yes }

var (
	chatUsers         = chatTable{chatPrefix + "users", []*gqlbase.ColumnInput{col("name", gqlbase.TypeText), col("pictureUrl", gqlbase.TypeText), col("tags", gqlbase.TypeJSON), col("attributes", gqlbase.TypeJSON), col("dedupe", gqlbase.TypeText, indexed)}}
	chatConversations = chatTable{chatPrefix + "conversations", []*gqlbase.ColumnInput{col("channel", gqlbase.TypeText), col("integration", gqlbase.TypeText), col("currentTaskId", gqlbase.TypeText), col("tags", gqlbase.TypeJSON), col("dedupe", gqlbase.TypeText, indexed)}}
	chatParticipants  = chatTable{chatPrefix + "participants", []*gqlbase.ColumnInput{col("conversation", gqlbase.TypeInteger, indexed), col("user", gqlbase.TypeInteger, indexed), col("pair", gqlbase.TypeText, unique)}}
	chatMessages      = chatTable{chatPrefix + "messages", []*gqlbase.ColumnInput{col("conversation", gqlbase.TypeInteger, indexed), col("user", gqlbase.TypeInteger), col("type", gqlbase.TypeText), col("payload", gqlbase.TypeJSON), col("direction", gqlbase.TypeText), col("origin", gqlbase.TypeText), col("tags", gqlbase.TypeJSON), col("dedupe", gqlbase.TypeText, indexed)}}
	chatEvents        = chatTable{chatPrefix + "events", []*gqlbase.ColumnInput{col("type", gqlbase.TypeText), col("payload", gqlbase.TypeJSON), col("conversation", gqlbase.TypeInteger), col("user", gqlbase.TypeInteger), col("message", gqlbase.TypeInteger), col("scheduledAt", gqlbase.TypeDateTime), col("status", gqlbase.TypeText), col("failureReason", gqlbase.TypeText)}}
	chatStates        = chatTable{chatPrefix + "states", []*gqlbase.ColumnInput{col("key", gqlbase.TypeText, unique), col("type", gqlbase.TypeText), col("target", gqlbase.TypeText), col("name", gqlbase.TypeText), col("payload", gqlbase.TypeJSON), col("expiry", gqlbase.TypeInteger), col("expiresAt", gqlbase.TypeDateTime)}}
)

// chatTables remembers the chat tables already found or made, per database and name, so a
// request pays the lookup once per process.
type chatTables struct {
	mu     sync.Mutex
	tables map[string]int64
}

// chatTableOf returns the bot's chat table, creating the bot's database and the table on
// first use (the caller needs the schema scope only then).
func (a *api) chatTableOf(ctx context.Context, ct chatTable, scope gqlbase.Scope) (*gqlbase.Table, error) {
	db, err := a.bot(ctx, gqlbase.ScopeRead, false)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		db, err = a.bot(ctx, gqlbase.ScopeSchema, true)
	}
	if err != nil {
		return nil, err
	}
	key := fmt.Sprintf("%d/%s", db.ID, ct.name)
	a.chat.mu.Lock()
	id, ok := a.chat.tables[key]
	a.chat.mu.Unlock()
	if ok {
		t, err := a.res.TableFor(ctx, id, scope)
		if gqlbase.ErrorCode(err) != gqlbase.CodeNotFound {
			return t, err
		}
	}
	t, err := a.res.TableByName(ctx, db.ID, ct.name, scope)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound {
		t, err = a.res.CreateTable(ctx, gqlbase.CreateTableInput{DatabaseID: db.ID, Name: ct.name, Columns: ct.columns})
		if err != nil {
			// Another request may have made it meanwhile (the name is then taken): use that.
			if made, err2 := a.res.TableByName(ctx, db.ID, ct.name, scope); err2 == nil {
				t, err = made, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	a.chat.mu.Lock()
	if a.chat.tables == nil {
		a.chat.tables = map[string]int64{}
	}
	a.chat.tables[key] = t.ID
	a.chat.mu.Unlock()
	return t, nil
}

// chatID parses an id of the Chat API; anything else names nothing.
func chatID(kind, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, gqlbase.NotFound("%s %q not found", kind, s)
	}
	return id, nil
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// optionalID is an optional reference: "" or absent is none.
func optionalID(kind string, s *string) (any, error) {
	if s == nil || *s == "" {
		return nil, nil
	}
	return chatID(kind, *s)
}

// getChatRow reads one row, as NOT_FOUND naming the kind when it is missing.
func (a *api) getChatRow(ctx context.Context, t *gqlbase.Table, kind, id string) (*gqlbase.Row, error) {
	n, err := chatID(kind, id)
	if err != nil {
		return nil, err
	}
	row, err := a.res.GetRow(ctx, t.ID, n)
	if gqlbase.ErrorCode(err) == gqlbase.CodeNotFound || (err == nil && row == nil) {
		return nil, gqlbase.NotFound("%s %q not found", kind, id)
	}
	return row, err
}

// values decodes a row's user columns.
func values(row *gqlbase.Row) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(row.Data, &m)
	return m
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func refString(v any) *string {
	switch n := v.(type) {
	case float64:
		s := strconv.FormatInt(int64(n), 10)
		return &s
	case json.Number:
		s := n.String()
		return &s
	}
	return nil
}

// tagsOf reads a tags column: an object of strings, {} when empty.
func tagsOf(v any) map[string]string {
	out := map[string]string{}
	if m, ok := v.(map[string]any); ok {
		for k, x := range m {
			if s, ok := x.(string); ok {
				out[k] = s
			}
		}
	}
	return out
}

// mergeTags applies a tags change: a key with an empty value is unset, others are set.
func mergeTags(old, change map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range old {
		out[k] = v
	}
	for k, v := range change {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// anyTags is a tags value as a JSON column takes it.
func anyTags(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// dedupeKey is the key get-or-create serialises on: the discriminating tags, in key order.
func dedupeKey(tags map[string]string, only []string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		if only == nil || containsString(only, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = url.QueryEscape(k) + "=" + url.QueryEscape(tags[k])
	}
	return strings.Join(parts, "&")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// discriminating returns the tags a get-or-create matches on: discriminateByTags when given,
// else every tag.
func discriminating(tags map[string]string, by []string) map[string]string {
	out := map[string]string{}
	for k, v := range tags {
		if v != "" && (by == nil || containsString(by, k)) {
			out[k] = v
		}
	}
	return out
}

// queryTags reads tags.<key>=<value> (and tags[key]=value) filters of a list.
func queryTags(q url.Values) map[string]string {
	want := map[string]string{}
	for k, vs := range q {
		if len(vs) == 0 {
			continue
		}
		if name, ok := strings.CutPrefix(k, "tags."); ok {
			want[name] = vs[len(vs)-1]
		} else if name, ok := strings.CutPrefix(k, "tags["); ok && strings.HasSuffix(name, "]") {
			want[strings.TrimSuffix(name, "]")] = vs[len(vs)-1]
		}
	}
	return want
}

func eq(column string, v any) *gqlbase.Filter {
	op := gqlbase.OpEq
	return &gqlbase.Filter{Column: &column, Op: &op, Value: v}
}

func opFilter(column string, op gqlbase.FilterOp, v any) *gqlbase.Filter {
	return &gqlbase.Filter{Column: &column, Op: &op, Value: v}
}

func tagsFilter(tags map[string]string) *gqlbase.Filter {
	if len(tags) == 0 {
		return nil
	}
	m := map[string]any{}
	for k, v := range tags {
		m[k] = v
	}
	return opFilter("tags", gqlbase.OpContains, m)
}

func and(fs ...*gqlbase.Filter) *gqlbase.Filter {
	var out []*gqlbase.Filter
	for _, f := range fs {
		if f != nil {
			out = append(out, f)
		}
	}
	return &gqlbase.Filter{And: out}
}

// listQuery is what every Chat list accepts for paging, order and dates.
type listQuery struct {
	NextToken     *string `json:"-" query:"nextToken" doc:"the meta.nextToken of the previous page"`
	PageSize      *int    `json:"-" query:"pageSize" doc:"rows per page, 1 to 100 (default 20)"`
	SortField     *string `json:"-" query:"sortField" doc:"createdAt (default) or updatedAt"`
	SortDirection *string `json:"-" query:"sortDirection" doc:"desc (default: newest first) or asc"`
	AfterDate     *string `json:"-" query:"afterDate" doc:"only items created after this ISO 8601 date"`
	BeforeDate    *string `json:"-" query:"beforeDate" doc:"only items created before this ISO 8601 date"`
}

type listMeta struct {
	NextToken *string `json:"nextToken,omitempty" doc:"pass as nextToken for the next page; absent on the last page"`
}

const (
	chatPageSize    = 20
	chatMaxPageSize = 100
)

// list runs a Chat list: where plus the query's dates, in the query's order, one page after
// the query's token. The token is the offset of the page, opaque to clients.
func (a *api) list(ctx context.Context, t *gqlbase.Table, where *gqlbase.Filter, q listQuery) ([]*gqlbase.Row, listMeta, error) {
	size, offset, err := q.page()
	if err != nil {
		return nil, listMeta{}, err
	}
	field, dir := gqlbase.ColCreatedAt, gqlbase.SortDesc
	if q.SortField != nil && *q.SortField != "" {
		switch *q.SortField {
		case "createdAt":
		case "updatedAt":
			field = gqlbase.ColUpdatedAt
		default:
			return nil, listMeta{}, gqlbase.BadInput("sortField must be createdAt or updatedAt").WithField("sortField")
		}
	}
	if q.SortDirection != nil && *q.SortDirection != "" {
		switch strings.ToLower(*q.SortDirection) {
		case "desc":
		case "asc":
			dir = gqlbase.SortAsc
		default:
			return nil, listMeta{}, gqlbase.BadInput("sortDirection must be asc or desc").WithField("sortDirection")
		}
	}
	filters := []*gqlbase.Filter{where}
	for _, d := range []struct {
		v  *string
		op gqlbase.FilterOp
		n  string
	}{{q.AfterDate, gqlbase.OpGt, "afterDate"}, {q.BeforeDate, gqlbase.OpLt, "beforeDate"}} {
		if d.v == nil || *d.v == "" {
			continue
		}
		tm, err := time.Parse(time.RFC3339Nano, *d.v)
		if err != nil {
			return nil, listMeta{}, gqlbase.BadInput("%s must be an ISO 8601 date", d.n).WithField(d.n)
		}
		filters = append(filters, opFilter(gqlbase.ColCreatedAt, d.op, tm.UTC().Format(time.RFC3339Nano)))
	}
	first := size + 1
	conn, err := a.res.ListRows(ctx, t, gqlbase.ListParams{Where: and(filters...), First: &first, Offset: &offset,
		OrderBy: []*gqlbase.Sort{{Column: field, Direction: dir}, {Column: gqlbase.ColID, Direction: dir}}})
	if err != nil {
		return nil, listMeta{}, err
	}
	rows := conn.Nodes
	var meta listMeta
	if len(rows) > size {
		rows = rows[:size]
		meta.NextToken = nextToken(offset + size)
	}
	return rows, meta, nil
}

// page reads the page size and the offset a token stands for.
func (q listQuery) page() (size, offset int, err error) {
	size = chatPageSize
	if q.PageSize != nil {
		if *q.PageSize < 1 || *q.PageSize > chatMaxPageSize {
			return 0, 0, gqlbase.BadInput("pageSize must be between 1 and %d", chatMaxPageSize).WithField("pageSize")
		}
		size = *q.PageSize
	}
	if q.NextToken != nil && *q.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(*q.NextToken)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
		if err != nil || err2 != nil || !strings.HasPrefix(string(b), "o:") || n < 0 {
			return 0, 0, gqlbase.BadInput("nextToken is not a token this server gave").WithField("nextToken")
		}
		offset = n
	}
	return size, offset, nil
}

func nextToken(offset int) *string {
	tok := base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset)))
	return &tok
}

// pageOf pages a list held in memory as list does a table's rows.
func pageOf[T any](all []T, q listQuery) ([]T, listMeta, error) {
	size, offset, err := q.page()
	if err != nil {
		return nil, listMeta{}, err
	}
	if offset > len(all) {
		offset = len(all)
	}
	page := all[offset:]
	var meta listMeta
	if len(page) > size {
		page = page[:size]
		meta.NextToken = nextToken(offset + size)
	}
	return page, meta, nil
}

// allRows reads up to limit rows matching where (for the links between chat entities).
func (a *api) allRows(ctx context.Context, t *gqlbase.Table, where *gqlbase.Filter, limit int) ([]*gqlbase.Row, error) {
	conn, err := a.res.ListRows(ctx, t, gqlbase.ListParams{Where: where, First: &limit})
	if err != nil {
		return nil, err
	}
	return conn.Nodes, nil
}
