CREATE TABLE t2 (a int;
DROP TABLE canary;
