-- Function triggers: run a function on row events of a table, or on a cron schedule, as
-- River jobs (kind function.run, queue functions; see 0017 for River's table).

-- One trigger per function: on a table's row events (events empty: all of created, updated,
-- deleted, restored) and/or on a cron expression (next_run_at: when it is next due).
CREATE TABLE function_triggers (
    function_id bigint PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    table_id    bigint REFERENCES tables_meta (id) ON DELETE CASCADE,
    events      text[] NOT NULL DEFAULT '{}',
    cron        text CHECK (cron IS NULL OR length(cron) <= 100),
    next_run_at timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (table_id IS NOT NULL OR cron IS NOT NULL),
    CHECK ((cron IS NULL) = (next_run_at IS NULL))
);
CREATE INDEX function_triggers_table ON function_triggers (table_id) WHERE table_id IS NOT NULL;
CREATE INDEX function_triggers_due ON function_triggers (next_run_at) WHERE next_run_at IS NOT NULL;

-- A row event enqueues one job per matching trigger in the writing transaction: a rolled-back
-- write runs nothing, a committed one is never forgotten (at least once).
--
-- depth counts the triggered runs that led to the event, so a function whose writes trigger
-- itself (or a ring of functions) ends: an event written by function N while a triggered run
-- of N is running gets that run's depth plus one (any other writer: 1), and the worker
-- refuses runs past its limit (resolvers.MaxTriggerDepth), recording why in the log.
CREATE FUNCTION function_triggers_enqueue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO public.river_job (kind, args, queue, max_attempts, priority, state, scheduled_at)
    SELECT 'function.run',
           jsonb_build_object('function_id', t.function_id, 'event_id', e.id, 'trigger', 'row',
               'depth', 1 + CASE WHEN e.actor LIKE 'function:%' THEN coalesce((
                   SELECT max((j.args->>'depth')::int) FROM public.river_job j
                   WHERE j.state = 'running' AND j.kind = 'function.run'
                     AND j.args->>'function_id' = substr(e.actor, 10)), 0) ELSE 0 END),
           'functions', 5, 2, 'available', now()
    FROM new_events e
    JOIN public.function_triggers t ON t.table_id = e.table_id
    WHERE e.kind IN ('row.created', 'row.updated', 'row.deleted', 'row.restored')
      AND (cardinality(t.events) = 0 OR e.kind = ANY (t.events));
    RETURN NULL;
END $$;

CREATE TRIGGER events_function_triggers AFTER INSERT ON events
REFERENCING NEW TABLE AS new_events
FOR EACH STATEMENT EXECUTE FUNCTION function_triggers_enqueue();
