-- 010: incremental transforms read only what is new, and raw payloads can be let go after a retention period.
--
-- normalize keeps a watermark per source (the highest raw_document_id it has covered) and reads only raw rows above
-- it through (source_id, raw_document_id); extract finds its pending documents through (extractor_version,
-- source_id). A re-run with nothing new reads a few index pages instead of the whole history.
--
-- Retention: a source's `raw_retention_days` (registry) lets raw.prune_payloads() blank the HTML of raw versions
-- normalized more than that many days ago. The row stays with its key and content_sha256, so landing stays
-- exactly-once (a re-crawled post is still "already landed") and every derived row still traces back to it; what is
-- lost is the ability to re-normalize that version from its bytes.

CREATE TABLE ops.transform_watermarks (
    step                text NOT NULL CHECK (step IN ('normalize')),
    source_id           text NOT NULL REFERENCES ops.sources (source_id),
    raw_document_id     bigint NOT NULL,
    code_version        text NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (step, source_id)
);
COMMENT ON TABLE ops.transform_watermarks IS 'How far each incremental transform has read raw.documents, per source: the next run starts above it.';
COMMENT ON COLUMN ops.transform_watermarks.step IS 'Transform: normalize.';
COMMENT ON COLUMN ops.transform_watermarks.source_id IS 'Source the watermark belongs to.';
COMMENT ON COLUMN ops.transform_watermarks.raw_document_id IS 'Every raw row of the source up to this id has been read by a completed run.';
COMMENT ON COLUMN ops.transform_watermarks.code_version IS 'Version of the transform that completed the run (normalizer_version); another version starts from zero.';
COMMENT ON COLUMN ops.transform_watermarks.updated_at IS 'When the watermark last moved.';
GRANT SELECT, INSERT, UPDATE ON ops.transform_watermarks TO claimwatch_loader;

CREATE INDEX documents_source_raw_id ON raw.documents (source_id, raw_document_id);
CREATE INDEX documents_extract_pending ON core.documents (extractor_version, source_id);

COMMENT ON SCHEMA raw IS 'Documents exactly as fetched: one row per distinct content version. Never deleted by the pipeline; never updated, except that a source''s raw_retention_days lets raw.prune_payloads() blank bodies normalized that long ago (rows and hashes stay).';
ALTER TABLE raw.documents ADD COLUMN body_pruned_at timestamptz;
COMMENT ON COLUMN raw.documents.body_pruned_at IS 'When the retention setting of the source blanked body (null: body is as fetched). Key, hashes and metadata stay.';
-- Rows whose body is still held, by landing time: what retention looks at, shrinking as it prunes.
CREATE INDEX documents_unpruned_landed ON raw.documents (source_id, landed_at) WHERE body_pruned_at IS NULL;

-- raw is append-only for claimwatch_loader (009); retention is the one change to it the pipeline may make, and only
-- this one: blank bodies of versions normalized before the source's retention period, as the registry says.
CREATE FUNCTION raw.prune_payloads(p_source_id text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    days numeric;
    pruned bigint;
BEGIN
    SELECT (config ->> 'raw_retention_days')::numeric INTO days FROM ops.sources WHERE source_id = p_source_id;
    IF days IS NULL THEN
        RETURN 0;
    END IF;
    -- A version is prunable once a core row of the same document was normalized from it or from a later version
    -- before the cutoff (so it is not waiting to be normalized). It was landed before it was normalized, so the
    -- landed_at range bounds the rows looked at.
    UPDATE raw.documents r SET body = '', body_pruned_at = now()
    FROM core.documents d
    WHERE r.source_id = p_source_id
      AND r.body_pruned_at IS NULL
      AND r.landed_at < now() - make_interval(secs => days * 86400)
      AND d.source_id = r.source_id AND d.external_id = r.external_id
      AND d.raw_document_id >= r.raw_document_id
      AND d.normalized_at < now() - make_interval(secs => days * 86400);
    GET DIAGNOSTICS pruned = ROW_COUNT;
    RETURN pruned;
END
$$;
COMMENT ON FUNCTION raw.prune_payloads(text) IS 'Retention: blank raw bodies of the source normalized more than its raw_retention_days ago; returns the rows pruned. Runs as the owner, callable by claimwatch_loader.';
REVOKE ALL ON FUNCTION raw.prune_payloads(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION raw.prune_payloads(text) TO claimwatch_loader;
