-- 002: normalized documents, the actor and place dimensions, claims and the links between them.

CREATE SCHEMA IF NOT EXISTS core;
COMMENT ON SCHEMA core IS 'Normalized documents and the claims and reports extracted from them; derived from raw.*, rebuildable.';

CREATE TABLE core.documents (
    doc_id              bigserial PRIMARY KEY,
    source_id           text NOT NULL REFERENCES ops.sources (source_id),
    external_id         text NOT NULL,
    raw_document_id     bigint NOT NULL REFERENCES raw.documents (raw_document_id),
    doc_type            text NOT NULL CHECK (doc_type IN ('telegram_post', 'article')),
    url                 text NOT NULL,
    canonical_url       text,
    published_at        timestamptz,
    fetched_at          timestamptz NOT NULL,
    title               text,
    author              text,
    text                text NOT NULL,
    text_normalized     text NOT NULL,
    language            text,
    views               bigint,
    forwarded_from      text,
    edited              boolean NOT NULL DEFAULT false,
    versions            integer NOT NULL DEFAULT 1,
    exact_fingerprint   text NOT NULL,
    near_dup_of         bigint REFERENCES core.documents (doc_id),
    normalized_at       timestamptz NOT NULL DEFAULT now(),
    normalizer_version  text NOT NULL,
    extractor_version   text,
    UNIQUE (source_id, external_id)
);
COMMENT ON TABLE core.documents IS 'One row per document (post or article), from its latest landed content version.';
COMMENT ON COLUMN core.documents.doc_id IS 'Surrogate id; claims point here.';
COMMENT ON COLUMN core.documents.source_id IS 'Source of the document.';
COMMENT ON COLUMN core.documents.external_id IS 'Post id or canonical URL within the source (natural key with source_id).';
COMMENT ON COLUMN core.documents.raw_document_id IS 'The raw version this row was built from (the latest).';
COMMENT ON COLUMN core.documents.doc_type IS 'telegram_post or article.';
COMMENT ON COLUMN core.documents.url IS 'Public URL of the document.';
COMMENT ON COLUMN core.documents.canonical_url IS 'Canonical URL declared by the page (articles).';
COMMENT ON COLUMN core.documents.published_at IS 'Publication time, UTC.';
COMMENT ON COLUMN core.documents.fetched_at IS 'When the version was fetched, UTC.';
COMMENT ON COLUMN core.documents.title IS 'Article title (null for posts).';
COMMENT ON COLUMN core.documents.author IS 'Article author when stated.';
COMMENT ON COLUMN core.documents.text IS 'Clean display text: NFKC, control and direction marks removed, line breaks and emoji kept.';
COMMENT ON COLUMN core.documents.text_normalized IS 'Matching form: Arabic letter variants folded, diacritics, tatweel and emoji removed, ASCII digits, lower case.';
COMMENT ON COLUMN core.documents.language IS 'ISO 639-1 code detected from the text (ar, en, fa, he, ...), null when undecidable.';
COMMENT ON COLUMN core.documents.views IS 'Telegram view count at the last fetch.';
COMMENT ON COLUMN core.documents.forwarded_from IS 'Channel or user a Telegram post was forwarded from.';
COMMENT ON COLUMN core.documents.edited IS 'Whether the source marks the post as edited.';
COMMENT ON COLUMN core.documents.versions IS 'Number of distinct content versions landed in raw.documents.';
COMMENT ON COLUMN core.documents.exact_fingerprint IS 'SHA-256 of text_normalized: equal values are exact duplicates (reposts).';
COMMENT ON COLUMN core.documents.near_dup_of IS 'Earliest document with near-identical text (MinHash), null when this is the first; count an operation once per cluster.';
COMMENT ON COLUMN core.documents.normalized_at IS 'When this row was (re)built.';
COMMENT ON COLUMN core.documents.normalizer_version IS 'Version of the normalization code that built the row.';
COMMENT ON COLUMN core.documents.extractor_version IS 'Claim extractor version last run on this row (null: not yet, or the text changed since).';
CREATE INDEX documents_published ON core.documents (published_at);
CREATE INDEX documents_fingerprint ON core.documents (exact_fingerprint);

