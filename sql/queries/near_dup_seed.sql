-- Documents published shortly before a batch: reposts of a communiqué follow it within days.
SELECT doc_id, published_at, text_normalized, exact_fingerprint
FROM core.documents
WHERE published_at >= %(since)s AND published_at <= %(until)s AND text_normalized <> ''
ORDER BY published_at, doc_id;
