"""keras.export: Keras writes TensorFlow SavedModel (and ONNX, OpenVINO,
LiteRT, torch) artifacts by tracing the model with TensorFlow, JAX or
torch. seqcore runs on numpy with no such framework, so the names exist
with Keras's signatures and raise NotImplementedError naming the reason
and the alternatives (`model.save("model.keras")`, which Keras 3 loads
and can export, or `model.save_weights(...)`)."""

_REASON = ("seqcore has no TensorFlow (or JAX/torch) graph to trace, so "
           "it cannot write {what}. Save the model with "
           "`model.save('model.keras')` instead: Keras 3 loads that file "
           "(`keras.saving.load_model`) and can export it from there.")

EXPORT_FORMATS = ("tf_saved_model", "onnx", "openvino", "litert", "torch")
ARCHIVE_FORMATS = ("saved_model", "neptune_model")


class ExportArchive:
    """Keras's SavedModel writer; constructing one raises
    NotImplementedError (see the module docstring).

    Args:
        format: 'saved_model' (default) or 'neptune_model', as in Keras;
            another value raises ValueError.
    """

    def __init__(self, format="saved_model", **kwargs):
        if format not in ARCHIVE_FORMATS:
            raise ValueError(f"Unsupported format: {format}")
        raise NotImplementedError(
            "keras.export.ExportArchive: " +
            _REASON.format(what="a SavedModel"))


def export_model(model, filepath, format="tf_saved_model", verbose=None,
                 input_signature=None, **kwargs):
    """What `Model.export` does in seqcore: ValueError for a format Keras
    does not know, NotImplementedError for the ones it does."""
    if format not in EXPORT_FORMATS:
        raise ValueError(f"Unrecognized format={format}. Supported formats "
                         f"are: {list(EXPORT_FORMATS)}.")
    raise NotImplementedError(
        f"Model.export(format={format!r}): " +
        _REASON.format(what=f"a {format} artifact"))


__all__ = ["ExportArchive"]
