-- Per-connection set-up of a loader session: a staging table for batched landing (COPY into it, then one set-based
-- insert), and no JIT: the staging table has no statistics, so the planner overestimates each batch's insert and
-- JIT-compiles it, ~0.3 s a batch for a statement that runs in a few milliseconds.
SET jit = off;
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
    original        bytea,
    body_text       text,
    body_text_version text
) ON COMMIT DELETE ROWS;
