"""DistillationLoss, LogitsDistillation, FeatureDistillation (Keras 3.15).

A distillation loss maps (teacher outputs, student outputs) to a scalar.
Outputs may be one array (batch, ...) or a nested structure of them; the
`loss` argument is then a structure of the same shape whose `None` leaves
skip that output. Computed with `seqcore.ops`, so a Distiller's training
differentiates it through the student's outputs.
"""
from seqcore import losses as losses_module
from seqcore import ops, tree
from seqcore.saving.serialization import (deserialize_keras_object,
                                          serialize_keras_object)


def _to_loss(item):
    """A loss identifier as Keras resolves it: None stays None, a string
    becomes the loss *function* of that name (e.g. "kl_divergence" ->
    `keras.losses.kl_divergence`), anything else is used as given."""
    if item is None:
        return None
    if isinstance(item, str):
        fn = losses_module.get(item)
        if fn is None:
            raise ValueError(f"Unknown loss function: '{item}'.")
        return fn
    return item


def _resolve(loss, owner):
    resolved = tree.map_structure(_to_loss, loss)
    if all(leaf is None for leaf in tree.flatten(resolved)):
        raise ValueError(
            f"The `loss` argument in `{owner}` must contain at least one "
            f"non-`None` value; received {loss!r}.")
    return resolved


def _sum_of(values):
    """Sum of a list of scalars (0-d arrays, traced values or floats)."""
    return ops.sum(ops.stack([ops.convert_to_tensor(v, "float32")
                              if isinstance(v, float) else v
                              for v in values]))


class DistillationLoss:
    """Base class of distillation losses: subclass and override
    `compute_loss(teacher_outputs, student_outputs, **kwargs)` returning a
    scalar."""

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The loss between teacher and student outputs (a scalar).

        Args:
            teacher_outputs: array (batch, ...) or nested structure.
            student_outputs: same structure as `teacher_outputs`.
            **kwargs: extra arguments for custom losses.
        """
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs, student_outputs):
        """Raise ValueError unless both outputs have the same structure."""
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher, student):
        """Raise ValueError when this loss cannot use these models
        (nothing to check in the base class)."""


class FeatureDistillation(DistillationLoss):
    """Matches a student's features to a teacher's with a regression loss.

    Args:
        loss: "mse" (default), another loss name (resolved to Keras's loss
            function of that name), a Loss instance, or a nested structure
            of them matching the outputs; `None` leaves skip an output, at
            least one must be set.
        teacher_layer_name: name of the teacher layer whose output is
            matched; None: the teacher's final output.
        student_layer_name: the same for the student.

    The value is the sum over outputs of `mean(loss(teacher, student))`.
    """

    def __init__(self, loss="mse", teacher_layer_name=None,
                 student_layer_name=None):
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = _resolve(loss, "FeatureDistillation")

    def validate_model_compatibility(self, teacher, student):
        """Named layers need Functional/Sequential models that have them.

        Raises:
            ValueError: a model without symbolic inputs, or a missing layer.
        """
        if self.teacher_layer_name is None and \
                self.student_layer_name is None:
            return
        subclassed = [role for role, model in (("teacher", teacher),
                                               ("student", student))
                      if getattr(model, "inputs", None) is None]
        if subclassed:
            raise ValueError(
                "FeatureDistillation with specific layer names requires "
                "Functional or Sequential models. The "
                f"{' and '.join(subclassed)} model(s) appear to be "
                "subclassed (no symbolic inputs/outputs). Either use "
                "Functional/Sequential models, or use FeatureDistillation "
                "without layer names (to distill final outputs only), or "
                "use LogitsDistillation instead.")
        for role, model, name in (("teacher", teacher,
                                   self.teacher_layer_name),
                                  ("student", student,
                                   self.student_layer_name)):
            if name is not None:
                try:
                    model.get_layer(name=name)
                except ValueError as e:
                    raise ValueError(f"In {role} model: {e}") from None

    def validate_outputs(self, teacher_outputs, student_outputs):
        """Outputs alike, and shaped like `loss` (else ValueError)."""
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except ValueError as e:
            raise ValueError(
                "Loss structure mismatch: the loss structure "
                f"{self.loss!r} does not match the outputs. Error: {e}"
            ) from None

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """Sum over outputs of mean(loss(teacher, student)): a scalar."""
        def one(loss_fn, teacher, student):
            if loss_fn is None:
                return 0.0
            return ops.mean(loss_fn(teacher, student))
        return _sum_of(tree.flatten(tree.map_structure(
            one, self.loss, teacher_outputs, student_outputs)))

    def get_config(self):
        """{"loss", "teacher_layer_name", "student_layer_name"}."""
        return {"loss": serialize_keras_object(self.loss),
                "teacher_layer_name": self.teacher_layer_name,
                "student_layer_name": self.student_layer_name}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["loss"] = _deserialize_loss(config["loss"])
        return cls(**config)


class LogitsDistillation(DistillationLoss):
    """Matches the student's logits to the teacher's, temperature-scaled.

    Both logits are divided by `temperature`. With a `KLDivergence` loss
    *instance* the value is `T**2 * mean(KL(softmax(t/T), softmax(s/T)))`;
    any other loss (including the default string "kl_divergence", which
    Keras resolves to the plain `kl_divergence` function) is applied to the
    scaled logits directly: `mean(loss(t/T, s/T))`. Summed over outputs.

    Args:
        temperature: positive number, default 3.0.
        loss: "kl_divergence" (default), another loss name, a Loss
            instance, or a nested structure of them matching the outputs
            (`None` leaves skip an output; at least one must be set).
    """

    def __init__(self, temperature=3.0, loss="kl_divergence"):
        self.temperature = temperature
        self.loss = _resolve(loss, "LogitsDistillation")
        if isinstance(temperature, bool) or \
                not isinstance(temperature, (int, float)):
            raise ValueError(
                f"temperature must be a number, got {type(temperature)}")
        if temperature <= 0.0:
            raise ValueError(
                f"temperature must be positive; received {temperature}.")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The temperature-scaled loss summed over outputs: a scalar."""
        temperature = self.temperature

        def one(loss_fn, teacher, student):
            if loss_fn is None:
                return 0.0
            teacher = ops.divide(teacher, temperature)
            student = ops.divide(student, temperature)
            if isinstance(loss_fn, losses_module.KLDivergence):
                value = ops.mean(loss_fn(ops.softmax(teacher, axis=-1),
                                         ops.softmax(student, axis=-1)))
                return value * (temperature ** 2)
            return ops.mean(loss_fn(teacher, student))
        return _sum_of(tree.flatten(tree.map_structure(
            one, self.loss, teacher_outputs, student_outputs)))

    def get_config(self):
        """{"temperature", "loss"}."""
        return {"temperature": self.temperature,
                "loss": serialize_keras_object(self.loss)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["loss"] = _deserialize_loss(config["loss"])
        return cls(**config)


def _deserialize_loss(config):
    """A serialized loss, or a list/dict of them (None leaves kept)."""
    if config is None:
        return None
    if isinstance(config, (list, tuple)):
        return [_deserialize_loss(c) for c in config]
    if isinstance(config, dict) and "class_name" not in config:
        return {k: _deserialize_loss(v) for k, v in config.items()}
    return deserialize_keras_object(config)
