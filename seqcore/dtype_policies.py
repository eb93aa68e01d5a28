"""keras.dtype_policies: a layer's dtype policy (the dtype it computes in and
the dtype of its variables).

seqcore computes in float32. The "float32" policy is the only one it runs
as named. The mixed policies ("mixed_float16", "mixed_bfloat16") are
accepted, kept on the layer and written into configs (so a `.keras` file
still says what the program asked for), but the layers compute and keep
their variables in float32: `layer.compute_dtype` and
`layer.variable_dtype` say "float32", and one warning per process says so.
Other float dtypes ("float16", "bfloat16", "float64") are refused with a
ValueError when given to a layer or set as the global policy. A policy
object itself describes its name as Keras does (DTypePolicy("mixed_float16")
.compute_dtype is "float16").
"""
import warnings

from seqcore.saving.serialization import serialize_object

MIXED = {"mixed_float16": ("float16", "float32"),
         "mixed_bfloat16": ("bfloat16", "float32")}
_STATE = {"policy": None, "warned": False}


class DTypePolicy:
    """A dtype policy: `name` is a dtype name ("float32") or a mixed policy
    ("mixed_float16": compute float16, variables float32).

    Args:
        name: the policy's name; None takes the global policy's.
    """

    def __init__(self, name=None):
        if name is None:
            name = dtype_policy().name
        self._name = name
        self._compute_dtype, self._variable_dtype = _parse(name)
        self._quantization_mode = None

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        """The dtype Keras computes in under this policy."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """The dtype of the variables under this policy."""
        return self._variable_dtype

    @property
    def quantization_mode(self):
        """None: seqcore has no quantized policies."""
        return self._quantization_mode

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other):
        return type(other) in (DTypePolicy, FloatDTypePolicy) and \
            other.name == self._name

    def __hash__(self):
        return hash(self._name)


class FloatDTypePolicy(DTypePolicy):
    """Another name of DTypePolicy (Keras keeps both)."""


def _parse(name):
    if not isinstance(name, str):
        raise TypeError(f"'name' must be a string, such as 'mixed_float16'. "
                        f"Received: name={name} (of type {type(name)})")
    if name in MIXED:
        return MIXED[name]
    if name == "bfloat16":
        return name, name
    from seqcore.backend import standardize_dtype
    try:
        dtype = standardize_dtype(name)
    except ValueError:
        raise ValueError(
            f"Cannot convert '{name}' to a mixed precision DTypePolicy. "
            f"Valid policies are 'mixed_float16', 'mixed_bfloat16' and the "
            f"name of a dtype such as 'float32'.") from None
    return dtype, dtype


def get(identifier):
    """A DTypePolicy from None (the global one), a name, a config dict, a
    policy or a dtype.

    Args:
        identifier: what to interpret.
    """
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    from seqcore.backend import standardize_dtype
    try:
        return DTypePolicy(standardize_dtype(identifier))
    except (TypeError, ValueError):
        raise ValueError(f"Cannot interpret `dtype` argument. Expected a "
                         f"string or an instance of DTypePolicy. Received: "
                         f"dtype={identifier}") from None


def serialize(dtype_policy):
    """Keras's dict of a policy: module "keras", class DTypePolicy."""
    if not isinstance(dtype_policy, DTypePolicy):
        raise TypeError(f"serialize: expected a DTypePolicy, received "
                        f"{dtype_policy!r}")
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": dtype_policy.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    """The policy a serialized dict describes."""
    classes = {"DTypePolicy": DTypePolicy, "FloatDTypePolicy":
               FloatDTypePolicy}
    classes.update(custom_objects or {})
    name = config.get("class_name")
    if name not in classes:
        raise ValueError(f"Unknown dtype policy class {name!r}; seqcore "
                         f"knows DTypePolicy and FloatDTypePolicy")
    return classes[name].from_config(config.get("config", {}))


def _supported(policy, owner, received, stacklevel=5):
    """`policy` if seqcore can run it (float32, or a mixed policy, run in
    float32 after one warning); else a ValueError naming `owner`."""
    if policy.name in MIXED:
        if not _STATE["warned"]:
            _STATE["warned"] = True
            warnings.warn(
                f"seqcore computes in float32: the {policy.name!r} dtype "
                f"policy is kept in configs, but layers compute and store "
                f"their variables in float32.", UserWarning,
                stacklevel=stacklevel)
        return policy
    if policy.variable_dtype != "float32":
        raise ValueError(f"{owner}: seqcore computes in float32; received "
                         f"dtype={received!r}")
    return policy


def layer_policy(owner, dtype):
    """The policy of a layer constructed with `dtype` (None: the global
    policy); unsupported dtypes raise ValueError naming the layer."""
    if dtype is None:
        return dtype_policy()
    try:
        policy = get(dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: seqcore computes in float32; received "
                         f"dtype={dtype!r}") from None
    return _supported(policy, owner, dtype)


def dtype_policy():
    """The global dtype policy (DTypePolicy("float32") unless set)."""
    if _STATE["policy"] is None:
        _STATE["policy"] = DTypePolicy("float32")
    return _STATE["policy"]


def set_dtype_policy(policy):
    """Set the global dtype policy of new layers.

    Args:
        policy: a policy name or a DTypePolicy. "float32" and the mixed
            policies are accepted (mixed ones run in float32, see the module
            docstring); other dtypes raise ValueError.
    """
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    elif not isinstance(policy, DTypePolicy):
        raise ValueError(f"Invalid `policy` argument. Expected the string "
                         f"name of a policy (such as 'mixed_float16') or a "
                         f"`DTypePolicy` instance. Received: policy={policy} "
                         f"(of type {type(policy)})")
    if policy.name not in MIXED and policy.variable_dtype != "float32":
        raise ValueError(f"seqcore computes in float32 only: "
                         f"set_dtype_policy received {policy.name!r}")
    _supported(policy, "set_dtype_policy", policy.name, stacklevel=4)
    _STATE["policy"] = policy


__all__ = ["DTypePolicy", "FloatDTypePolicy", "deserialize", "get",
           "serialize"]
