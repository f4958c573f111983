CREATE TABLE U&"x\001B[2Jy" (a int);
