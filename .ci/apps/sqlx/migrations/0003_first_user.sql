-- A row for the application's own connection to read back after strata applied the folder.
INSERT INTO users (email) VALUES ('ada@example.com');
