"""Distiller: a Model that trains a student against a frozen teacher.

The training loss (Keras 3.15's) is
    student_loss_weight * student_loss
    + (1 - student_loss_weight) * sum_i weight_i * distillation_loss_i
where student_loss is the compiled loss on (y, student(x)) and each
distillation loss compares the teacher's outputs (or a named layer's) with
the student's. seqcore trains it through the `compute_loss` hook: the
student's outputs, and the named student layers' outputs, are on the tape,
so gradients reach only the student (the teacher is frozen, as in Keras).
"""
import numpy as np

from seqcore import metrics as metrics_module
from seqcore import ops, tree
from seqcore.distillation.distillation_loss import _to_loss
from seqcore.engine.model import Model
from seqcore.saving.serialization import (deserialize_keras_object,
                                          serialize_keras_object)


def _plain(value):
    """A loss value (float, array or traced value) as a Python float."""
    from seqcore.engine.tape import plain
    return float(np.sum(plain(value)))


class Distiller(Model):
    """Knowledge distillation from `teacher` to `student`.

    Args:
        teacher: a trained keras Model; frozen (`trainable = False`).
        student: the keras Model to train; `distiller.student` after fit.
        distillation_losses: a DistillationLoss or a list of them.
        distillation_loss_weights: one weight per distillation loss; None:
            all 1.0 (a single loss always gets weight 1.0).
        student_loss_weight: number in [0, 1], default 0.5: weight of the
            student's supervised (compiled) loss; the distillation total
            gets 1 - student_loss_weight.
        name: default "distiller".
        **kwargs: passed to Model.

    `compile(optimizer="adam", loss=..., metrics=None)` takes the student's
    supervised loss (required). `call(x)` is the student's forward pass, so
    `predict`/`evaluate` use the student. Logs add `student_loss`,
    `distillation_loss` and `total_loss` (running means), as Keras.
    Inputs/outputs (batch, ...) of teacher and student must have the same
    structure, compatible shapes and the same dtypes.
    """

    # call() runs the student: the engine differentiates it with its tape,
    # as a user's subclassed model (seqcore classes default to kernels).
    _differentiated_by_tape = True

    def __init__(self, teacher, student, distillation_losses,
                 distillation_loss_weights=None, student_loss_weight=0.5,
                 name="distiller", **kwargs):
        super().__init__(name=name, **kwargs)
        self._validate_models(teacher, student)
        self.teacher = teacher
        self.student = student
        if isinstance(student_loss_weight, bool) or \
                not isinstance(student_loss_weight, (int, float)):
            raise ValueError(f"student_loss_weight must be a number, got "
                             f"{type(student_loss_weight)}")
        if not 0.0 <= student_loss_weight <= 1.0:
            raise ValueError(f"student_loss_weight must be between 0.0 and "
                             f"1.0, got {student_loss_weight}")
        self.student_loss_weight = student_loss_weight
        if distillation_losses is None:
            raise ValueError(
                "'distillation_losses' cannot be `None`. Provide a "
                "distillation loss (e.g., LogitsDistillation or "
                "FeatureDistillation) or a list of distillation losses.")
        if not isinstance(distillation_losses, (list, tuple)):
            self.distillation_losses = [distillation_losses]
            self.distillation_loss_weights = [1.0]
        else:
            self.distillation_losses = list(distillation_losses)
            if distillation_loss_weights is None:
                self.distillation_loss_weights = \
                    [1.0] * len(distillation_losses)
            elif len(distillation_loss_weights) != len(distillation_losses):
                raise ValueError(
                    f"Number of distillation_loss_weights "
                    f"({len(distillation_loss_weights)}) must match number "
                    f"of distillation_losses ({len(distillation_losses)})")
            else:
                self.distillation_loss_weights = \
                    list(distillation_loss_weights)
        for loss in self.distillation_losses:
            loss.validate_model_compatibility(teacher, student)
        self._teacher_extractors = self._extractors(teacher, "teacher")
        self._student_extractors = self._extractors(student, "student")
        self.teacher.trainable = False
        self.student_loss_tracker = metrics_module.Mean(name="student_loss")
        self.distillation_loss_tracker = metrics_module.Mean(
            name="distillation_loss")
        self.total_loss_tracker = metrics_module.Mean(name="total_loss")

    # ---- validation --------------------------------------------------------

    def _validate_models(self, teacher, student):
        for role, model in (("Teacher", teacher), ("Student", student)):
            if not isinstance(model, Model):
                raise ValueError(
                    f"{role} must be a keras.Model, got {type(model)}")
        for attr, context in (("inputs", "input"), ("outputs", "output")):
            t = getattr(teacher, attr, None)
            s = getattr(student, attr, None)
            if t is None or s is None:
                continue
            tree.map_structure(
                lambda a, b: self._check_pair(a, b, context), t, s)

    @staticmethod
    def _check_pair(teacher_tensor, student_tensor, context):
        ts, ss = tuple(teacher_tensor.shape), tuple(student_tensor.shape)
        if len(ts) != len(ss):
            raise ValueError(
                f"Teacher and student {context} shapes have different "
                f"dimensions. Teacher: {ts}, Student: {ss}.")
        for a, b in zip(ts, ss):
            if a is not None and b is not None and a != b:
                raise ValueError(
                    f"Teacher and student {context} shapes are incompatible."
                    f" Teacher: {ts}, Student: {ss}. All dimensions must "
                    f"match.")
        td, sd = str(teacher_tensor.dtype), str(student_tensor.dtype)
        if td != sd:
            raise ValueError(f"Teacher and student {context} dtypes must "
                             f"match. Teacher: {td}, Student: {sd}.")

    def _extractors(self, model, role):
        """{layer name: Model(model.inputs, layer.output)} for the layers
        the distillation losses name (one single-output model per layer:
        seqcore's tape differentiates single-output models)."""
        attr = f"{role}_layer_name"
        names = []
        for loss in self.distillation_losses:
            name = getattr(loss, attr, None)
            if name and name not in names:
                names.append(name)
        if not names:
            return {}
        if getattr(model, "inputs", None) is None:
            raise ValueError(f"Cannot create feature extractor for "
                             f"{model.name}. The model has no symbolic "
                             f"inputs attribute.")
        return {name: Model(inputs=model.inputs,
                            outputs=model.get_layer(name=name).output,
                            name=f"{model.name}_{name}_feature_extractor")
                for name in names}

    # ---- training ----------------------------------------------------------

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """Compile with the student's supervised loss (required).

        Args:
            optimizer: optimizer for the student's weights.
            loss: loss name, Loss instance or function, or a structure of
                them matching the student's outputs.
            metrics: list/tuple of metrics on the student's outputs.
            **kwargs: passed to Model.compile.
        """
        if loss is None:
            raise ValueError("'loss' cannot be `None`.")
        self._student_loss = tree.map_structure(_to_loss, loss)
        self._student_loss_for_serialization = loss
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(
                f"metrics must be a list or tuple, got {type(metrics)}")
        super().compile(optimizer=optimizer, loss=None, metrics=metrics,
                        **kwargs)

    def call(self, inputs, training=None):
        """The student's outputs for `inputs`."""
        return self.student(inputs, training=training)

    def _features(self, role, x, final_output, layer_name):
        if layer_name is None:
            return final_output
        extractors = self._teacher_extractors if role == "teacher" else \
            self._student_extractors
        if layer_name not in extractors:
            raise ValueError(f"Layer '{layer_name}' not found in extracted "
                             f"features. Available: {list(extractors)}")
        return extractors[layer_name](x, training=role == "student")

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        """The combined loss (scalar); updates the three loss trackers.

        Args:
            x: the inputs. y: the targets. y_pred: the student's outputs
                (computed from x when None). sample_weight: unused, as in
                Keras. training: whether this is a training step.
        """
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss = 0.0
        if self.student_loss_weight > 0.0 and y is not None:
            values = tree.flatten(tree.map_structure(
                lambda loss, t, p: loss(t, p), self._student_loss, y,
                y_pred))
            student_loss = values[0] if len(values) == 1 else \
                ops.sum(ops.stack(values))
            if len(getattr(student_loss, "shape", ())) > 0:
                student_loss = ops.mean(student_loss)
        distillation_loss = 0.0
        if self.student_loss_weight < 1.0:
            teacher_final = None
            for loss, weight in zip(self.distillation_losses,
                                    self.distillation_loss_weights):
                t_name = getattr(loss, "teacher_layer_name", None)
                s_name = getattr(loss, "student_layer_name", None)
                if t_name is None and teacher_final is None:
                    teacher_final = self.teacher(x, training=False)
                try:
                    teacher_out = self._features("teacher", x, teacher_final,
                                                 t_name)
                    student_out = self._features("student", x, y_pred,
                                                 s_name)
                except ValueError as e:
                    raise RuntimeError(
                        f"Failed to extract features for "
                        f"{type(loss).__name__} targeting teacher layer "
                        f"'{t_name}' and student layer '{s_name}'. "
                        f"Original error: {e}") from e
                loss.validate_outputs(teacher_out, student_out)
                value = loss.compute_loss(teacher_out, student_out)
                if len(getattr(value, "shape", ())) > 0:
                    raise ValueError(
                        f"Distillation loss {type(loss).__name__} returned "
                        f"a non-scalar loss with shape {value.shape}. The "
                        f"compute_loss method must return a scalar tensor.")
                distillation_loss = distillation_loss + weight * value
        total = self.student_loss_weight * student_loss + \
            (1.0 - self.student_loss_weight) * distillation_loss
        self.student_loss_tracker.update_state(_plain(student_loss))
        self.distillation_loss_tracker.update_state(
            _plain(distillation_loss))
        self.total_loss_tracker.update_state(_plain(total))
        return total

    # ---- metrics and logs ----------------------------------------------------

    @property
    def _loss_trackers(self):
        return [self.student_loss_tracker, self.distillation_loss_tracker,
                self.total_loss_tracker]

    @property
    def metrics(self):
        """The compiled metrics plus the three loss trackers (Keras)."""
        return list(super().metrics) + self._loss_trackers

    def reset_metrics(self):
        """Reset every metric, the loss trackers included."""
        super().reset_metrics()
        for tracker in self._loss_trackers:
            tracker.reset_state()

    def _reset_all_metrics(self):
        super()._reset_all_metrics()
        for tracker in self._loss_trackers:
            tracker.reset_state()

    def _logs(self, loss_value):
        logs = super()._logs(loss_value)
        for tracker in self._loss_trackers:
            logs[tracker.name] = float(tracker.result())
        return dict(sorted(logs.items()))

    # ---- serialization -------------------------------------------------------

    def get_config(self):
        """Model's config plus teacher, student (serialized),
        distillation_losses, distillation_loss_weights,
        student_loss_weight."""
        config = super().get_config()
        config.update({
            "teacher": serialize_keras_object(self.teacher),
            "student": serialize_keras_object(self.student),
            "distillation_losses": [serialize_keras_object(loss) for loss
                                    in self.distillation_losses],
            "distillation_loss_weights": self.distillation_loss_weights,
            "student_loss_weight": self.student_loss_weight,
        })
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("teacher", "student"):
            config[key] = deserialize_keras_object(config[key],
                                                   custom_objects)
        config["distillation_losses"] = [
            deserialize_keras_object(c, custom_objects)
            for c in config["distillation_losses"]]
        return cls(**config)


