INSERT INTO core.actors (actor_id, name_en, name_ar, aliases, parent_id, actor_kind)
VALUES (%(actor_id)s, %(name_en)s, %(name_ar)s, %(aliases)s, %(parent_id)s, %(kind)s)
ON CONFLICT (actor_id) DO UPDATE
SET name_en = EXCLUDED.name_en, name_ar = EXCLUDED.name_ar, aliases = EXCLUDED.aliases,
    parent_id = EXCLUDED.parent_id, actor_kind = EXCLUDED.actor_kind
WHERE (core.actors.name_en, core.actors.name_ar, core.actors.aliases, core.actors.parent_id, core.actors.actor_kind)
      IS DISTINCT FROM (EXCLUDED.name_en, EXCLUDED.name_ar, EXCLUDED.aliases, EXCLUDED.parent_id, EXCLUDED.actor_kind);
