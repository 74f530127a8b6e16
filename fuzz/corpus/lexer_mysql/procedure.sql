CREATE PROCEDURE add_user(IN p_email VARCHAR(255))
BEGIN
    DECLARE done INT DEFAULT 0;
    IF p_email IS NULL THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'email; required';
    ELSEIF p_email = '' THEN
        SET done = 1;
    END IF;
    label1: LOOP
        SET done = done + 1;
        IF done > 3 THEN LEAVE label1; END IF;
    END LOOP label1;
    WHILE done < 10 DO SET done = done + 1; END WHILE;
    REPEAT SET done = done - 1; UNTIL done = 0 END REPEAT;
    CASE done WHEN 0 THEN SELECT 1; ELSE SELECT 2; END CASE;
    INSERT INTO users (email) VALUES (p_email);
END;
CALL add_user('a@b.c');
