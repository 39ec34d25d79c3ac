-- A token's description and a database's schema lock were kept by one REST dialect (token
-- descriptions in a table of their own, the lock as an Airsequel database setting). They are
-- properties of the token and of the database, which every API reads and the core enforces.

ALTER TABLE api_tokens ADD COLUMN description text NOT NULL DEFAULT ''
    CHECK (length(description) <= 5000);
UPDATE api_tokens t SET description = d.description FROM token_descriptions d WHERE d.token_id = t.id;
DROP TABLE token_descriptions;

ALTER TABLE databases ADD COLUMN schema_locked boolean NOT NULL DEFAULT false;
UPDATE databases d SET schema_locked = true FROM database_settings s
    WHERE s.database_id = d.id AND s.dialect = 'airsequel' AND s.settings->'schemaLocked' = 'true'::jsonb;
UPDATE database_settings SET settings = settings - 'schemaLocked'
    WHERE dialect = 'airsequel' AND settings ? 'schemaLocked';
