COPY stage_raw_documents (source_id, external_id, content_sha256, url, fetched_at, http_status, content_type, body,
                          published_at, meta, original, body_text, body_text_version)
FROM STDIN WITH (FORMAT csv)
