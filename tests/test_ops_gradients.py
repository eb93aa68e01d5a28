"""Every differentiable keras.op of seqcore/ops (creation ... linalg_extra):
the tape's vector-Jacobian product against float64 central differences
of sum(op(inputs) * r) for a fixed random r."""
import numpy as np
import pytest

from seqcore import ops
from seqcore.engine.tape import Tape, recording
from tests.numeric import central_differences


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _flat(v)]
    return [value]


def _float_leaves(value):
    return [v for v in _flat(value) if np.asarray(
        v.value if hasattr(v, "node") else v).dtype.kind == "f"]


def _weights(outs):
    rng = np.random.default_rng(7)
    return [rng.normal(size=np.shape(o.value if hasattr(o, "node") else o))
            for o in outs]


def _tape_grads(fn, arrays):
    tape = Tape("test")
    with recording(tape):
        traced = [tape.watch(a) for a in arrays]
        outs = _float_leaves(fn(*traced))
    rs = _weights(outs)
    seeds = [(o.node, r) for o, r in zip(outs, rs) if hasattr(o, "node")]
    grads = tape.backward(seeds)
    return [grads.get(t.node, np.zeros_like(a)) for t, a in
            zip(traced, arrays)], rs


def _numeric_grads(fn, arrays, rs, eps=1e-6):
    def total(xs):
        outs = _float_leaves(fn(*xs))
        return sum(np.sum(np.asarray(o, np.float64) * r)
                   for o, r in zip(outs, rs))
    return central_differences(total, arrays, eps)


def _r(*shape, seed=0, low=None, high=None):
    rng = np.random.default_rng(seed + 31 * len(shape) + sum(shape))
    if low is not None:
        return rng.uniform(low, high, shape)
    return rng.normal(size=shape)


def _spd(n, seed=0):
    a = _r(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)


