test_that("install_seqcore checks the checkout before doing anything", {
  expect_error(install_seqcore(checkout = tempdir()),
               "is not a seqcore checkout")
  expect_error(seqcore_checkout(file.path(tempdir(), "nowhere")),
               "is not a seqcore checkout")
})

test_that("the default environment folder follows SEQCORE_VENV", {
  old <- Sys.getenv("SEQCORE_VENV", unset = NA)
  on.exit(if (is.na(old)) Sys.unsetenv("SEQCORE_VENV") else
    Sys.setenv(SEQCORE_VENV = old))
  Sys.setenv(SEQCORE_VENV = "/tmp/some-venv")
  expect_equal(seqcore_venv_path(), "/tmp/some-venv")
  expect_equal(seqcore_venv_python("/tmp/some-venv"), "/tmp/some-venv/bin/python")
})

test_that("the Python R uses has numpy < 2 and this checkout's seqcore", {
  numpy <- reticulate::import("numpy")
  expect_lt(as.integer(strsplit(numpy$`__version__`, ".", fixed = TRUE)[[1]][1]), 2L)
  expect_true(is_seqcore_available())
})

test_that("install_seqcore installs into RETICULATE_PYTHON when it is set", {
  old <- Sys.getenv("RETICULATE_PYTHON", unset = NA)
  on.exit(if (is.na(old)) Sys.unsetenv("RETICULATE_PYTHON") else
    Sys.setenv(RETICULATE_PYTHON = old))
  Sys.setenv(RETICULATE_PYTHON = "/opt/some/python")
  expect_equal(install_target("/tmp/ignored-venv"), "/opt/some/python")
  Sys.unsetenv("RETICULATE_PYTHON")
  expect_equal(install_target("/tmp/venv-x"), "/tmp/venv-x/bin/python")
})
