# Runs the testthat tests of the installed seqcore package and prints a
# final line "N passed, N failed" (tests, i.e. test_that blocks; a skipped
# test counts as neither); exits with status 1 when any test failed.
# Usage: Rscript r/run-tests.R [test folder] [filter]
args <- commandArgs(trailingOnly = TRUE)
folder <- if (length(args) >= 1) args[1] else "r/tests/testthat"
filter <- if (length(args) >= 2) args[2] else NULL
results <- testthat::test_dir(folder, package = "seqcore",
                              load_package = "installed", filter = filter,
                              reporter = testthat::ProgressReporter$new(
                                show_praise = FALSE),
                              stop_on_failure = FALSE)
df <- as.data.frame(results)
failed <- df$failed > 0 | df$error
skipped <- df$skipped & !failed
passed <- !failed & !skipped
cat(sprintf("%d passed, %d failed%s\n", sum(passed), sum(failed),
            if (any(skipped)) sprintf(" (%d skipped)", sum(skipped)) else ""))
quit(status = if (any(failed)) 1 else 0)
