CREATE TEMP TABLE IF NOT EXISTS stage_core_documents (
    source_id text, external_id text, raw_document_id bigint, doc_type text, url text, canonical_url text,
    published_at timestamptz, fetched_at timestamptz, title text, author text, text text, text_normalized text,
    language text, views bigint, forwarded_from text, edited boolean, versions integer, exact_fingerprint text,
    normalizer_version text
) ON COMMIT DELETE ROWS;
