SELECT cursor FROM ops.source_state WHERE source_id = %(source_id)s;
