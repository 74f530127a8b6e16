INSERT INTO t VALUES ('héllo', "漢字");
-- été
SELECT 1;
