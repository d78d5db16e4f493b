-- 001: operations bookkeeping (sources, crawl runs, cursors, loads, quarantine, checks) and the raw landing zone.

CREATE SCHEMA IF NOT EXISTS raw;
COMMENT ON SCHEMA raw IS 'Documents exactly as fetched: one row per distinct content version. Never updated, never deleted by the pipeline.';
COMMENT ON SCHEMA ops IS 'How the pipeline ran: sources, crawl runs, cursors, loads, quarantine, data-quality results.';

CREATE TABLE ops.sources (
    source_id   text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('telegram', 'feed', 'sitemap', 'listing')),
    config      jsonb NOT NULL,
    enabled     boolean NOT NULL DEFAULT true,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.sources IS 'The source registry (sources.toml) as last synced by a DAG run.';
COMMENT ON COLUMN ops.sources.source_id IS 'Registry id of the source; also the suffix of its ingest__<id> DAG.';
COMMENT ON COLUMN ops.sources.kind IS 'Spider kind: telegram, feed, sitemap or listing.';
COMMENT ON COLUMN ops.sources.config IS 'The registry entry, with defaults applied.';
COMMENT ON COLUMN ops.sources.enabled IS 'Disabled sources keep their history but get no DAG.';
COMMENT ON COLUMN ops.sources.updated_at IS 'When the registry entry was last synced.';

CREATE TABLE ops.crawl_runs (
    crawl_run_id        bigserial PRIMARY KEY,
    source_id           text NOT NULL REFERENCES ops.sources (source_id),
    dag_id              text,
    dag_run_id          text,
    task_try            integer,
    status              text NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'success', 'partial', 'failed', 'abandoned')),
    started_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    duration_s          double precision,
    requests            integer NOT NULL DEFAULT 0,
    responses_by_status jsonb NOT NULL DEFAULT '{}'::jsonb,
    items               integer NOT NULL DEFAULT 0,
    new_rows            integer NOT NULL DEFAULT 0,
    quarantined         integer NOT NULL DEFAULT 0,
    bytes               bigint NOT NULL DEFAULT 0,
    errors              integer NOT NULL DEFAULT 0,
    error_reasons       jsonb NOT NULL DEFAULT '{}'::jsonb,
    cursor_before       jsonb,
    cursor_after        jsonb,
    finish_reason       text
);
COMMENT ON TABLE ops.crawl_runs IS 'One row per spider run: what it asked, got, landed and where it stopped.';
COMMENT ON COLUMN ops.crawl_runs.crawl_run_id IS 'Surrogate id; raw.documents.crawl_run_id points here.';
COMMENT ON COLUMN ops.crawl_runs.source_id IS 'Source crawled.';
COMMENT ON COLUMN ops.crawl_runs.dag_id IS 'Airflow DAG id that started the crawl (null when run by hand).';
COMMENT ON COLUMN ops.crawl_runs.dag_run_id IS 'Airflow DAG run id that started the crawl: the trace from data back to the run.';
COMMENT ON COLUMN ops.crawl_runs.task_try IS 'Airflow task try number.';
COMMENT ON COLUMN ops.crawl_runs.status IS 'running; success (walk complete, cursor advanced); partial (rows landed but gaps left, cursor kept); failed; abandoned (process died, found by a later run).';
COMMENT ON COLUMN ops.crawl_runs.started_at IS 'When the run row was created.';
COMMENT ON COLUMN ops.crawl_runs.finished_at IS 'When the spider closed.';
COMMENT ON COLUMN ops.crawl_runs.duration_s IS 'Wall-clock seconds of the crawl.';
COMMENT ON COLUMN ops.crawl_runs.requests IS 'HTTP requests sent (robots.txt and retries included).';
COMMENT ON COLUMN ops.crawl_runs.responses_by_status IS 'Responses counted by HTTP status, e.g. {"200": 12, "429": 1}.';
COMMENT ON COLUMN ops.crawl_runs.items IS 'Documents the spider produced (before de-duplication).';
COMMENT ON COLUMN ops.crawl_runs.new_rows IS 'Rows this run added to raw.documents.';
COMMENT ON COLUMN ops.crawl_runs.quarantined IS 'Rows this run added to ops.quarantine.';
COMMENT ON COLUMN ops.crawl_runs.bytes IS 'Response bytes received.';
COMMENT ON COLUMN ops.crawl_runs.errors IS 'Errors logged (failed requests, parse errors, pipeline errors).';
COMMENT ON COLUMN ops.crawl_runs.error_reasons IS 'Errors counted by reason.';
COMMENT ON COLUMN ops.crawl_runs.cursor_before IS 'Source cursor when the run started.';
COMMENT ON COLUMN ops.crawl_runs.cursor_after IS 'Source cursor after the run (unchanged unless the walk completed).';
COMMENT ON COLUMN ops.crawl_runs.finish_reason IS 'Why the spider stopped (reached cursor, backfill limit, end of channel, error...).';
CREATE INDEX crawl_runs_source_started ON ops.crawl_runs (source_id, started_at DESC);

