package botpress

import (
	"context"
	"time"

	"github.com/gqlbase/gqlbase"
	"github.com/gqlbase/gqlbase/rest/restkit"
)

// Events: a scheduled event (schedule.dateTime or schedule.delay) is "scheduled" until it is
// due and "pending" from then on; the status is kept as the event was created or cancelled,
// and "scheduled" becomes "pending" when it is read after its time (a status computed from the
// clock, so every process agrees without a timer). Cancelling one that is still scheduled
// makes it "canceled".

func (a *api) bindChatEvents(d *restkit.Dialect) {
	d.Add(
		restkit.Route{Method: "POST", Path: "/events", Summary: "Create event", Op: restkit.Handle(a.createEvent),
			Description: "Creates an event, optionally scheduled: schedule.dateTime (ISO 8601) or schedule.delay (milliseconds). A scheduled event is scheduled until due, then pending."},
		restkit.Route{Method: "GET", Path: "/events/{id}", Summary: "Get event", Op: restkit.Handle(a.getEvent),
			Description: "Returns an event with its status."},
		restkit.Route{Method: "GET", Path: "/events", Summary: "List events", Op: restkit.Handle(a.listEvents),
			Description: "Lists events, newest first, 20 per page, by type, conversationId, userId, messageId and status."},
		restkit.Route{Method: "DELETE", Path: "/events/scheduled/{id}", Summary: "Cancel scheduled event", Op: restkit.Handle(a.cancelScheduledEvent),
			Description: "Cancels an event that is still scheduled: its status becomes canceled. An event that is not scheduled (or no longer) is InvalidPayload."},
	)
}

type eventOut struct {
	ID             string         `json:"id"`
	CreatedAt      string         `json:"createdAt"`
	Type           string         `json:"type"`
	Payload        map[string]any `json:"payload"`
	ConversationID *string        `json:"conversationId,omitempty"`
	UserID         *string        `json:"userId,omitempty"`
	MessageID      *string        `json:"messageId,omitempty"`
	Status         string         `json:"status" doc:"pending, processed, ignored, failed, scheduled or canceled"`
	FailureReason  *string        `json:"failureReason"`
}

// eventStatus is an event's status now.
func eventStatus(v map[string]any, now time.Time) string {
	status := str(v["status"])
	if status == "scheduled" {
		if at, err := time.Parse(time.RFC3339Nano, str(v["scheduledAt"])); err == nil && !at.After(now) {
			return "pending"
		}
	}
	return status
}

func eventOf(row *gqlbase.Row, now time.Time) eventOut {
	v := values(row)
	e := eventOut{ID: idString(row.ID), CreatedAt: formatTime(row.CreatedAt), Type: str(v["type"]), Payload: map[string]any{},
		ConversationID: refString(v["conversation"]), UserID: refString(v["user"]), MessageID: refString(v["message"]),
		Status: eventStatus(v, now)}
	if p, ok := v["payload"].(map[string]any); ok {
		e.Payload = p
	}
	if s := str(v["failureReason"]); s != "" {
		e.FailureReason = &s
	}
	return e
}

type eventEnvelope struct {
	Event eventOut `json:"event"`
}

type scheduleIn struct {
	DateTime *string `json:"dateTime,omitempty" doc:"when the event is due (ISO 8601)"`
	Delay    *int64  `json:"delay,omitempty" doc:"milliseconds from now until the event is due"`
}

type createEventIn struct {
	Type           string         `json:"type" required:"true"`
	Payload        map[string]any `json:"payload" required:"true"`
	Schedule       *scheduleIn    `json:"schedule,omitempty"`
	ConversationID *string        `json:"conversationId,omitempty"`
	UserID         *string        `json:"userId,omitempty"`
	MessageID      *string        `json:"messageId,omitempty"`
	WorkflowID     *string        `json:"workflowId,omitempty" doc:"accepted and ignored: gqlbase has no workflows"`
}

// maxScheduleAhead bounds how far ahead an event may be scheduled.
const maxScheduleAhead = 366 * 24 * time.Hour

