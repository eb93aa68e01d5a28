"""After keras.io "Knowledge Distillation": a Distiller(keras.Model) whose
compile takes extra arguments and whose compute_loss (Keras 2-era
signature, no `training`) calls a student loss object and KLDivergence on
softmaxes of the teacher's and student's logits; keras.models.clone_model
of the student trained from scratch for comparison."""
import numpy as np
import keras
from keras import layers, ops

class Distiller(keras.Model):
    def __init__(self, student, teacher):
        super().__init__()
        self.teacher = teacher
        self.student = student

    def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1, temperature=3):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
        teacher_pred = self.teacher(x, training=False)
        student_loss = self.student_loss_fn(y, y_pred)
        distillation_loss = self.distillation_loss_fn(
            ops.softmax(teacher_pred / self.temperature, axis=1),
            ops.softmax(y_pred / self.temperature, axis=1)) * (self.temperature**2)
        loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
        return loss

    def call(self, x):
        return self.student(x)

teacher = keras.Sequential([keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, (3, 3), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
    layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
    layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"), layers.Flatten(), layers.Dense(10)], name="teacher")
student = keras.Sequential([keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(8, (3, 3), strides=(2, 2), padding="same"), layers.LeakyReLU(negative_slope=0.2),
    layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
    layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"), layers.Flatten(), layers.Dense(10)], name="student")
student_scratch = keras.models.clone_model(student)

x_train = np.random.rand(128, 28, 28, 1).astype("float32")
y_train = np.random.randint(0, 10, 128)
teacher.compile(optimizer=keras.optimizers.Adam(),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()])
teacher.fit(x_train, y_train, epochs=1, verbose=0)
print(teacher.evaluate(x_train, y_train, verbose=0))
distiller = Distiller(student=student, teacher=teacher)
distiller.compile(optimizer=keras.optimizers.Adam(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
    student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    distillation_loss_fn=keras.losses.KLDivergence(), alpha=0.1, temperature=10)
history = distiller.fit(x_train, y_train, epochs=2, verbose=0)
print(history.history)
print(distiller.evaluate(x_train, y_train, verbose=0))
student_scratch.compile(optimizer=keras.optimizers.Adam(),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=[keras.metrics.SparseCategoricalAccuracy()])
student_scratch.fit(x_train, y_train, epochs=1, verbose=0)
print(student_scratch.evaluate(x_train, y_train, verbose=0))
model = distiller
