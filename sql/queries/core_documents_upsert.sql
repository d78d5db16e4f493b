-- Natural key (source_id, external_id): re-normalizing replaces the row in place, keeping its doc_id.
INSERT INTO core.documents AS d (source_id, external_id, raw_document_id, doc_type, url, canonical_url, published_at,
                                 fetched_at, title, author, text, text_normalized, language, views, forwarded_from,
                                 edited, versions, exact_fingerprint, normalizer_version)
SELECT source_id, external_id, raw_document_id, doc_type, url, canonical_url, published_at, fetched_at, title, author,
       text, text_normalized, language, views, forwarded_from, edited, versions, exact_fingerprint, normalizer_version
FROM stage_core_documents
ON CONFLICT (source_id, external_id) DO UPDATE
SET raw_document_id = EXCLUDED.raw_document_id, doc_type = EXCLUDED.doc_type, url = EXCLUDED.url,
    canonical_url = EXCLUDED.canonical_url, published_at = EXCLUDED.published_at, fetched_at = EXCLUDED.fetched_at,
    title = EXCLUDED.title, author = EXCLUDED.author, text = EXCLUDED.text, text_normalized = EXCLUDED.text_normalized,
    language = EXCLUDED.language, views = EXCLUDED.views, forwarded_from = EXCLUDED.forwarded_from,
    edited = EXCLUDED.edited, versions = EXCLUDED.versions, exact_fingerprint = EXCLUDED.exact_fingerprint,
    normalizer_version = EXCLUDED.normalizer_version, normalized_at = now(),
    extractor_version = CASE WHEN d.text = EXCLUDED.text THEN d.extractor_version END
RETURNING doc_id, external_id, near_dup_of;
