/*
 * fastmath.h - branch-free exp, sigmoid, tanh and log1p for float32 that
 * compilers vectorize (libm's expf is a scalar call). Relative error a few
 * ulp.
 */
#ifndef SC_FASTMATH_H
#define SC_FASTMATH_H

#include <stdint.h>
#include <string.h>

/* exp(x) = 2^n * exp(r), n = round(x / ln 2), |r| <= ln(2) / 2; exp(r) by the
 * Cephes degree-6 polynomial. Inputs are clamped to the float range, so the
 * result saturates at 1.7e38 instead of inf and at 1.2e-38 instead of 0. */
static inline float sc_expf(float x)
{
    const float log2e = 1.44269504088896341f;
    const float ln2_hi = 0.693359375f, ln2_lo = -2.12194440e-4f;
    const float round_magic = 12582912.0f; /* 1.5 * 2^23 */
    /* written so that a NaN fails both tests and stays NaN */
    x = x > 88.3762626647949f ? 88.3762626647949f : x;
    x = x < -87.3365447505531f ? -87.3365447505531f : x;
    const float n = (x * log2e + round_magic) - round_magic;
    const float r = (x - n * ln2_hi) - n * ln2_lo;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float sc_sigmoidf(float x)
{
    return 1.0f / (1.0f + sc_expf(-x));
}

/* Odd Taylor series near 0, where 1 - 2 / (e^2x + 1) would cancel. */
static inline float sc_tanhf(float x)
{
    const float ax = x < 0.0f ? -x : x;
    const float x2 = x * x;
    float small = -1382.0f / 155925.0f;
    small = small * x2 + 62.0f / 2835.0f;
    small = small * x2 - 17.0f / 315.0f;
    small = small * x2 + 2.0f / 15.0f;
    small = small * x2 - 1.0f / 3.0f;
    small = small * x2 * x + x;
    const float big = 1.0f - 2.0f / (sc_expf(2.0f * ax) + 1.0f);
    const float signed_big = x < 0.0f ? -big : big;
    return ax < 0.3f ? small : signed_big;
}

/* log(1 + t) for t in [0, 1] (softplus's tail): u = 1 + t rounded, its
 * rounding error c added back as c / u; log(u) = e ln 2 + log(m) with m in
 * [0.707, 1.414] and log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.18,
 * by its odd series to s^11 (next term below 1e-10 relative). */
static inline float sc_log1p_unitf(float t)
{
    const float u = 1.0f + t;
    const float c = t - (u - 1.0f);
    const int big = u > 1.41421356f;
    const float m = big ? 0.5f * u : u;
    const float f = m - 1.0f;
    const float s = f / (2.0f + f), z = s * s;
    float p = 1.0f / 11.0f;
    p = p * z + 1.0f / 9.0f;
    p = p * z + 1.0f / 7.0f;
    p = p * z + 1.0f / 5.0f;
    p = p * z + 1.0f / 3.0f;
    p = (p * z + 1.0f) * 2.0f * s;
    return (big ? 0.69314718056f : 0.0f) + p + c / u;
}

#endif /* SC_FASTMATH_H */
