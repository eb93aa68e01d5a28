"""Writes r/R/ops_table.R: the table the R op_*() functions are made from.

One row per public function of seqcore.ops, and per image op of
seqcore.ops.image that R keras has (`image.resize` in the table, the R
function op_image_resize(); `crop_images` and `pad_images` are
op_image_crop() and op_image_pad()): the Python op, the R formals (from the Python signature, defaults in R syntax) and how
each argument is converted (t: array, axis: 1-based axis, shape: shape,
int: count, idx: 1-based index array, fn: R function, -: as is), plus which
part of the result holds 0-based indices to return 1-based.
Run after seqcore.ops gains ops:
    python r/tools/make_ops_table.py   (with seqcore importable)
"""
import inspect
import os

import seqcore.ops as ops

SKIP = {"custom_gradient"}  # a Python decorator; nothing to call from R
# keras.ops.image's ops that R keras (keras3) has as op_image_*()
IMAGE_OPS = ("affine_transform", "crop_images", "elastic_transform",
             "extract_patches", "gaussian_blur", "hsv_to_rgb",
             "map_coordinates", "pad_images", "perspective_transform",
             "resize", "rgb_to_grayscale", "rgb_to_hsv")
TENSOR = {"x", "x1", "x2", "y", "a", "b", "inputs", "kernel",
          "depthwise_kernel", "pointwise_kernel", "target", "output",
          "condition", "xs", "elems", "mean", "variance", "gamma", "beta",
          "weights", "bins", "values", "updates", "sorted_sequence", "data",
          "targets", "predictions", "tensor", "array", "abs_", "angle",
          "variable", "condlist", "choicelist", "sequence_lengths",
          "target_length", "output_length", "q", "segment_ids", "query",
          "key", "value", "bias", "mask", "images", "transform",
          "coordinates", "start_points", "end_points"}
AXIS = {"axis", "axis1", "axis2", "axisa", "axisb", "axisc", "source",
        "destination"}
SHAPE = {"shape", "newshape"}
INT = {"N", "M", "k", "num", "num_classes", "minlength", "n", "kth",
       "block_size", "sequence_length", "sequence_stride", "fft_length",
       "length", "beam_width", "top_paths", "mask_index", "num_segments",
       "decimals", "shift", "repeats", "kernel_size", "dilation", "padding",
       "stride", "strides", "pool_size", "dilation_rate", "lower", "upper",
       "maximum_iterations", "size", "indices_or_sections", "offset",
       "output_padding", "output_size", "unroll", "top_cropping",
       "left_cropping", "bottom_cropping", "right_cropping", "target_height",
       "target_width", "top_padding", "left_padding", "bottom_padding",
       "right_padding"}
FN = {"f", "fun", "true_fn", "false_fn", "body_fun", "cond", "body", "pyfunc",
      "function", "branches"}
# per-op exceptions to the name rules
OVERRIDE = {
    ("batch_normalization", "offset"): "t",
    ("batch_normalization", "scale"): "t",
    ("rms_normalization", "scale"): "t",
    ("transpose", "axes"): "axis", ("moments", "axes"): "axis",
    ("rot90", "axes"): "axis", ("tensordot", "axes"): "axes2",
    ("take", "indices"): "idx", ("take_along_axis", "indices"): "idx",
    ("scatter", "indices"): "idx", ("scatter_update", "indices"): "idx",
    ("slice", "start_indices"): "idx", ("slice_update", "start_indices"): "idx",
    ("one_hot", "x"): "idx", ("multi_hot", "inputs"): "idx",
    ("in_top_k", "targets"): "idx",
    ("while_loop", "loop_vars"): "-", ("fori_loop", "init_val"): "-",
    ("scan", "init"): "-", ("scan", "xs"): "-", ("map", "xs"): "-",
    ("associative_scan", "elems"): "-", ("vectorized_map", "elements"): "-",
    ("switch", "index"): "-", ("cond", "pred"): "-",
    ("arange", "start"): "-", ("linspace", "start"): "t",
    ("linspace", "stop"): "t", ("logspace", "start"): "t",
    ("logspace", "stop"): "t", ("geomspace", "start"): "t",
    ("geomspace", "stop"): "t", ("full", "fill_value"): "-",
    ("full_like", "fill_value"): "-", ("unravel_index", "indices"): "idx",
    ("unravel_index", "shape"): "shape",
    ("pad", "pad_width"): "int", ("histogram", "bins"): "int",
}
# ops whose result holds 0-based indices: "1" the result, "2" its second
# element, "all" every element
INDEX_OUT = {"argmax": "1", "argmin": "1", "argsort": "1", "argpartition": "1",
             "nanargmax": "1", "nanargmin": "1", "searchsorted": "1",
             "top_k": "2", "nonzero": "all", "unravel_index": "all"}
