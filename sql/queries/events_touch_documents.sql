-- Mark the events of the given documents' rows for a summary refresh: normalize changed those documents (their url,
-- publication time or near-duplicate of may have moved while the text, and so the rows, stayed). The refresh brings
-- their marts rows along. Documents new to the warehouse have no rows yet: one probe of (doc_id, operation_index).
-- The events' ids are gathered first (an array), so they are found by key whatever the size of core.events.
UPDATE core.events SET needs_refresh = true
WHERE event_id = ANY(ARRAY(
    SELECT DISTINCT c.event_id FROM core.claims c
    WHERE c.doc_id = ANY(%(doc_ids)s::bigint[]) AND c.event_id IS NOT NULL
)) AND NOT needs_refresh;
