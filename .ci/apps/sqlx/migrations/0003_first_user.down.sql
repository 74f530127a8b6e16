DELETE FROM users WHERE email = 'ada@example.com';
