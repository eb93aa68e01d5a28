"""FarmHash Fingerprint64 (the farmhashna 64-bit hash of Geoff Pike's
FarmHash, MIT licensed), in plain Python on 64-bit unsigned integers: what
TensorFlow's to_hash_bucket_fast, and so Keras's Hashing layer, buckets
strings with. Written from the published algorithm; checked against the
bucket values of Keras's and TensorFlow's documentation."""
import struct

_M = (1 << 64) - 1
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F


def _u64(data, at):
    return struct.unpack_from("<Q", data, at)[0]


def _u32(data, at):
    return struct.unpack_from("<I", data, at)[0]


def _rot(value, shift):
    return value if shift == 0 else \
        ((value >> shift) | (value << (64 - shift))) & _M


def _mix(value):
    return value ^ (value >> 47)


def _pair(u, v, mul):
    """Murmur-style mixing of two words with multiplier `mul`."""
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _short(s):
    n = len(s)
    if n >= 8:
        mul = (_K2 + 2 * n) & _M
        a = (_u64(s, 0) + _K2) & _M
        b = _u64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M
        d = ((_rot(a, 25) + b) * mul) & _M
        return _pair(c, d, mul)
    if n >= 4:
        mul = (_K2 + 2 * n) & _M
        return _pair((n + (_u32(s, 0) << 3)) & _M, _u32(s, n - 4), mul)
    if n:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
    return _K2


def _medium(s):
    n = len(s)
    mul = (_K2 + 2 * n) & _M
    a = (_u64(s, 0) * _K1) & _M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _M
    d = (_u64(s, n - 16) * _K2) & _M
    return _pair((_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M,
                 (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)


def _long(s):
    n = len(s)
    mul = (_K2 + 2 * n) & _M
    a = (_u64(s, 0) * _K2) & _M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _M
    d = (_u64(s, n - 16) * _K2) & _M
    y = (_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M
    z = _pair(y, (a + _rot((b + _K2) & _M, 18) + c) & _M, mul)
    e = (_u64(s, 16) * mul) & _M
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & _M
    h = ((z + _u64(s, n - 24)) * mul) & _M
    return _pair((_rot((e + f) & _M, 43) + _rot(g, 30) + h) & _M,
                 (e + _rot((f + a) & _M, 18) + g) & _M, mul)


def _weak32(s, at, a, b):
    """Two words mixing s[at:at+32] with seeds a, b."""
    w, x, y, z = (_u64(s, at + 8 * i) for i in range(4))
    a = (a + w) & _M
    b = _rot((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _rot(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M



def fingerprint64(data):
    """The 64-bit fingerprint of `data` (bytes)."""
    n = len(data)
    if n <= 16:
        return _short(data)
    if n <= 32:
        return _medium(data)
    if n <= 64:
        return _long(data)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _M
    z = (_mix((y * _K2 + 113) & _M) * _K2) & _M
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _u64(data, 0)) & _M
    end = ((n - 1) // 64) * 64
    at = 0
    while True:
        x = (_rot((x + y + v0 + _u64(data, at + 8)) & _M, 37) * _K1) & _M
        y = (_rot((y + v1 + _u64(data, at + 48)) & _M, 42) * _K1) & _M
        x ^= w1
        y = (y + v0 + _u64(data, at + 40)) & _M
        z = (_rot((z + w0) & _M, 33) * _K1) & _M
        v0, v1 = _weak32(data, at, (v1 * _K1) & _M, (x + w0) & _M)
        w0, w1 = _weak32(data, at + 32, (z + w1) & _M,
                         (y + _u64(data, at + 16)) & _M)
        z, x = x, z
        at += 64
        if at == end:
            break
    mul = (_K1 + ((z & 0xFF) << 1)) & _M
    at = n - 64
    w0 = (w0 + ((n - 1) & 63)) & _M
    v0 = (v0 + w0) & _M
    w0 = (w0 + v0) & _M
    x = (_rot((x + y + v0 + _u64(data, at + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v1 + _u64(data, at + 48)) & _M, 42) * mul) & _M
    x ^= (w1 * 9) & _M
    y = (y + v0 * 9 + _u64(data, at + 40)) & _M
    z = (_rot((z + w0) & _M, 33) * mul) & _M
    v0, v1 = _weak32(data, at, (v1 * mul) & _M, (x + w0) & _M)
    w0, w1 = _weak32(data, at + 32, (z + w1) & _M,
                     (y + _u64(data, at + 16)) & _M)
    z, x = x, z
    return _pair((_pair(v0, w0, mul) + _mix(y) * _K0 + z) & _M,
                 (_pair(v1, w1, mul) + x) & _M, mul)
