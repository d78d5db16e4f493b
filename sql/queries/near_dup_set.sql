UPDATE core.documents SET near_dup_of = %(near_dup_of)s
WHERE doc_id = %(doc_id)s AND near_dup_of IS DISTINCT FROM %(near_dup_of)s;
