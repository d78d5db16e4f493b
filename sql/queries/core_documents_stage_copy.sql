COPY stage_core_documents (source_id, external_id, raw_document_id, doc_type, url, canonical_url, published_at,
                           fetched_at, title, author, text, text_normalized, language, views, forwarded_from, edited,
                           versions, exact_fingerprint, normalizer_version)
FROM STDIN WITH (FORMAT csv)