func (a *api) createEvent(ctx context.Context, r *restkit.Request, in createEventIn) (eventEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatEvents, gqlbase.ScopeWrite)
	if err != nil {
		return eventEnvelope{}, err
	}
	v := map[string]any{"type": in.Type, "payload": in.Payload, "status": "pending"}
	for col, ref := range map[string]*string{"conversation": in.ConversationID, "user": in.UserID, "message": in.MessageID} {
		id, err := optionalID(col, ref)
		if err != nil {
			return eventEnvelope{}, gqlbase.BadInput("%sId %q is not an id of this server", col, *ref).WithField(col + "Id")
		}
		if id != nil {
			v[col] = id
		}
	}
	now := time.Now()
	if s := in.Schedule; s != nil {
		var at time.Time
		switch {
		case s.DateTime != nil && s.Delay != nil:
			return eventEnvelope{}, gqlbase.BadInput("schedule takes dateTime or delay, not both").WithField("schedule")
		case s.DateTime != nil:
			if at, err = time.Parse(time.RFC3339Nano, *s.DateTime); err != nil {
				return eventEnvelope{}, gqlbase.BadInput("schedule.dateTime must be an ISO 8601 date").WithField("schedule.dateTime")
			}
		case s.Delay != nil:
			if *s.Delay < 0 {
				return eventEnvelope{}, gqlbase.BadInput("schedule.delay must not be negative").WithField("schedule.delay")
			}
			at = now.Add(time.Duration(*s.Delay) * time.Millisecond)
		default:
			return eventEnvelope{}, gqlbase.BadInput("schedule needs dateTime or delay").WithField("schedule")
		}
		if at.Sub(now) > maxScheduleAhead {
			return eventEnvelope{}, gqlbase.BadInput("an event can be scheduled at most a year ahead").WithField("schedule")
		}
		v["scheduledAt"] = at.UTC().Format(time.RFC3339Nano)
		v["status"] = "scheduled"
	}
	rows, err := a.res.InsertRows(ctx, t, []map[string]any{v})
	if err != nil {
		return eventEnvelope{}, err
	}
	return eventEnvelope{eventOf(rows[0], now)}, nil
}

func (a *api) getEvent(ctx context.Context, r *restkit.Request, in idPath) (eventEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatEvents, gqlbase.ScopeRead)
	if err != nil {
		return eventEnvelope{}, err
	}
	row, err := a.getChatRow(ctx, t, "event", in.ID)
	if err != nil {
		return eventEnvelope{}, err
	}
	return eventEnvelope{eventOf(row, time.Now())}, nil
}

type listEventsIn struct {
	listQuery
	Type           *string `json:"-" query:"type" doc:"only events of this type"`
	ConversationID *string `json:"-" query:"conversationId" doc:"only events linked to this conversation"`
	UserID         *string `json:"-" query:"userId" doc:"only events linked to this user"`
	MessageID      *string `json:"-" query:"messageId" doc:"only events linked to this message"`
	Status         *string `json:"-" query:"status" enum:"pending,processed,ignored,failed,scheduled,canceled" doc:"only events with this status now (a due scheduled event is pending)"`
	WorkflowID     *string `json:"-" query:"workflowId" doc:"accepted; gqlbase has no workflows, so no event has one"`
}

type listEventsOut struct {
	Events []eventOut `json:"events"`
	Meta   listMeta   `json:"meta"`
}

func (a *api) listEvents(ctx context.Context, r *restkit.Request, in listEventsIn) (listEventsOut, error) {
	t, err := a.chatTableOf(ctx, chatEvents, gqlbase.ScopeRead)
	if err != nil {
		return listEventsOut{}, err
	}
	now := time.Now()
	where := and()
	if in.Type != nil && *in.Type != "" {
		where = and(where, eq("type", *in.Type))
	}
	for col, ref := range map[string]*string{"conversation": in.ConversationID, "user": in.UserID, "message": in.MessageID} {
		if ref == nil || *ref == "" {
			continue
		}
		id, err := chatID(col, *ref)
		if err != nil {
			return listEventsOut{Events: []eventOut{}}, nil
		}
		where = and(where, eq(col, id))
	}
	if in.Status != nil && *in.Status != "" {
		// scheduled and pending depend on the clock: a due scheduled event is pending.
		due := opFilter("scheduledAt", gqlbase.OpLte, now.UTC().Format(time.RFC3339Nano))
		switch *in.Status {
		case "scheduled":
			where = and(where, eq("status", "scheduled"), &gqlbase.Filter{Not: due})
		case "pending":
			where = and(where, &gqlbase.Filter{Or: []*gqlbase.Filter{eq("status", "pending"), and(eq("status", "scheduled"), due)}})
		default:
			where = and(where, eq("status", *in.Status))
		}
	}
	rows, meta, err := a.list(ctx, t, where, in.listQuery)
	if err != nil {
		return listEventsOut{}, err
	}
	out := listEventsOut{Events: make([]eventOut, len(rows)), Meta: meta}
	for i, row := range rows {
		out.Events[i] = eventOf(row, now)
	}
	return out, nil
}

func (a *api) cancelScheduledEvent(ctx context.Context, r *restkit.Request, in idPath) (eventEnvelope, error) {
	t, err := a.chatTableOf(ctx, chatEvents, gqlbase.ScopeWrite)
	if err != nil {
		return eventEnvelope{}, err
	}
	now := time.Now()
	var status string
	row, err := a.updateChatRow(ctx, t, "event", in.ID, func(old map[string]any) map[string]any {
		status = eventStatus(old, now)
		if status != "scheduled" {
			return nil
		}
		return map[string]any{"status": "canceled"}
	})
	if err != nil {
		return eventEnvelope{}, err
	}
	if status != "scheduled" {
		return eventEnvelope{}, gqlbase.BadInput("event %q is %s, not scheduled, so it cannot be cancelled", in.ID, status)
	}
	return eventEnvelope{eventOf(row, now)}, nil
}
