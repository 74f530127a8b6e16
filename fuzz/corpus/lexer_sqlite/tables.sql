-- strata:depends-on 1
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE, -- login; never ';' here
    "display name" TEXT DEFAULT 'anon;ymous',
    [legacy col] BLOB,
    `quoted` INT
);
CREATE INDEX users_email ON users(email);
/* a block comment; with a semicolon */
INSERT INTO users (email) VALUES ('a@b.c'), ('it''s;fine');;
