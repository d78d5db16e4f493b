-- Rebuild links between claims and the rows that back them up (set-based; the table is small and derived).
-- repost: the same operation in a document that duplicates the claim's document (exact or near duplicate).
-- corroborates: a report from another source on the same or next/previous day, same target country, and the
-- same place or weapon, by the same actor or an unstated one; copies of a report count once.
DELETE FROM core.claim_links;
INSERT INTO core.claim_links (claim_id, report_id, link_type, score)
SELECT c.claim_id, r.claim_id, 'repost', 1.0
FROM core.claims c
JOIN core.documents cd ON cd.doc_id = c.doc_id
JOIN core.documents rd ON rd.near_dup_of = cd.doc_id
JOIN core.claims r ON r.doc_id = rd.doc_id AND r.operation_index = c.operation_index
WHERE c.kind = 'claim'
ON CONFLICT DO NOTHING;
INSERT INTO core.claim_links (claim_id, report_id, link_type, score)
SELECT DISTINCT ON (c.claim_id, r.claim_id)
       c.claim_id, r.claim_id, 'corroborates',
       0.4 * (CASE WHEN r.event_date = c.event_date THEN 1 ELSE 0.5 END)
     + 0.3 * (CASE WHEN r.location_id = c.location_id THEN 1 ELSE 0 END)
     + 0.2 * (CASE WHEN r.weapon = c.weapon THEN 1 ELSE 0 END)
     + 0.1 * (CASE WHEN r.actor = c.actor THEN 1 ELSE 0 END)
FROM core.claims c
JOIN core.documents cd ON cd.doc_id = c.doc_id
JOIN core.claims r ON r.kind = 'report' AND r.doc_id <> c.doc_id
JOIN core.documents rd ON rd.doc_id = r.doc_id
WHERE c.kind = 'claim'
  AND rd.source_id <> cd.source_id
  AND rd.near_dup_of IS NULL  -- the same article reached through a second feed is not a second report
  AND r.target_country = c.target_country
  AND abs(r.event_date - c.event_date) <= 1
  AND (r.location_id = c.location_id OR r.weapon = c.weapon)
  AND (r.actor = c.actor OR r.actor = 'unknown' OR r.actor IS NULL
       OR r.actor_id IN (SELECT actor_id FROM core.actors WHERE parent_id = c.actor_id)
       OR c.actor_id IN (SELECT actor_id FROM core.actors WHERE parent_id = r.actor_id))
ON CONFLICT DO NOTHING;
