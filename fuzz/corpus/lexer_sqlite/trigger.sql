CREATE VIRTUAL TABLE posts_fts USING fts5(title, body, content='posts', content_rowid='id');

CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
    INSERT INTO posts_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;

CREATE TEMP TRIGGER IF NOT EXISTS t_upd BEFORE UPDATE OF email ON users
FOR EACH ROW WHEN new.email <> old.email
BEGIN
    SELECT CASE WHEN new.email NOT LIKE '%@%' THEN RAISE(ABORT, 'bad; email') END;
    UPDATE users SET updated = CURRENT_TIMESTAMP WHERE id = new.id;
END;
BEGIN TRANSACTION;
COMMIT;