CREATE TABLE ops.source_state (
    source_id           text PRIMARY KEY REFERENCES ops.sources (source_id),
    cursor              jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    last_crawl_run_id   bigint REFERENCES ops.crawl_runs (crawl_run_id)
);
COMMENT ON TABLE ops.source_state IS 'Incremental cursor per source; advanced only after the rows it covers are committed.';
COMMENT ON COLUMN ops.source_state.source_id IS 'Source the cursor belongs to.';
COMMENT ON COLUMN ops.source_state.cursor IS 'Cursor, e.g. {"last_msg_id": 75103} for Telegram.';
COMMENT ON COLUMN ops.source_state.updated_at IS 'When the cursor last moved.';
COMMENT ON COLUMN ops.source_state.last_crawl_run_id IS 'Crawl run that moved it.';

CREATE TABLE ops.http_cache (
    source_id       text NOT NULL REFERENCES ops.sources (source_id),
    url             text NOT NULL,
    etag            text,
    last_modified   text,
    content_sha256  text,
    http_status     integer,
    fetched_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, url)
);
COMMENT ON TABLE ops.http_cache IS 'Validators of the last fetch of each feed, sitemap and article URL, for conditional GET and revisit windows.';
COMMENT ON COLUMN ops.http_cache.source_id IS 'Source that fetched the URL.';
COMMENT ON COLUMN ops.http_cache.url IS 'Canonical URL fetched.';
COMMENT ON COLUMN ops.http_cache.etag IS 'ETag of the last 200 response.';
COMMENT ON COLUMN ops.http_cache.last_modified IS 'Last-Modified of the last 200 response.';
COMMENT ON COLUMN ops.http_cache.content_sha256 IS 'SHA-256 of the last body received.';
COMMENT ON COLUMN ops.http_cache.http_status IS 'Status of the last response (200 or 304).';
COMMENT ON COLUMN ops.http_cache.fetched_at IS 'When the URL was last fetched.';

CREATE TABLE raw.documents (
    raw_document_id bigserial PRIMARY KEY,
    source_id       text NOT NULL REFERENCES ops.sources (source_id),
    external_id     text NOT NULL,
    content_sha256  text NOT NULL,
    url             text NOT NULL,
    fetched_at      timestamptz NOT NULL,
    http_status     integer NOT NULL,
    content_type    text,
    body            text NOT NULL,
    published_at    timestamptz,
    meta            jsonb NOT NULL DEFAULT '{}'::jsonb,
    crawl_run_id    bigint REFERENCES ops.crawl_runs (crawl_run_id),
    landed_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, external_id, content_sha256)
);
COMMENT ON TABLE raw.documents IS 'Landed documents: one row per distinct content version of a document (a Telegram post, an article page).';
COMMENT ON COLUMN raw.documents.raw_document_id IS 'Surrogate id; core tables trace back to it.';
COMMENT ON COLUMN raw.documents.source_id IS 'Source the document was fetched from.';
COMMENT ON COLUMN raw.documents.external_id IS 'Stable id within the source: the Telegram post id, or the canonical URL of an article.';
COMMENT ON COLUMN raw.documents.content_sha256 IS 'SHA-256 of the stable content (message text and media; article body bytes): a new value is a new version (an edit).';
COMMENT ON COLUMN raw.documents.url IS 'URL the document was read from.';
COMMENT ON COLUMN raw.documents.fetched_at IS 'When the response was received (UTC).';
COMMENT ON COLUMN raw.documents.http_status IS 'HTTP status of the response.';
COMMENT ON COLUMN raw.documents.content_type IS 'Content-Type of the response.';
COMMENT ON COLUMN raw.documents.body IS 'HTML as fetched (the message widget of a Telegram post, the whole article page), decoded to text.';
COMMENT ON COLUMN raw.documents.published_at IS 'Publication time stated by the source (UTC), when known at crawl time.';
COMMENT ON COLUMN raw.documents.meta IS 'Fetch metadata: views, forwarded_from, edited, media, repairs made (e.g. NUL bytes stripped), HTTP validators.';
COMMENT ON COLUMN raw.documents.crawl_run_id IS 'Crawl run that landed this version.';
COMMENT ON COLUMN raw.documents.landed_at IS 'When the row was committed.';
CREATE INDEX documents_source_external ON raw.documents (source_id, external_id);
CREATE INDEX documents_crawl_run ON raw.documents (crawl_run_id);