CREATE TABLE core.actors (
    actor_id    text PRIMARY KEY,
    name_en     text NOT NULL,
    name_ar     text,
    aliases     text[] NOT NULL DEFAULT '{}',
    parent_id   text REFERENCES core.actors (actor_id) DEFERRABLE INITIALLY DEFERRED,
    actor_kind  text
);
COMMENT ON TABLE core.actors IS 'Actor dictionary: canonical ids used in core.claims.actor_id (GUIDE.md vocabulary).';
COMMENT ON COLUMN core.actors.actor_id IS 'Canonical id, e.g. kataib_hezbollah.';
COMMENT ON COLUMN core.actors.name_en IS 'English name.';
COMMENT ON COLUMN core.actors.name_ar IS 'Arabic name.';
COMMENT ON COLUMN core.actors.aliases IS 'Other names and spellings matched in text.';
COMMENT ON COLUMN core.actors.parent_id IS 'Umbrella the actor belongs to (e.g. islamic_resistance_iraq).';
COMMENT ON COLUMN core.actors.actor_kind IS 'militia, umbrella, state_force, state, ...';

CREATE TABLE core.locations (
    location_id     text PRIMARY KEY,
    name_en         text NOT NULL,
    name_ar         text,
    aliases         text[] NOT NULL DEFAULT '{}',
    lat             double precision,
    lon             double precision,
    country         text,
    geo_precision   smallint CHECK (geo_precision IN (1, 2, 3)),
    disputed        boolean NOT NULL DEFAULT false,
    feature         text
);
COMMENT ON TABLE core.locations IS 'Gazetteer: GeoNames places of the region plus curated military sites and militia toponyms.';
COMMENT ON COLUMN core.locations.location_id IS 'geonames:<id> or curated:<slug>.';
COMMENT ON COLUMN core.locations.name_en IS 'Common English name.';
COMMENT ON COLUMN core.locations.name_ar IS 'Arabic name.';
COMMENT ON COLUMN core.locations.aliases IS 'Other names and spellings (e.g. Umm al-Rashrash for Eilat).';
COMMENT ON COLUMN core.locations.lat IS 'Latitude, WGS84.';
COMMENT ON COLUMN core.locations.lon IS 'Longitude, WGS84.';
COMMENT ON COLUMN core.locations.country IS 'ISO 3166-1 alpha-2 country the place is counted in (Golan as IL, as the gold guide does).';
COMMENT ON COLUMN core.locations.geo_precision IS 'ACLED geo precision: 1 the place itself, 2 near it or its district, 3 a region.';
COMMENT ON COLUMN core.locations.disputed IS 'Place in a disputed or occupied area (Golan, West Bank, Gaza, Shebaa Farms).';
COMMENT ON COLUMN core.locations.feature IS 'city, town, settlement, military_base, airport, region, ...';

