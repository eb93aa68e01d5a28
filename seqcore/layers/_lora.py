"""LoRA (low-rank adaptation) for Dense and Embedding, as Keras 3's
`layer.enable_lora(rank)` / `lora_rank=`: the base weight W (Dense's
kernel, Embedding's embeddings) is frozen and the layer computes with
W + (lora_alpha / lora_rank) * A @ B, where A (W's rows, rank) starts
he_uniform and B (rank, W's columns) zeros, so that enabling LoRA leaves
the outputs unchanged. Training writes the gradient of W (dW, as the layer
always does) into A's and B's: dA = s dW B^T, dB = s A^T dW.

Saving follows Keras: a LoRA layer's file holds the merged weight in W's
place (and no A, B); loading assigns it to W and resets A and B to zeros.
"""
import numpy as np

from seqcore.engine.variables import store_grad


class LoraMixin:
    """Shared by Dense (base "kernel", weights lora_kernel_a/_b) and
    Embedding (base "embeddings", lora_embeddings_a/_b)."""

    _lora_base = None           # the base weight's attribute name
    _lora_constraint = None     # its constraint's attribute name

    def _init_lora(self, lora_rank, lora_alpha):
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False

    @property
    def _lora_names(self):
        return f"lora_{self._lora_base}_a", f"lora_{self._lora_base}_b"

    def enable_lora(self, rank, lora_alpha=None, a_initializer="he_uniform",
                    b_initializer="zeros"):
        """Freeze the base weight and add the trainable low-rank pair."""
        base_name = self._lora_base
        if getattr(self, self._lora_constraint) is not None:
            noun = "kernel" if base_name == "kernel" else "embedding"
            raise ValueError(
                f"Lora is incompatible with {noun} constraints. In order to "
                f"enable lora on this layer, remove the "
                f"`{self._lora_constraint}` argument.")
        if not self.built:
            raise ValueError("Cannot enable lora on a layer that isn't yet "
                             "built.")
        if self.lora_enabled:
            raise ValueError("lora is already enabled. This can only be "
                             "done once per layer.")
        rank = int(rank)
        if rank < 1:
            raise ValueError(f"{type(self).__name__} '{self.name}': the "
                             f"LoRA rank must be a positive integer, "
                             f"received rank={rank}")
        base = getattr(self, base_name)
        regularizer = getattr(self, f"{base_name}_regularizer")
        name_a, name_b = self._lora_names
        a = self.add_weight(shape=(base.shape[0], rank),
                            initializer=a_initializer,
                            regularizer=regularizer, name=name_a)
        b = self.add_weight(shape=(rank, base.shape[1]),
                            initializer=b_initializer,
                            regularizer=regularizer, name=name_b)
        setattr(self, name_a, a)
        setattr(self, name_b, b)
        base.trainable = False
        self.lora_enabled = True
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank

    def _lora_pair(self):
        name_a, name_b = self._lora_names
        return getattr(self, name_a), getattr(self, name_b)

    def _lora_scale(self):
        return np.float32(self.lora_alpha / self.lora_rank)

    def _effective_weight(self):
        """The weight the layer computes with: W, or W + s A @ B."""
        base = getattr(self, self._lora_base).value
        if not self.lora_enabled:
            return base
        a, b = self._lora_pair()
        return (base + self._lora_scale() * (a.value @ b.value)).astype(
            np.float32)

    def _lora_wants_grad(self):
        """Whether backward must form dW: W or the LoRA pair wants it."""
        if not self.lora_enabled:
            return False
        a, b = self._lora_pair()
        return a.grad is not None or b.grad is not None

    def _store_lora_grads(self, dw):
        """dA and dB from dW (the gradient of the effective weight)."""
        a, b = self._lora_pair()
        scale = self._lora_scale()
        if a.grad is not None:
            store_grad(a, scale * (dw @ b.value.T))
        if b.grad is not None:
            store_grad(b, scale * (a.value.T @ dw))


    def _lora_config(self, config):
        if self.lora_rank:
            config["lora_rank"] = self.lora_rank
            config["lora_alpha"] = self.lora_alpha
        return config

    def save_own_variables(self, store):
        if not self.lora_enabled:
            return super().save_own_variables(store)
        a, b = self._lora_pair()
        index = 0
        for w in self._own_weights:
            if w is a or w is b:
                continue
            value = self._effective_weight() if \
                w is getattr(self, self._lora_base) else w.numpy()
            store[str(index)] = np.asarray(value)
            index += 1

    def load_own_variables(self, store):
        if not self.lora_enabled:
            return super().load_own_variables(store)
        a, b = self._lora_pair()
        own = [w for w in self._own_weights if w is not a and w is not b]
        if len(store.keys()) != len(own):
            raise ValueError(
                f"Layer '{self.name}' expected {len(own)} variables, but "
                f"received {len(store.keys())} variables during loading.")
        for i, w in enumerate(own):
            w.assign(np.asarray(store[str(i)]))
        a.assign(np.zeros(a.shape, np.float32))
        b.assign(np.zeros(b.shape, np.float32))

