-- strata:irreversible
-- Data only: this one runs in a transaction with its tracking row, even on MySQL.
INSERT INTO users (email) VALUES ('admin@example.com');