R_NAMES = {"function": "f"}


def r_default(value):
    if value is None:
        return "NULL"
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, str):
        return '"%s"' % value
    if isinstance(value, int):
        return "%dL" % value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple):
        return "c(%s)" % ", ".join(r_default(v) for v in value)
    raise ValueError(value)


def one_based(axis):
    """A Python default axis as R's (0 -> 1; negative axes unchanged)."""
    if isinstance(axis, tuple):
        return tuple(one_based(a) for a in axis)
    if isinstance(axis, int) and not isinstance(axis, bool) and axis >= 0:
        return axis + 1
    return axis


def kind(op, name):
    if (op, name) in OVERRIDE:
        return OVERRIDE[(op, name)]
    for names, k in ((TENSOR, "t"), (AXIS, "axis"), (SHAPE, "shape"),
                     (INT, "int"), (FN, "fn")):
        if name in names:
            return k
    return "-"


def public_ops():
    """(table name, function): seqcore.ops's, then the image ops."""
    for op in sorted(n for n in dir(ops) if not n.startswith("_")):
        fn = getattr(ops, op)
        if op not in SKIP and not inspect.ismodule(fn) and callable(fn):
            yield op, fn
    for op in IMAGE_OPS:
        yield "image." + op, getattr(ops.image, op)


rows = []
for op, fn in public_ops():
    formals, kinds = [], []
    for p in inspect.signature(fn).parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            formals.append("...")
            kinds.append("...:t")
            continue
        if p.kind is p.VAR_KEYWORD:
            if "..." not in formals:
                formals.append("...")
                kinds.append("...:-")
            continue
        r_name = R_NAMES.get(p.name, p.name)
        default = p.default
        if kind(op, p.name) == "axis" and default is not p.empty:
            default = one_based(default)
        formals.append(r_name if p.default is p.empty
                       else "%s = %s" % (r_name, r_default(default)))
        py = "" if r_name == p.name else "=" + p.name
        kinds.append("%s%s:%s" % (r_name, py, kind(op, p.name)))
    index_out = INDEX_OUT.get(op, "")
    if index_out or any(k.endswith(":idx") for k in kinds):
        formals.append("zero_indexed = FALSE")
    rows.append((op, ", ".join(formals), " ".join(kinds), index_out))

out = os.path.join(os.path.dirname(__file__), "..", "R", "ops_table.R")
with open(out, "w") as f:
    f.write("# Generated by r/tools/make_ops_table.py from seqcore.ops: do not "
            "edit by hand.\n# op | R formals | argument conversions | "
            "0-based indices in the result\n")
    f.write("ops_table_text <- c(\n")
    f.write(",\n".join('  "%s | %s | %s | %s"' % (
        op, formals.replace('"', '\\"'), kinds, idx)
        for op, formals, kinds, idx in rows))
    f.write("\n)\n\n# the op_*() functions, made from the table (see ops.R)\n")
    f.write("make_ops(ops_table_text, environment())\n")
print(len(rows), "ops")
