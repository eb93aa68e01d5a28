library(testthat)
library(seqcore)

test_check("seqcore")
