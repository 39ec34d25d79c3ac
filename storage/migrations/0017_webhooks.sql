-- Webhooks and their delivery log. Deliveries are River jobs (kind 'webhook.deliver', queue
-- 'webhooks'), enqueued by a statement trigger on the event outbox: a write's events and the
-- jobs that deliver them commit or roll back together, whichever writer made them (the API,
-- typed mutations, raw SQL).

CREATE TABLE webhooks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id  bigint NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    database_id   bigint REFERENCES databases (id) ON DELETE CASCADE,
    table_id      bigint REFERENCES tables_meta (id) ON DELETE CASCADE,
    url           text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    method        text NOT NULL DEFAULT 'POST' CHECK (method IN ('POST', 'PUT', 'PATCH')),
    headers       jsonb NOT NULL DEFAULT '{}',
    -- Event kinds ('row.created', ...); empty: every kind.
    events        text[] NOT NULL DEFAULT '{}',
    format        text NOT NULL DEFAULT 'platform',
    -- The Standard Webhooks secret ("whsec_" + base64 key); it signs, so it is kept as it is.
    secret        text NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    -- Consecutive failed attempts; the webhook is deactivated when it reaches max_failures.
    failure_count integer NOT NULL DEFAULT 0,
    max_failures  integer NOT NULL DEFAULT 8 CHECK (max_failures BETWEEN 1 AND 1000),
    max_attempts  smallint NOT NULL DEFAULT 10 CHECK (max_attempts BETWEEN 1 AND 25),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_active_workspace ON webhooks (workspace_id) WHERE active;

CREATE TABLE webhook_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id       bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         bigint,
    job_id           bigint,
    message_id       text NOT NULL,
    attempt          integer NOT NULL,
    request_headers  jsonb NOT NULL DEFAULT '{}',
    request_body     text NOT NULL DEFAULT '',
    status           integer,
    response_headers jsonb NOT NULL DEFAULT '{}',
    response_body    text NOT NULL DEFAULT '',
    duration_ms      integer NOT NULL DEFAULT 0,
    error            text NOT NULL DEFAULT '',
    succeeded        boolean NOT NULL DEFAULT false,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id DESC);
CREATE INDEX webhook_deliveries_created_at ON webhook_deliveries (created_at);

-- Runs as gqlbase: the tenant role a write runs as may read neither webhooks nor river_job.
CREATE FUNCTION webhooks_enqueue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO public.river_job (kind, args, queue, max_attempts, priority, state, scheduled_at)
    SELECT 'webhook.deliver',
           jsonb_build_object('webhook_id', w.id, 'event_id', e.id),
           'webhooks', w.max_attempts, 1, 'available', now()
    FROM new_events e
    JOIN public.webhooks w ON w.workspace_id = e.workspace_id AND w.active
        AND (w.database_id IS NULL OR w.database_id = e.database_id)
        AND (w.table_id IS NULL OR w.table_id = e.table_id)
        AND (cardinality(w.events) = 0 OR e.kind = ANY (w.events));
    RETURN NULL;
END $$;

CREATE TRIGGER events_webhooks AFTER INSERT ON events
REFERENCING NEW TABLE AS new_events
FOR EACH STATEMENT EXECUTE FUNCTION webhooks_enqueue();