CREATE TABLE core.claims (
    claim_id            bigserial PRIMARY KEY,
    doc_id              bigint NOT NULL REFERENCES core.documents (doc_id) ON DELETE CASCADE,
    raw_document_id     bigint NOT NULL REFERENCES raw.documents (raw_document_id),
    operation_index     smallint NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('claim', 'report')),
    actor               text,
    actor_id            text REFERENCES core.actors (actor_id),
    weapon              text CHECK (weapon IN ('drone', 'missile', 'rocket', 'artillery', 'airstrike', 'unspecified')),
    sub_event_type      text,
    target_country      text,
    location_name       text,
    location_id         text REFERENCES core.locations (location_id),
    lat                 double precision,
    lon                 double precision,
    geo_precision       smallint,
    event_date          date,
    date_precision      smallint,
    intercepted         boolean,
    confidence          real NOT NULL,
    evidence            text,
    extractor_version   text NOT NULL,
    extracted_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (doc_id, operation_index)
);
COMMENT ON TABLE core.claims IS 'One row per attack operation a document claims (kind=claim) or reports (kind=report).';
COMMENT ON COLUMN core.claims.claim_id IS 'Surrogate id.';
COMMENT ON COLUMN core.claims.doc_id IS 'Document the operation was read from (-> core.documents -> raw.documents -> ops.crawl_runs -> DAG run).';
COMMENT ON COLUMN core.claims.raw_document_id IS 'Raw content version the extraction ran on.';
COMMENT ON COLUMN core.claims.operation_index IS 'Position of the operation in the document (0 = the first specific operation).';
COMMENT ON COLUMN core.claims.kind IS 'claim: the actor''s own announcement; report: a third party reports the attack.';
COMMENT ON COLUMN core.claims.actor IS 'Side that carried out the attack, in the annotation guide''s vocabulary (hezbollah, islamic_resistance_iraq, kataib_hezbollah, irgc, israel, us, unknown, other, ...).';
COMMENT ON COLUMN core.claims.actor_id IS 'The actor-dictionary entry behind actor (core.actors), finer where the dictionary is; null for unknown.';
COMMENT ON COLUMN core.claims.weapon IS 'drone, missile, rocket, artillery, airstrike or unspecified.';
COMMENT ON COLUMN core.claims.sub_event_type IS 'ACLED sub-event type, e.g. Air/drone strike; Disrupted weapons use for intercepted launches.';
COMMENT ON COLUMN core.claims.target_country IS 'ISO 3166-1 alpha-2 of the target, or SEA for ships at sea.';
COMMENT ON COLUMN core.claims.location_name IS 'Most specific target place named, English transliteration.';
COMMENT ON COLUMN core.claims.location_id IS 'Gazetteer entry of the place, when matched.';
COMMENT ON COLUMN core.claims.lat IS 'Latitude of the place.';
COMMENT ON COLUMN core.claims.lon IS 'Longitude of the place.';
COMMENT ON COLUMN core.claims.geo_precision IS 'ACLED geo precision 1/2/3.';
COMMENT ON COLUMN core.claims.event_date IS 'Date of the operation (stated in the text, else the post date in Asia/Baghdad).';
COMMENT ON COLUMN core.claims.date_precision IS 'ACLED time precision: 1 day, 2 week, 3 month.';
COMMENT ON COLUMN core.claims.intercepted IS 'true intercepted or shot down; false it hit; null not said.';
COMMENT ON COLUMN core.claims.confidence IS 'Extractor confidence 0..1.';
COMMENT ON COLUMN core.claims.evidence IS 'The span of the text the operation was read from.';
COMMENT ON COLUMN core.claims.extractor_version IS 'Version of the rules that produced the row; the reprocess DAG re-extracts older versions.';
COMMENT ON COLUMN core.claims.extracted_at IS 'When the row was written.';
CREATE INDEX claims_event_date ON core.claims (event_date);
CREATE INDEX claims_actor ON core.claims (actor);
CREATE INDEX claims_version ON core.claims (extractor_version);

CREATE TABLE core.claim_links (
    claim_id        bigint NOT NULL REFERENCES core.claims (claim_id) ON DELETE CASCADE,
    report_id       bigint NOT NULL REFERENCES core.claims (claim_id) ON DELETE CASCADE,
    link_type       text NOT NULL CHECK (link_type IN ('corroborates', 'repost')),
    score           real NOT NULL,
    linked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (claim_id, report_id)
);
COMMENT ON TABLE core.claim_links IS 'A claim and a report (or repost) from another document that describe the same operation.';
COMMENT ON COLUMN core.claim_links.claim_id IS 'The claim (kind=claim).';
COMMENT ON COLUMN core.claim_links.report_id IS 'The corroborating row (a report, or a repost of the claim in another document).';
COMMENT ON COLUMN core.claim_links.link_type IS 'corroborates: an independent report; repost: the same communiqué elsewhere.';
COMMENT ON COLUMN core.claim_links.score IS 'How well they match (same date, place, weapon, actor), 0..1.';
COMMENT ON COLUMN core.claim_links.linked_at IS 'When the link was made.';
