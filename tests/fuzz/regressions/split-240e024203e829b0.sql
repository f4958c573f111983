CKEY, n int); 