IDX = np.array([[0, 3], [1, 1], [2, 0]])
CASES = [
    # creation / shape
    ("tril", lambda x: ops.tril(x, -1), [_r(3, 4)]),
    ("triu", lambda x: ops.triu(x, 1), [_r(2, 3, 3)]),
    ("broadcast_to", lambda x: ops.broadcast_to(x, (2, 3, 4)), [_r(3, 1)]),
    ("tile", lambda x: ops.tile(x, (2, 1, 3)), [_r(2, 3)]),
    ("repeat", lambda x: ops.repeat(x, 2, axis=1), [_r(2, 3)]),
    ("repeat counts", lambda x: ops.repeat(x, [1, 0, 3], axis=0),
     [_r(3, 2)]),
    ("repeat flat", lambda x: ops.repeat(x, 2), [_r(2, 2)]),
    ("take", lambda x: ops.take(x, np.array([2, 0, 2, -1]), axis=1),
     [_r(2, 3)]),
    ("take flat", lambda x: ops.take(x, np.array([[0, 5], [5, 2]])),
     [_r(2, 3)]),
    ("take_along_axis", lambda x: ops.take_along_axis(x, IDX, axis=1),
     [_r(3, 4)]),
    ("slice", lambda x: ops.slice(x, (1, 0), (2, 3)), [_r(3, 4)]),
    ("slice_update", lambda x, u: ops.slice_update(x, (1, 1), u),
     [_r(3, 4), _r(2, 2)]),
    ("split", lambda x: ops.split(x, [1, 3], axis=1), [_r(2, 4)]),
    ("array_split", lambda x: ops.array_split(x, 3, axis=0), [_r(4, 2)]),
    ("unstack", lambda x: ops.unstack(x, axis=1), [_r(2, 3)]),
    ("hstack vstack", lambda a, b: ops.vstack([ops.hstack([a, b]),
                                               ops.hstack([b, a])]),
     [_r(2, 2), _r(2, 2, seed=1)]),
    ("pad constant", lambda x: ops.pad(x, ((1, 0), (2, 1))), [_r(2, 3)]),
    ("pad reflect", lambda x: ops.pad(x, ((2, 1), (1, 2)), mode="reflect"),
     [_r(3, 4)]),
    ("pad symmetric", lambda x: ops.pad(x, 2, mode="symmetric"), [_r(3, 3)]),
    ("pad wrap", lambda x: ops.pad(x, ((1, 2), (0, 1)), mode="wrap"),
     [_r(2, 3)]),
    ("flip", lambda x: ops.flip(x, axis=0), [_r(3, 2)]),
    ("roll", lambda x: ops.roll(x, 2, axis=1), [_r(2, 4)]),
    ("roll flat", lambda x: ops.roll(x, -1), [_r(2, 3)]),
    ("rot90", lambda x: ops.rot90(x, 3), [_r(2, 3)]),
    ("moveaxis", lambda x: ops.moveaxis(x, [0, 1], [2, 0]), [_r(2, 3, 4)]),
    ("swapaxes", lambda x: ops.swapaxes(x, 0, 2), [_r(2, 3, 4)]),
    ("diagonal", lambda x: ops.diagonal(x, 1, 0, 2), [_r(3, 2, 4)]),
    ("diag", lambda x: ops.diag(x, -1), [_r(3)]),
    ("trace", lambda x: ops.trace(x), [_r(3, 3)]),
    ("meshgrid", lambda a, b: ops.meshgrid(a, b), [_r(3), _r(2, seed=1)]),
    # elementwise
    ("tan", ops.tan, [_r(5, low=-1, high=1)]),
    ("arcsin", ops.arcsin, [_r(5, low=-0.9, high=0.9)]),
    ("arccos", ops.arccos, [_r(5, low=-0.9, high=0.9)]),
    ("arctan", ops.arctan, [_r(5)]),
    ("sinh", ops.sinh, [_r(5)]),
    ("cosh", ops.cosh, [_r(5)]),
    ("arcsinh", ops.arcsinh, [_r(5)]),
    ("arccosh", ops.arccosh, [_r(5, low=1.2, high=3)]),
    ("arctanh", ops.arctanh, [_r(5, low=-0.9, high=0.9)]),
    ("log2", ops.log2, [_r(5, low=0.5, high=3)]),
    ("log10", ops.log10, [_r(5, low=0.5, high=3)]),
    ("exp2", ops.exp2, [_r(5)]),
    ("cbrt", ops.cbrt, [_r(5, low=0.3, high=2)]),
    ("rsqrt", ops.rsqrt, [_r(5, low=0.3, high=2)]),
    ("deg2rad", ops.deg2rad, [_r(5)]),
    ("fabs", ops.fabs, [_r(5)]),
    ("erf", ops.erf, [_r(5)]),
    ("erfc", ops.erfc, [_r(5)]),
    ("erfinv", ops.erfinv, [_r(5, low=-0.9, high=0.9)]),
    ("sinc", ops.sinc, [_r(5)]),
    ("arctan2", ops.arctan2, [_r(2, 3), _r(3, seed=1)]),
    ("hypot", ops.hypot, [_r(2, 3), _r(2, 3, seed=1)]),
    ("logaddexp", ops.logaddexp, [_r(2, 3), _r(3, seed=1)]),
    ("logaddexp2", ops.logaddexp2, [_r(2, 3), _r(2, 3, seed=1)]),
    ("mod", ops.mod, [_r(5) * 3, _r(5, low=0.6, high=1.4)]),
    ("fmod", ops.fmod, [_r(5) * 3, _r(5, low=0.6, high=1.4)]),
    ("divide_no_nan", ops.divide_no_nan, [_r(4), _r(4, low=0.5, high=2)]),
    ("fmax", ops.fmax, [_r(5), _r(5, seed=1)]),
    ("reciprocal", ops.reciprocal, [_r(4, low=0.5, high=2)]),
    # reductions
    ("cumsum", lambda x: ops.cumsum(x, axis=1), [_r(3, 4)]),
    ("cumsum flat", ops.cumsum, [_r(2, 3)]),
    ("cumprod", lambda x: ops.cumprod(x, axis=0), [_r(4, 3)]),
    ("cumprod with a zero", lambda x: ops.cumprod(x * np.array(
        [1.0, 0.0, 1.0, 1.0])), [_r(4)]),
    ("logsumexp", lambda x: ops.logsumexp(x, axis=-1), [_r(3, 4)]),
    ("logsumexp keepdims", lambda x: ops.logsumexp(x, axis=(0, 2),
                                                   keepdims=True),
     [_r(2, 3, 2)]),
    ("median", lambda x: ops.median(x, axis=1), [_r(3, 4)]),
    ("median odd", ops.median, [_r(5)]),
    ("quantile", lambda x: ops.quantile(x, np.array([0.2, 0.7]), axis=0),
     [_r(5, 2)]),
    ("average", lambda x, w: ops.average(x, axis=1, weights=w),
     [_r(2, 3), _r(3, low=0.5, high=2)]),
    ("ptp", lambda x: ops.ptp(x, axis=0), [_r(3, 2)]),
    ("nanmean", lambda x: ops.nanmean(x, axis=0), [_r(3, 2)]),
    ("diff", lambda x: ops.diff(x, n=2, axis=0), [_r(4, 2)]),
    ("trapezoid", lambda y: ops.trapezoid(y, dx=0.5), [_r(2, 5)]),
    # products
    ("einsum", lambda a, b: ops.einsum("bij,jk->bik", a, b),
     [_r(2, 3, 4), _r(4, 2)]),
    ("einsum diagonal", lambda a: ops.einsum("ii->i", a), [_r(3, 3)]),
    ("einsum sum away", lambda a, b: ops.einsum("ij,k->i", a, b),
     [_r(2, 3), _r(4)]),
    ("einsum ellipsis", lambda a, b: ops.einsum("...ij,...jk", a, b),
     [_r(2, 2, 3), _r(2, 3, 2)]),
    ("einsum three", lambda a, b, c: ops.einsum("ij,jk,kl->il", a, b, c),
     [_r(2, 3), _r(3, 2), _r(2, 2)]),
    ("tensordot", lambda a, b: ops.tensordot(a, b, axes=([1, 2], [0, 1])),
     [_r(2, 3, 4), _r(3, 4, 2)]),
    ("dot nd", ops.dot, [_r(2, 2, 3), _r(3, 2)]),
    ("dot vectors", ops.dot, [_r(4), _r(4, seed=1)]),
    ("outer", ops.outer, [_r(3), _r(2, 2)]),
    ("inner", ops.inner, [_r(2, 3), _r(4, 3)]),
    ("vdot", ops.vdot, [_r(2, 3), _r(2, 3, seed=1)]),
    ("kron", ops.kron, [_r(2, 2), _r(2, 3)]),
    ("cross", ops.cross, [_r(2, 3), _r(2, 3, seed=1)]),
    ("cross 2-vectors", ops.cross, [_r(3, 2), _r(3, 2, seed=1)]),
    ("norm", ops.norm, [_r(3, 4)]),
    ("norm vector p", lambda x: ops.norm(x, ord=3, axis=1), [_r(3, 4)]),
    ("norm inf", lambda x: ops.norm(x, ord=np.inf, axis=(0, 1)),
     [_r(3, 4)]),
    ("norm nuc", lambda x: ops.norm(x, ord="nuc"), [_r(3, 4)]),
    ("norm 2", lambda x: ops.norm(x, ord=2), [_r(3, 4)]),
    # sorting
    ("sort", lambda x: ops.sort(x, axis=0), [_r(4, 3)]),
    ("top_k", lambda x: ops.top_k(x, 2)[0], [_r(3, 5)]),
    # core
    ("while_loop", lambda x: ops.while_loop(
        lambda i, v: i < 3, lambda i, v: (i + 1, ops.sin(v) * v), (0, x))[1],
     [_r(3)]),
    ("fori_loop", lambda x: ops.fori_loop(0, 3, lambda i, v: v * v + i, x),
     [_r(3) * 0.5]),
    ("scan", lambda c0, xs: ops.scan(lambda c, x: (c * x, c + x), c0,
                                     xs), [_r(3), _r(4, 3)]),
    ("map", lambda xs: ops.map(lambda x: ops.sum(x * x), xs), [_r(3, 2)]),
    ("cond", lambda x: ops.cond(True, lambda: ops.exp(x), lambda: x),
     [_r(3)]),
    ("scatter", lambda v: ops.scatter(np.array([[0, 1], [1, 0], [0, 1]]), v,
                                      (2, 2)), [_r(3)]),
    ("scatter_update", lambda x, u: ops.scatter_update(
        x, np.array([[0, 1], [1, 0]]), u), [_r(2, 3), _r(2)]),
    ("select", lambda a, b: ops.select([np.array([True, False, False]),
                                        np.array([False, True, False])],
                                       [a, b], 0.0), [_r(3), _r(3, seed=1)]),
    # nn
    ("celu", lambda x: ops.celu(x, 0.7), [_r(6)]),
    ("glu", ops.glu, [_r(2, 4)]),
    ("soft_shrink", ops.soft_shrink, [_r(6)]),
    ("sparse_plus", ops.sparse_plus, [_r(6) * 1.5]),
    ("squareplus", ops.squareplus, [_r(6)]),
    ("log_sigmoid", ops.log_sigmoid, [_r(6)]),
    ("tanh_shrink", ops.tanh_shrink, [_r(6)]),
    ("sparsemax", ops.sparsemax, [_r(2, 4) * 0.3]),
    ("binary_crossentropy", lambda p: ops.binary_crossentropy(
        np.array([[0., 1.], [1., 0.]]), p), [_r(2, 2, low=0.1, high=0.9)]),
    ("binary_crossentropy logits", lambda z: ops.binary_crossentropy(
        np.array([[0., 1.], [1., 0.]]), z, from_logits=True), [_r(2, 2)]),
    ("categorical_crossentropy", lambda p: ops.categorical_crossentropy(
        np.eye(3)[[0, 2]], p), [_r(2, 3, low=0.1, high=0.9)]),
    ("categorical_crossentropy logits",
     lambda z: ops.categorical_crossentropy(np.eye(3)[[0, 2]], z,
                                            from_logits=True), [_r(2, 3)]),
    ("sparse_categorical_crossentropy",
     lambda z: ops.sparse_categorical_crossentropy(np.array([1, 2]), z,
                                                   from_logits=True),
     [_r(2, 3)]),
    ("moments", lambda x: ops.moments(x, axes=[0]), [_r(4, 3)]),
    ("batch_normalization", lambda x, m, v, b, s: ops.batch_normalization(
        x, m, v, axis=1, offset=b, scale=s),
     [_r(2, 3), _r(3), _r(3, low=0.5, high=2), _r(3, seed=2),
      _r(3, seed=3)]),
    ("layer_normalization", lambda x, g, b: ops.layer_normalization(
        x, gamma=g, beta=b), [_r(2, 4), _r(4), _r(4, seed=1)]),
    ("rms_normalization", lambda x, s: ops.rms_normalization(x, scale=s),
     [_r(2, 4), _r(4)]),
    ("normalize", ops.normalize, [_r(2, 3)]),
    ("normalize l1", lambda x: ops.normalize(x, order=1), [_r(2, 3)]),
    ("dot_product_attention", lambda q, k, v: ops.dot_product_attention(
        q, k, v, is_causal=True), [_r(1, 3, 2, 2), _r(1, 3, 2, 2, seed=1),
                                   _r(1, 3, 2, 2, seed=2)]),
    ("dot_product_attention gqa bias", lambda q, k, v, b:
     ops.dot_product_attention(q, k, v, bias=b),
     [_r(1, 2, 2, 2), _r(1, 3, 1, 2, seed=1), _r(1, 3, 1, 2, seed=2),
      _r(1, 1, 2, 3, seed=3)]),
    ("depth_to_space", lambda x: ops.depth_to_space(x, 2), [_r(1, 2, 1, 4)]),
    ("space_to_depth", lambda x: ops.space_to_depth(
        x, 2, data_format="channels_first"), [_r(1, 1, 2, 4)]),
    ("conv1d same strided", lambda x, k: ops.conv(x, k, strides=2,
                                                  padding="same"),
     [_r(2, 7, 2), _r(3, 2, 3)]),
    ("conv2d dilated", lambda x, k: ops.conv(x, k, dilation_rate=(2, 1)),
     [_r(1, 6, 5, 2), _r(2, 2, 2, 3)]),
    ("conv2d groups", lambda x, k: ops.conv(x, k, padding="same"),
     [_r(1, 4, 4, 4), _r(3, 3, 2, 4)]),
    ("conv2d channels_first", lambda x, k: ops.conv(
        x, k, strides=(1, 2), data_format="channels_first"),
     [_r(1, 2, 5, 5), _r(3, 2, 2, 2)]),
    ("conv3d", lambda x, k: ops.conv(x, k, padding="same"),
     [_r(1, 3, 3, 2, 1), _r(2, 2, 2, 1, 2)]),
    ("depthwise_conv", lambda x, k: ops.depthwise_conv(x, k, strides=2,
                                                       padding="same"),
     [_r(1, 5, 5, 2), _r(3, 3, 2, 2)]),
    ("separable_conv", lambda x, d, p: ops.separable_conv(x, d, p),
     [_r(1, 4, 4, 2), _r(2, 2, 2, 1), _r(1, 1, 2, 3)]),
    ("conv_transpose", lambda x, k: ops.conv_transpose(x, k, strides=2),
     [_r(1, 3, 3, 2), _r(3, 3, 3, 2)]),
    ("conv_transpose same output_padding", lambda x, k: ops.conv_transpose(
        x, k, strides=(2, 3), padding="same", output_padding=(1, 2)),
     [_r(1, 3, 2, 2), _r(3, 2, 2, 2)]),
    ("conv_transpose 1d dilated", lambda x, k: ops.conv_transpose(
        x, k, strides=2, dilation_rate=2), [_r(2, 4, 1), _r(2, 2, 1)]),
    ("max_pool", lambda x: ops.max_pool(x, 2, strides=1), [_r(1, 4, 4, 2)]),
    ("max_pool same", lambda x: ops.max_pool(x, 3, strides=2,
                                             padding="same"),
     [_r(1, 5, 4, 1)]),
    ("average_pool", lambda x: ops.average_pool(x, (2, 3), strides=(1, 2)),
     [_r(1, 4, 5, 2)]),
    ("average_pool same 1d", lambda x: ops.average_pool(
        x, 3, strides=2, padding="same"), [_r(2, 5, 2)]),
    ("adaptive_average_pool", lambda x: ops.adaptive_average_pool(
        x, (2, 3)), [_r(1, 5, 4, 2)]),
    ("adaptive_max_pool", lambda x: ops.adaptive_max_pool(x, 3),
     [_r(2, 7, 1)]),
    ("unfold", lambda x: ops.unfold(x, 2, padding=1, stride=(2, 1)),
     [_r(1, 2, 3, 4)]),
    ("fold", lambda x: ops.fold(x, (3, 4), 2, padding=1, stride=(2, 1)),
     [_r(1, 8, 10)]),
    ("rfft", lambda x: ops.rfft(x, 6), [_r(2, 5)]),
    ("rearrange", lambda x: ops.rearrange(x, "(a p) b -> b (p a)", p=2),
     [_r(4, 3)]),
    ("stft", lambda x: ops.stft(x, 4, 2, 6), [_r(2, 9)]),
    ("extract_patches", lambda x: ops.image.extract_patches(
        x, 2, strides=1), [_r(1, 3, 3, 2)]),
    # image
    ("resize bilinear", lambda x: ops.image.resize(x, (5, 3)),
     [_r(1, 3, 4, 2)]),
    ("resize bicubic antialias", lambda x: ops.image.resize(
        x, (2, 3), interpolation="bicubic", antialias=True), [_r(1, 4, 5, 1)]),
    ("affine_transform", lambda x: ops.image.affine_transform(
        x, np.array([0.9, 0.2, 0.3, -0.1, 1.1, -0.4, 0, 0])),
     [_r(1, 4, 5, 2)]),
    ("affine_transform reflect", lambda x: ops.image.affine_transform(
        x, np.array([1.3, 0.1, -1.3, 0.0, 1.2, 0.7, 0, 0]),
        fill_mode="reflect"), [_r(1, 4, 4, 1)]),
    ("crop_images", lambda x: ops.image.crop_images(
        x, top_cropping=1, bottom_cropping=1, left_cropping=0,
        target_width=2), [_r(1, 4, 3, 2)]),
    ("pad_images", lambda x: ops.image.pad_images(
        x, top_padding=1, bottom_padding=0, left_padding=2,
        right_padding=1), [_r(3, 2, 1)]),
    ("rgb_to_grayscale", ops.image.rgb_to_grayscale, [_r(1, 2, 2, 3)]),
    ("rgb_to_hsv", ops.image.rgb_to_hsv,
     [_r(1, 2, 2, 3, low=0.1, high=0.9)]),
    ("hsv_to_rgb", ops.image.hsv_to_rgb,
     [_r(1, 2, 2, 3, low=0.05, high=0.95)]),
    ("gaussian_blur", lambda x: ops.image.gaussian_blur(
        x, (3, 3), (0.9, 1.3)), [_r(1, 4, 3, 2)]),
    ("sobel_edges", ops.image.sobel_edges, [_r(1, 3, 4, 1)]),
    ("map_coordinates", lambda x: ops.image.map_coordinates(
        x, np.array([[0.3, 1.7, -0.4, 2.2], [1.1, 0.2, 2.5, 3.9]]), 1),
     [_r(3, 4)]),
    ("map_coordinates mirror", lambda x: ops.image.map_coordinates(
        x, np.array([[3.3, -1.7], [4.6, 0.5]]), 1, fill_mode="mirror"),
     [_r(3, 4)]),
    # linalg
    ("inv", ops.inv, [_spd(3)]),
    ("det", ops.det, [_r(2, 3, 3)]),
    ("logdet", ops.logdet, [_spd(3)]),
    ("slogdet", lambda x: ops.slogdet(x)[1], [_r(3, 3)]),
    ("solve", ops.solve, [_spd(3), _r(3, 2)]),
    ("solve vector", ops.solve, [_spd(3), _r(3)]),
    ("solve_triangular", lambda a, b: ops.solve_triangular(a, b, lower=True),
     [_spd(3), _r(3, 2)]),
    ("cholesky", lambda a: ops.cholesky((a + ops.transpose(a)) * 0.5),
     [_spd(3)]),
    ("cholesky upper", lambda a: ops.cholesky(
        (a + ops.transpose(a)) * 0.5, upper=True), [_spd(3)]),
    ("cholesky_inverse", ops.linalg.cholesky_inverse,
     [np.linalg.cholesky(_spd(3))]),
    ("svd values", lambda x: ops.svd(x, compute_uv=False), [_r(4, 3)]),
    # the smaller corners
    ("nan_to_num", lambda x: ops.nan_to_num(x * 2), [_r(4)]),
    ("vander", lambda x: ops.vander(x, 3), [_r(4)]),
    ("segment_sum", lambda x: ops.segment_sum(x, np.array([1, 0, 1]), 3),
     [_r(3, 2)]),
    ("cdist", ops.cdist, [_r(3, 2), _r(2, 2, seed=5)]),
    ("extract_sequences", lambda x: ops.extract_sequences(x, 3, 2),
     [_r(2, 7)]),
    ("custom_gradient", lambda x: _log1pexp(x), [_r(4)]),
]