CREATE TABLE ops.quarantine (
    quarantine_id   bigserial PRIMARY KEY,
    source_id       text NOT NULL REFERENCES ops.sources (source_id),
    crawl_run_id    bigint REFERENCES ops.crawl_runs (crawl_run_id),
    url             text NOT NULL,
    external_id     text,
    http_status     integer,
    reason          text NOT NULL,
    content         bytea,
    content_sha256  text,
    received_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.quarantine IS 'Content that was received but could not be landed as-is, with the reason; kept whole so nothing is lost.';
COMMENT ON COLUMN ops.quarantine.quarantine_id IS 'Surrogate id.';
COMMENT ON COLUMN ops.quarantine.source_id IS 'Source the content came from.';
COMMENT ON COLUMN ops.quarantine.crawl_run_id IS 'Crawl run that received it.';
COMMENT ON COLUMN ops.quarantine.url IS 'URL of the response.';
COMMENT ON COLUMN ops.quarantine.external_id IS 'Document id when one could be read (post id, canonical URL).';
COMMENT ON COLUMN ops.quarantine.http_status IS 'HTTP status of the response.';
COMMENT ON COLUMN ops.quarantine.reason IS 'Why it was quarantined, in words (e.g. "invalid UTF-8 at byte 1234", "response larger than 5 MB cap").';
COMMENT ON COLUMN ops.quarantine.content IS 'The bytes received (cut at the size cap).';
COMMENT ON COLUMN ops.quarantine.content_sha256 IS 'SHA-256 of content; with reason and url it makes re-runs idempotent.';
COMMENT ON COLUMN ops.quarantine.received_at IS 'When it was received.';
CREATE UNIQUE INDEX quarantine_dedup ON ops.quarantine (source_id, url, reason, coalesce(content_sha256, ''));

CREATE TABLE ops.loads (
    load_id         bigserial PRIMARY KEY,
    crawl_run_id    bigint REFERENCES ops.crawl_runs (crawl_run_id),
    target_table    text NOT NULL,
    rows_in         integer NOT NULL,
    rows_new        integer NOT NULL,
    duration_s      double precision NOT NULL,
    loaded_at       timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.loads IS 'One row per committed batch load (COPY into staging, one set-based upsert).';
COMMENT ON COLUMN ops.loads.load_id IS 'Surrogate id.';
COMMENT ON COLUMN ops.loads.crawl_run_id IS 'Crawl run the batch belongs to (null for transforms).';
COMMENT ON COLUMN ops.loads.target_table IS 'Table loaded, schema-qualified.';
COMMENT ON COLUMN ops.loads.rows_in IS 'Rows offered by the batch.';
COMMENT ON COLUMN ops.loads.rows_new IS 'Rows actually inserted (the rest were already there).';
COMMENT ON COLUMN ops.loads.duration_s IS 'Seconds from COPY to commit.';
COMMENT ON COLUMN ops.loads.loaded_at IS 'Commit time.';

CREATE TABLE ops.dq_results (
    dq_result_id    bigserial PRIMARY KEY,
    source_id       text REFERENCES ops.sources (source_id),
    dag_run_id      text,
    crawl_run_id    bigint REFERENCES ops.crawl_runs (crawl_run_id),
    check_name      text NOT NULL,
    severity        text NOT NULL CHECK (severity IN ('error', 'warn')),
    passed          boolean NOT NULL,
    observed        jsonb,
    expected        jsonb,
    checked_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ops.dq_results IS 'Data-quality check results; a failed check also fails its DAG task.';
COMMENT ON COLUMN ops.dq_results.dq_result_id IS 'Surrogate id.';
COMMENT ON COLUMN ops.dq_results.source_id IS 'Source checked.';
COMMENT ON COLUMN ops.dq_results.dag_run_id IS 'Airflow run that ran the check.';
COMMENT ON COLUMN ops.dq_results.crawl_run_id IS 'Crawl run the check is about.';
COMMENT ON COLUMN ops.dq_results.check_name IS 'Name of the check, e.g. landed_rows_match_crawl_stats.';
COMMENT ON COLUMN ops.dq_results.severity IS 'error: a failure fails the DAG task; warn: recorded and logged only.';
COMMENT ON COLUMN ops.dq_results.passed IS 'Whether the check passed.';
COMMENT ON COLUMN ops.dq_results.observed IS 'What was measured.';
COMMENT ON COLUMN ops.dq_results.expected IS 'What was expected.';
COMMENT ON COLUMN ops.dq_results.checked_at IS 'When the check ran.';
