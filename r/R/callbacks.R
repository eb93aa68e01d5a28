# Callbacks for fit(): R keras's names over seqcore.callbacks.

#' Callbacks
#'
#' Pass a list of them to [fit()] as `callbacks = list(...)`. R functions
#' given to `callback_lambda()` (`on_epoch_end = function(epoch, logs)`) and
#' `callback_learning_rate_scheduler()` (`function(epoch, lr)`) are called
#' with Keras's 0-based epoch numbers and the logs as a named list.
#'
#' @param monitor,filepath,filename,schedule,backup_dir,log_dir The first
#'   arguments of the Keras callbacks.
#' @param ... The other arguments of the Keras callback, by name.
#' @return A callback.
#' @name callbacks
NULL

#' @rdname callbacks
#' @export
callback_early_stopping <- object_wrapper("callbacks", "EarlyStopping",
                                          "monitor")
#' @rdname callbacks
#' @export
callback_model_checkpoint <- object_wrapper("callbacks", "ModelCheckpoint",
                                            "filepath")
#' @rdname callbacks
#' @export
callback_reduce_lr_on_plateau <- object_wrapper("callbacks",
                                                "ReduceLROnPlateau", "monitor")
#' @rdname callbacks
#' @export
callback_learning_rate_scheduler <- object_wrapper("callbacks",
                                                   "LearningRateScheduler",
                                                   "schedule")
#' @rdname callbacks
#' @export
callback_csv_logger <- object_wrapper("callbacks", "CSVLogger", "filename")
#' @rdname callbacks
#' @export
callback_terminate_on_naan <- object_wrapper("callbacks", "TerminateOnNaN")
#' @rdname callbacks
#' @export
callback_lambda <- object_wrapper("callbacks", "LambdaCallback")
#' @rdname callbacks
#' @export
callback_progbar_logger <- object_wrapper("callbacks", "ProgbarLogger")
#' @rdname callbacks
#' @export
callback_backup_and_restore <- object_wrapper("callbacks", "BackupAndRestore",
                                              "backup_dir")
#' @rdname callbacks
#' @export
callback_tensorboard <- object_wrapper("callbacks", "TensorBoard", "log_dir")
#' @rdname callbacks
#' @export
callback_remote_monitor <- object_wrapper("callbacks", "RemoteMonitor")
#' @rdname callbacks
#' @export
callback_terminate_on_nan <- object_wrapper("callbacks", "TerminateOnNaN")
#' @rdname callbacks
#' @export
callback_swap_ema_weights <- object_wrapper("callbacks", "SwapEMAWeights")
