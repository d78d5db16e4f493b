-- 012: a Telegram post's text is read once, when it lands, instead of on every normalize.
--
-- The spider parses each preview page anyway; it now lands each post's text beside the widget HTML, stamped with the
-- version of the code that read it (claimwatch.parse.telegram_preview.TEXT_VERSION, a digest of that code). normalize
-- uses the stored text while the version is the running one and parses body otherwise (rows landed before this
-- migration, articles, rows read by other code), so body stays the record and re-normalizing history from it works
-- as before. Existing rows are left as they are: NULL means "read body".
--
-- Retention blanks body; the text is the same content in another form, so it goes with it.

ALTER TABLE raw.documents ADD COLUMN body_text text;
ALTER TABLE raw.documents ADD COLUMN body_text_version text;
COMMENT ON COLUMN raw.documents.body_text IS 'Telegram post text as the spider read it from body when it landed (null: not read at landing, or pruned). A derived copy for speed; body stays the record.';
COMMENT ON COLUMN raw.documents.body_text_version IS 'Version (a digest) of the code that read body_text from body; normalize uses body_text only when it equals its own, else it reads body.';

CREATE OR REPLACE FUNCTION raw.prune_payloads(p_source_id text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    days numeric;
    pruned bigint;
BEGIN
    SELECT (config ->> 'raw_retention_days')::numeric INTO days FROM ops.sources WHERE source_id = p_source_id;
    IF days IS NULL THEN
        RETURN 0;
    END IF;
    -- As in 010, and the text read from the body goes with the body.
    UPDATE raw.documents r SET body = '', body_text = NULL, body_text_version = NULL, body_pruned_at = now()
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
COMMENT ON FUNCTION raw.prune_payloads(text) IS 'Retention: blank raw bodies (and the text read from them) of the source normalized more than its raw_retention_days ago; returns the rows pruned. Runs as the owner, callable by claimwatch_loader.';
