WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < 10)
INSERT INTO nums SELECT x FROM cnt;
PRAGMA foreign_keys = OFF;
ALTER TABLE nums RENAME TO numbers;
PRAGMA foreign_keys = ON;
SELECT 'end' -- no final semicolon