-- strata:depends-on 0002_create_posts
-- Full-text search over posts, kept in sync by triggers.
CREATE VIRTUAL TABLE posts_fts USING fts5(title, body, content='posts', content_rowid='id');

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
    INSERT INTO posts_fts(posts_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
END;
