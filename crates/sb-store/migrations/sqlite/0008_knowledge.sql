-- Knowledge base (MISSION K1-K5): a category tree, articles and FAQ entries
-- written, reviewed and published with versions, the review history, images
-- kept under the data directory, the search log (what found nothing) and the
-- study progress of each person. Times are Unix milliseconds (UTC).

CREATE TABLE kb_categories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id   INTEGER REFERENCES kb_categories(id) ON DELETE RESTRICT,
    name        TEXT    NOT NULL,
    -- Order among siblings, and the reading order of the study view.
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX ix_kb_categories_parent ON kb_categories (parent_id);

-- The working copy of an article or FAQ entry (a question and its answer);
-- what agents read is the version `published_version` names.
CREATE TABLE kb_articles (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    category_id        INTEGER NOT NULL REFERENCES kb_categories(id) ON DELETE RESTRICT,
    -- 'article' or 'faq' (title is the question, body the answer).
    kind               TEXT    NOT NULL DEFAULT 'article',
    title              TEXT    NOT NULL,
    -- Sanitised HTML.
    body               TEXT    NOT NULL DEFAULT '',
    -- draft, in_review, published, unpublished.
    state              TEXT    NOT NULL DEFAULT 'draft',
    -- The working copy's version; every save adds one.
    version            INTEGER NOT NULL DEFAULT 1,
    published_version  INTEGER,
    -- The reviewer's note when the article was sent back.
    review_note        TEXT    NOT NULL DEFAULT '',
    -- Reading order within the category (study view).
    position           INTEGER NOT NULL DEFAULT 0,
    author_id          INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    author_name        TEXT    NOT NULL DEFAULT '',
    view_count         INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    published_at       INTEGER
);
CREATE INDEX ix_kb_articles_category ON kb_articles (category_id, position, id);
CREATE INDEX ix_kb_articles_state ON kb_articles (state, updated_at);
CREATE INDEX ix_kb_articles_author ON kb_articles (author_id, updated_at);

-- Every saved version of an article's content.
CREATE TABLE kb_article_versions (
    article_id   INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    category_id  INTEGER NOT NULL,
    kind         TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    saved_by     TEXT    NOT NULL DEFAULT '',
    saved_at     INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- The workflow's steps: create, edit, submit, publish, send_back, unpublish.
CREATE TABLE kb_article_steps (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id   INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    step         TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    from_state   TEXT    NOT NULL,
    to_state     TEXT    NOT NULL,
    note         TEXT    NOT NULL DEFAULT '',
    actor_id     INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    actor_name   TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL
);
CREATE INDEX ix_kb_article_steps_article ON kb_article_steps (article_id, id);
CREATE INDEX ix_kb_article_steps_actor ON kb_article_steps (step, actor_id);

-- Images inserted into article bodies; the bytes live under the data
-- directory's knowledge folder.
CREATE TABLE kb_images (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    content_type  TEXT    NOT NULL,
    size_bytes    INTEGER NOT NULL,
    stored_path   TEXT    NOT NULL,
    uploaded_by   TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);

-- Every search, with how many articles it found (0: something is missing).
CREATE TABLE kb_searches (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    query        TEXT    NOT NULL,
    hits         INTEGER NOT NULL,
    staff_id     INTEGER REFERENCES staff(id) ON DELETE SET NULL,
    searched_at  INTEGER NOT NULL
);
CREATE INDEX ix_kb_searches_hits ON kb_searches (hits, searched_at);

-- Study progress: which published articles each person has marked as read.
CREATE TABLE kb_study_reads (
    staff_id    INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    article_id  INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    read_at     INTEGER NOT NULL,
    PRIMARY KEY (staff_id, article_id)
);
