-- strata:depends-on 3, 0007_add_orders
-- strata:no-transaction
CREATE TABLE a(x);