@ops.custom_gradient
def _log1pexp(x):
    """log(1 + exp(x)) with its gradient written by hand, as in Keras's
    custom_gradient example."""
    e = ops.exp(x)

    def grad(*args, upstream=None):
        if upstream is None:
            (upstream,) = args
        return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))
    return ops.log(1 + e), grad


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_vjp_matches_float64_finite_differences(name, fn, arrays):
    arrays = [np.asarray(a, np.float64) for a in arrays]
    grads, rs = _tape_grads(fn, arrays)
    expected = _numeric_grads(fn, arrays, rs)
    assert any(np.any(e != 0) for e in expected), "the case tests nothing"
    for g, e in zip(grads, expected):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", [
    ("conv2d", lambda x, k: ops.conv(x, k, strides=(2, 1), padding="same"),
     (2, 7, 6, 3), (3, 2, 3, 4)),
    ("conv2d dilated", lambda x, k: ops.conv(x, k, dilation_rate=2),
     (1, 7, 7, 2), (2, 3, 2, 5)),
], ids=lambda c: c[0])
def test_float32_conv_on_the_c_kernels_equals_float64(case):
    """2-D float32 convolutions run on conv2d_forward/backward: their
    values and gradients equal the float64 (GEMM) path's."""
    _, fn, xs, ks = case
    x, k = _r(*xs), _r(*ks, seed=1)
    g64, rs = _tape_grads(fn, [x, k])
    tape = Tape("test")
    with recording(tape):
        tx, tk = tape.watch(x.astype(np.float32)), tape.watch(
            k.astype(np.float32))
        out = fn(tx, tk)
    assert out.value.dtype == np.float32
    np.testing.assert_allclose(out.value, fn(x, k), rtol=1e-4, atol=1e-5)
    grads = tape.backward([(out.node, rs[0].astype(np.float32))])
    for t, g in zip((tx, tk), g64):
        assert grads[t.node].dtype == np.float32
        np.testing.assert_allclose(grads[t.node], g, rtol=1e-4, atol=1e-4)
