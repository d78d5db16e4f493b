-- Per-connection staging table for batched landing: COPY into it, then one set-based insert.
CREATE TEMP TABLE IF NOT EXISTS stage_raw_documents (
    source_id       text NOT NULL,
    external_id     text NOT NULL,
    content_sha256  text NOT NULL,
    url             text NOT NULL,
    fetched_at      timestamptz NOT NULL,
    http_status     integer NOT NULL,
    content_type    text,
    body            text NOT NULL,
    published_at    timestamptz,
    meta            jsonb NOT NULL,
    original        bytea
) ON COMMIT DELETE ROWS;
