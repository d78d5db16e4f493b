-- Documents published shortly before a batch: reposts of a communiqué follow it within days. Those normalize already
-- holds (the sliding window, the batch itself) are not sent again.
SELECT doc_id, published_at, text_normalized, exact_fingerprint
FROM core.documents
WHERE published_at >= %(since)s AND published_at <= %(until)s AND text_normalized <> ''
  AND doc_id <> ALL (%(known)s::bigint[])
ORDER BY published_at, doc_id;
