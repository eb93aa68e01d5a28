/*
 * seqcore.h - the C API of every seqcore kernel.
 *
 * Conventions: matrices are row-major unless a stride says otherwise; element
 * strides (not bytes) are signed longs; every kernel is callable without the
 * GIL and chooses its own thread count through sc_threads_for_work().
 */
#ifndef SEQCORE_H
#define SEQCORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CPU features and threads (cpu.c) ---------------------------------- */

typedef enum {
    SC_ISA_GENERIC = 0,   /* portable C, always available */
    SC_ISA_AVX2 = 1,      /* AVX2 + FMA */
    SC_ISA_AVX512 = 2     /* AVX-512F */
} sc_isa;

/* 1 if the ISA's kernels were compiled in and this CPU and OS can run them. */
int sc_isa_available(sc_isa isa);
/* The best available ISA. */
sc_isa sc_isa_best(void);
/* Select the kernels of `isa`; returns 0, or -1 (and changes nothing) when
 * the ISA is not available. */
int sc_isa_select(sc_isa isa);
sc_isa sc_isa_current(void);
const char *sc_isa_name(sc_isa isa);

/* 1 when the extension was compiled with OpenMP. */
int sc_openmp_enabled(void);
/* Threads every kernel may use (>= 1); without OpenMP always 1. */
void sc_set_num_threads(int n);
int sc_get_num_threads(void);
/* The default: OMP_NUM_THREADS if set, else the CPUs in our affinity mask. */
int sc_default_num_threads(void);
/* Threads worth using for `flops` of work: 1 below the threshold where
 * forking costs more than it saves, or when called from inside a parallel
 * region (a kernel's worker); never more than sc_get_num_threads(). */
int sc_threads_for_work(double flops);

/* ---- caches (cpu_cache.c) ---------------------------------------------- */

/* Data cache sizes in bytes of the core we run on; l3 is one core's share
 * (the cache's size over the logical CPUs sharing it). source: "sysfs",
 * "cpuid" or "default" (neither answered). */
typedef struct {
    long l1d, l2, l3;
    const char *source;
} sc_cache_sizes;

/* Read once, on first use. */
const sc_cache_sizes *sc_cpu_caches(void);
/* One source's answer ("sysfs", "cpuid", "default"), or NULL when that
 * source says nothing here; for tests and diagnostics. Not thread-safe. */
const sc_cache_sizes *sc_cpu_caches_from(const char *source);

/* The float32 GEMM's micro-tile and cache blocks for the selected ISA
 * (gemm/kernels.c). */
void sc_sgemm_blocks(int *mr, int *nr, long *mc, long *kc, long *nc);

/* A register-resident FMA loop of the selected ISA (peak.c): `iters`
 * iterations of independent fused multiply-adds on as many accumulators as
 * hide the FMA latency, no memory traffic. Returns the flops performed
 * (2 per lane per FMA); the caller times it to measure this core's peak.
 * *sink receives a value that depends on every accumulator. */
double sc_fma_peak_loop(long iters, float *sink);

/* ---- working memory (scratch.c) ---------------------------------------- */

/* The bytes of the last allocation a kernel failed to get, and forget it:
 * 0 when none failed since the last call, SIZE_MAX when the size itself
 * overflowed 64 bits (or a count was negative). A kernel that returns -1
 * for "out of memory" has recorded its request here. */
size_t sc_alloc_failure_bytes(void);
/* Make every kernel allocation above `bytes` fail as if out of memory
 * (SIZE_MAX: no limit, the default). For tests of the failure path. */
void sc_set_alloc_limit(size_t bytes);

/* numpy's data allocator while a model runs (array_cache.c): blocks of at
 * least SC_ARRAY_CACHE_MIN_BYTES are parked when freed and reused for a
 * later request of about the same size, up to a limit on the parked total.
 * Each block is 64-byte aligned. Thread-safe. */
#define SC_ARRAY_CACHE_MIN_BYTES ((size_t)1 << 20)
typedef struct {
    unsigned long long fresh;    /* large requests served by the system */
    unsigned long long reused;   /* large requests served by a parked block */
    unsigned long long released; /* parked blocks returned to the system */
    size_t parked_bytes, limit_bytes;
} sc_array_cache_stats;
void *sc_array_cache_malloc(size_t size);
void *sc_array_cache_calloc(size_t count, size_t size);
void *sc_array_cache_realloc(void *p, size_t size);
void sc_array_cache_free(void *p);
/* Park at most `bytes` in total (returning the oldest blocks now). */
void sc_array_cache_set_limit(size_t bytes);
/* Return every parked block to the system. */
void sc_array_cache_clear(void);
sc_array_cache_stats sc_array_cache_read_stats(void);

/* ---- activations (activations.c) --------------------------------------- */

/* Keras's activations with their default parameters (leaky_relu's slope
 * 0.2, elu's alpha 1). */
typedef enum {
    SC_ACT_NONE = 0,
    SC_ACT_RELU = 1,
    SC_ACT_SIGMOID = 2,
    SC_ACT_TANH = 3,
    SC_ACT_ELU = 4,
    SC_ACT_SELU = 5,
    SC_ACT_SOFTPLUS = 6,
    SC_ACT_SOFTSIGN = 7,
    SC_ACT_GELU = 8,          /* exact, with erf */
    SC_ACT_GELU_TANH = 9,     /* the tanh approximation */
    SC_ACT_SWISH = 10,        /* x * sigmoid(x), also called silu */
    SC_ACT_LEAKY_RELU = 11,
    SC_ACT_HARD_SIGMOID = 12, /* relu6(x + 3) / 6 */
    SC_ACT_EXPONENTIAL = 13,
    SC_ACT_RELU6 = 14,
    SC_ACT_COUNT = 15
} sc_act;

/* x[i, j] = act(x[i, j] + bias[j]) for an m x n block with row stride ldx;
 * bias may be NULL. Single-threaded: the GEMM epilogue calls it per tile. */
void sc_bias_act_f32(float *x, long m, long n, long ldx, const float *bias,
                     sc_act act);
void sc_bias_act_f64(double *x, long m, long n, long ldx, const double *bias,
                     sc_act act);

/* y[i] = act(x[i]) for n contiguous floats (y may be x); threaded. */
void sc_activation_f32(const float *x, float *y, long n, sc_act act);
/* y = a + b elementwise over n floats (y may be a or b); threads take
 * contiguous blocks, so the bits do not depend on the thread count. */
void sc_add_f32(const float *a, const float *b, float *y, long n);

/* dx[i] = dy[i] * act'(x[i]) for n contiguous floats, given the
 * pre-activation x and the output y = act(x); dx may be dy. Threaded. */
void sc_activation_backward_f32(const float *x, const float *y,
                                const float *dy, float *dx, long n,
                                sc_act act);

/* Row-wise softmax of an m x n row-major block (y may be x); threaded. */
void sc_softmax_f32(const float *x, float *y, long m, long n);

/* One LSTM cell update with sigmoid gates and tanh (Keras's defaults) for w
 * units: z = pre-activations i, f, g, o (blocks of w), left activated;
 * c updated in place; h = o * tanh(c). Single-threaded. */
void sc_lstm_cell_f32(float *z, float *c, float *h, long w);

/* ---- GEMM (gemm/) ------------------------------------------------------- */

/*
 * C = act(alpha * A @ B + beta * C + bias)
 *
 * A is m x k with A[i, p] = a[i * rs_a + p * cs_a]; B is k x n with
 * B[p, j] = b[p * rs_b + j * cs_b]: a transpose is a swap of the two strides.
 * C is m x n, row-major with leading dimension ldc. bias (length n) may be
 * NULL. With beta == 0, C is written without being read (NaN in C is
 * ignored, as in BLAS). Any m, n, k >= 0. Results are bitwise identical for
 * every thread count. Returns 0, or -1 when scratch memory ran out.
 */
int sc_sgemm(long m, long n, long k, float alpha,
              const float *a, long rs_a, long cs_a,
              const float *b, long rs_b, long cs_b,
              float beta, float *c, long ldc,
              const float *bias, sc_act act);

/* A B operand packed once for many products on one thread (an RNN's
 * recurrent kernel at every time step). NULL when out of memory. */
typedef struct sc_packed_b sc_packed_b;
sc_packed_b *sc_packed_b_new(long k, long n, const float *b, long rs_b,
                             long cs_b);
void sc_packed_b_free(sc_packed_b *pb);
/* C (m x n) = A (m x k, row-major, leading dimension lda) @ B + beta * C,
 * on the calling thread; bitwise equal to sc_sgemm on the same operands.
 * The packed B is only read: threads may share it. */
void sc_sgemm_packed_b(const sc_packed_b *pb, long m, const float *a,
                       long lda, float beta, float *c, long ldc);

/* C (m x pb1->n) = A1 @ B1 + bias + A2 @ B2, tile by tile (the second
 * product covers C's first pb2->n <= pb1->n columns; bias may be NULL):
 * bitwise equal to sc_sgemm_packed_b(pb1, beta 0), a bias pass and
 * sc_sgemm_packed_b(pb2, beta 1), without the passes over C between. */
void sc_sgemm_packed_b_pair(const sc_packed_b *pb1, const float *a1,
                            long lda1, const float *bias,
                            const sc_packed_b *pb2, const float *a2,
                            long lda2, long m, float *c, long ldc);

/* The float64 twin, for gradient checks: portable C, same semantics. */
int sc_dgemm(long m, long n, long k, double alpha,
              const double *a, long rs_a, long cs_a,
              const double *b, long rs_b, long cs_b,
              double beta, double *c, long ldc,
              const double *bias, sc_act act);

/* ---- losses (loss.c) ----------------------------------------------------- */

/* Softmax cross-entropy from logits z (n x c), fused with its gradient.
 * Targets are probabilities t (n x c) or, when t is NULL, class indices
 * labels (n) in [0, c). loss[i] = -sum_j t_ij log softmax(z_i)_j and
 * dz[i, j] = scale[i] * (softmax(z_i)_j * sum_j t_ij - t_ij); loss or dz
 * may be NULL, scale may be NULL (1). Threaded over rows. */
void sc_softmax_xent_f32(const float *z, const float *t, const long *labels,
                         long n, long c, const float *scale, float *loss,
                         float *dz);

/* The same from probabilities p (n x c), a softmax layer's output: with
 * q = clip(p / sum_j p_ij, 1e-7, 1 - 1e-7) as Keras clips,
 * loss[i] = -sum_j t_ij log q_ij, and the gradient with respect to the
 * softmax's input, dz[i, j] = scale[i] * (p_ij * sum_j t_ij - t_ij). */
void sc_probs_xent_f32(const float *p, const float *t, const long *labels,
                       long n, long c, const float *scale, float *loss,
                       float *dz);

/* ---- dropout (dropout.c) ----------------------------------------------- */

/* mask[i] = scale where a uniform draw u_i in [0, 1) is >= rate, else 0; the
 * draws are a hash of (key, i), the same at any thread count. */
void sc_dropout_mask_f32(uint64_t key, long n, double rate, float scale,
                         float *mask);

/* ---- batch normalization (batchnorm.c) --------------------------------- */

/* x is (rows, c) row-major: channels last. Per-channel mean and (biased)
 * variance, summed in double by one thread per channel. */
void sc_bn_moments_f32(const float *x, long rows, long c, double *mean,
                       double *var);
/* sum_dy[j] = sum_r dy[r, j]; sum_dy_xhat[j] = sum_r dy[r, j] * xhat[r, j]
 * with xhat = (x - mean) * inv. */
void sc_bn_backward_sums_f32(const float *x, const float *dy, long rows,
                             long c, const float *mean, const float *inv,
                             double *sum_dy, double *sum_dy_xhat);
/* y[r, j] = act(x[r, j] * scale[j] + shift[j]); y may be x. */
void sc_channel_affine_f32(const float *x, long rows, long c,
                           const float *scale, const float *shift,
                           sc_act act, float *y);
/* out[i, j] = (sum_r x[i, r, j]) / rows for x (n, rows, c): each sample's
 * channel means (a global average pooling), summed in float32 in row order
 * as numpy's mean over those axes does, whatever the thread count. */
void sc_channel_means_f32(const float *x, long n, long rows, long c,
                          float *out);
/* dx[i, j] = dy[i, j] * p[j] + (x[i, j] - mean[j]) * q[j] + r[j]: the
 * input gradient of batch normalization, its per-channel coefficients
 * worked out by the caller; dx may be dy. */
void sc_bn_backward_dx_f32(const float *x, const float *dy, long rows,
                           long c, const float *mean, const float *p,
                           const float *q, const float *r, float *dx);

/* ---- convolution (conv.c) ---------------------------------------------- */

/* The geometry of a 2-D convolution or pooling window over NHWC data. A 1-D
 * operation is the case h = kh = 1. Padding is explicit (top, left); the
 * output size is given, so 'valid', 'same' and 'causal' are the caller's. */
typedef struct {
    long n, h, w, c;          /* input: batch, height, width, channels */
    long kh, kw;              /* window */
    long sh, sw;              /* strides */
    long dh, dw;              /* dilation */
    long pad_top, pad_left;
    long oh, ow;              /* output height and width */
} sc_window;

/* y[n, oh, ow, f] = act(sum_{i,j,c} x[n, oh*sh - pt + i*dh,
 *                    ow*sw - pl + j*dw, c] * k[i, j, c, f] + bias[f])
 * x: NHWC, k: HWIO (kh, kw, c, f), y: (n, oh, ow, f); bias may be NULL.
 * Zero padding. Returns 0, or -1 when scratch memory ran out. */
int sc_conv2d_forward_f32(const sc_window *g, const float *x, const float *k,
                          long filters, const float *bias, sc_act act,
                          float *y);

/* Gradients of the convolution above, given dy (n, oh, ow, f) after the
 * activation's derivative: dk (kh, kw, c, f) = beta * dk + patches^T dy;
 * dx (n, h, w, c), when not NULL, is overwritten with the input gradient.
 * Returns 0, or -1 when scratch memory ran out. */
int sc_conv2d_backward_f32(const sc_window *g, const float *x, const float *k,
                           long filters, const float *dy, float *dk,
                           float beta, float *dx);

/* ---- pooling (pool.c) ------------------------------------------------- */

/* Max or average over each window of NHWC x into y (n, oh, ow, c). Padded
 * positions never count: the max ignores them, the average divides by the
 * number of real elements in the window (as Keras's 'same' pooling). The
 * max also writes, when `where` (n, oh, ow, c) is not NULL, the pixel
 * ih * w + iw of each window's first maximum in scan order (-1 for a window
 * entirely in the padding): the element its gradient goes to. */
void sc_maxpool2d_forward_f32(const sc_window *g, const float *x, float *y,
                              int *where);
void sc_avgpool2d_forward_f32(const sc_window *g, const float *x, float *y);

/* Gradients of the pooling above: dx (n, h, w, c) is overwritten from dy
 * (n, oh, ow, c). The max adds each window's gradient to the pixel `where`
 * recorded in the forward pass. */
void sc_maxpool2d_backward_f32(const sc_window *g, const int *where,
                               const float *dy, float *dx);
void sc_avgpool2d_backward_f32(const sc_window *g, const float *dy, float *dx);

/* ---- convolution + max pooling (conv_pool.c) --------------------------
 * sc_conv2d_forward_f32 followed by a max pooling with window = strides =
 * (ph, pw) and no padding, without the convolution's output: y (n, oh / ph,
 * ow / pw, filters) and, when not NULL, where (same shape: the pixel oh *
 * ow_size + ow of the convolution's output that each maximum came from, as
 * sc_maxpool2d_forward_f32 records it). Returns 0, or -1 when out of
 * memory. */
int sc_conv2d_maxpool_forward_f32(const sc_window *g, const float *x,
                                  const float *k, long filters,
                                  const float *bias, sc_act act, long ph,
                                  long pw, float *y, int *where);
/* The path sc_conv2d_maxpool_forward_f32 takes for this geometry and
 * pooling window: "thin" (a direct loop for inputs of few channels),
 * "winograd" (3x3 convolution, stride 1, 2x2 pooling) or "gemm" (im2col +
 * GEMM). */
const char *sc_conv2d_maxpool_path(const sc_window *g, long ph, long pw);

/* ---- routed convolution gradients (conv_routed.c) ----------------------
 * The gradients of sc_conv2d_forward_f32 when each output's gradient is
 * routed, as a max pooling's backward routes it: only the outputs named by
 * `where` have a gradient. For image i, route r < routes and filter f, at
 * e = (i * routes + r) * filters + f, dz[e] is the gradient (after the
 * activation's derivative) of output pixel where[e] = oh * ow_size + ow of
 * filter f (where[e] < 0: none); a pixel may be named more than once (the
 * gradients add). dk (kh, kw, c, f) = beta * dk + the kernel gradient;
 * db (f), when not NULL, is overwritten with the bias gradient; dx (n, h,
 * w, c), when not NULL, is overwritten with the input gradient.
 * The work is about routes / (oh * ow) of the dense gradients'. Every sum
 * runs in a fixed order: the same bits at any thread count. Returns 0, or
 * -1 when out of memory. */
int sc_conv2d_backward_routed_f32(const sc_window *g, const float *x,
                                  const float *k, long filters,
                                  const float *dz, const int *where,
                                  long routes, float *dk, float beta,
                                  float *db, float *dx);

/* ---- recurrent layers (lstm.c, gru.c, simple_rnn.c) ------------------- */

/* The shapes and options shared by the recurrent forward kernels.
 * x: (n, t, d) row-major; h (and c for LSTM): (n, u) initial states,
 * overwritten with the final ones; seq: (n, t, u) every step's output in
 * processing order (reversed when go_backwards), or NULL; mask: (n, t),
 * nonzero = real step, or NULL (a masked step keeps the states and repeats
 * the previous output). */
typedef struct {
    long n, t, d, u;
    int go_backwards;
    int keep_gates;           /* keep every step's gates (for backprop);
                                 else gates holds one step: (n, gates * u) */
    sc_act act;               /* candidate/output activation (tanh) */
    sc_act recurrent_act;     /* gate activation (sigmoid) */
    const unsigned char *mask;
    /* Inference only, optional: the input projections looked up instead of
     * computed. Row rows[i * t + tt] of table (rows x gates * u, the
     * kernel's column order) is x[i, tt] kernel + bias (GRU with
     * reset_after: the input bias row) for sample i at time tt; x and the
     * kernel are then not read. NULL: computed from x. */
    const float *table;
    const long *rows;
} sc_rnn_args;

/* LSTM, gates i, f, c, o: kernel (d, 4u), rkernel (u, 4u), bias (4u) or
 * NULL. gates: workspace (t, n, 4u) with keep_gates (left holding every
 * step's activated gates, time-major, columns permuted per unit block),
 * else (n, 4u). */
int sc_lstm_forward_f32(const sc_rnn_args *a, const float *x,
                        const float *kernel, const float *rkernel,
                        const float *bias, float *h, float *c, float *seq,
                        float *gates);

/* GRU, gates z, r, h: kernel (d, 3u), rkernel (u, 3u). reset_after: bias
 * (2, 3u) (input and recurrent rows) and the reset gate applied after the
 * recurrent product (Keras's default); otherwise bias (3u) and reset before.
 * bias may be NULL. gates: workspace (t, n, 3u) with keep_gates, else
 * (n, 3u). */
int sc_gru_forward_f32(const sc_rnn_args *a, int reset_after, const float *x,
                       const float *kernel, const float *rkernel,
                       const float *bias, float *h, float *seq, float *gates);

/* SimpleRNN: h = act(x W + h R + b); kernel (d, u), rkernel (u, u), bias (u)
 * or NULL. gates: workspace (t, n, u) with keep_gates, else (n, u). */
int sc_simple_rnn_forward_f32(const sc_rnn_args *a, const float *x,
                              const float *kernel, const float *rkernel,
                              const float *bias, float *h, float *seq,
                              float *gates);

/* ---- recurrent training (rnn_train.c) --------------------------------------
 * The forward pass keeping every step (time-major, Keras's column order) and
 * backpropagation through time. proj (t, n, G u): x_t W + input bias for
 * every step, in processing order. Outputs are caller-allocated: pre and
 * gates (t, n, G u) before and after activation, h_prev (t, n, u) each
 * step's starting state, seq (t, n, u) each step's output. h (and c) hold
 * the initial states and are left holding the final ones. Backward: d_seq
 * (t, n, u) or NULL; dh (and dc) hold the gradient of the final states and
 * are left holding that of the initial ones; d_pre (or dx_gates) receives
 * the gradient of the pre-activations (what the caller multiplies by x and
 * h_prev for the kernels' gradients). All return 0, or -1 when out of
 * memory. */
typedef struct {
    long n, t, u;
    sc_act act, recurrent_act;
    const unsigned char *mask; /* (t, n), nonzero = real step, or NULL */
} sc_rnn_train_args;

/* LSTM: c_prev, c_new, act_c (t, n, u): the cell state before and after
 * each step and act(c_new). */
int sc_lstm_train_forward_f32(const sc_rnn_train_args *a, const float *proj,
                              const float *rkernel, float *h, float *c,
                              float *pre, float *gates, float *h_prev,
                              float *c_prev, float *c_new, float *act_c,
                              float *seq);
int sc_lstm_train_backward_f32(const sc_rnn_train_args *a,
                               const float *rkernel, const float *pre,
                               const float *gates, const float *c_prev,
                               const float *c_new, const float *act_c,
                               const float *d_seq, float *dh, float *dc,
                               float *d_pre);
/* GRU: hz (t, n, 3u) is h R + recurrent_bias with reset_after, else its
 * first u columns hold r * h. dh_gates (t, n, 3u) receives the gradient of
 * what R multiplies (differs from dx_gates in the candidate block). */
int sc_gru_train_forward_f32(const sc_rnn_train_args *a, int reset_after,
                             const float *proj, const float *rkernel,
                             const float *recurrent_bias, float *h, float *pre,
                             float *gates, float *hz, float *h_prev,
                             float *seq);
int sc_gru_train_backward_f32(const sc_rnn_train_args *a, int reset_after,
                              const float *rkernel, const float *pre,
                              const float *gates, const float *hz,
                              const float *h_prev, const float *d_seq,
                              float *dh, float *dx_gates, float *dh_gates);
int sc_simple_rnn_train_forward_f32(const sc_rnn_train_args *a,
                                    const float *proj, const float *rkernel,
                                    float *h, float *pre, float *gates,
                                    float *h_prev, float *seq);
int sc_simple_rnn_train_backward_f32(const sc_rnn_train_args *a,
                                     const float *rkernel, const float *pre,
                                     const float *gates, const float *d_seq,
                                     float *dh, float *d_pre);

/* ---- embedding (embedding.c) --------------------------------------------- */

/* grad (rows, dim) += the rows of dy (n, dim) at ids (n,), each id in
 * [0, rows) (checked by the caller). */
void sc_embedding_backward_f32(const long *ids, long n, const float *dy,
                               long dim, float *grad);

/* ---- optimizers (optim.c) ----------------------------------------------- */

/* One update of n flat weights p from gradients g, Keras 3's rules; the
 * first n_decay weights take weight decay wd first. Optional slots (m for
 * SGD without momentum, RMSprop's mom/average, Adam's v_hat) may be NULL. */
void sc_sgd_update_f32(float *p, const float *g, float *m, long n,
                       long n_decay, float lr, float wd, float momentum,
                       int nesterov);
void sc_rmsprop_update_f32(float *p, const float *g, float *velocity,
                           float *mom, float *average, long n, long n_decay,
                           float lr, float wd, float rho, float momentum,
                           float epsilon);
void sc_adagrad_update_f32(float *p, const float *g, float *accumulator,
                           long n, long n_decay, float lr, float wd,
                           float epsilon);
void sc_adadelta_update_f32(float *p, const float *g, float *acc_grad,
                            float *acc_delta, long n, long n_decay, float lr,
                            float wd, float rho, float epsilon);
/* alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t). */
void sc_adam_update_f32(float *p, const float *g, float *m, float *v,
                        float *v_hat, long n, long n_decay, float lr, float wd,
                        float beta_1, float beta_2, float epsilon, float alpha);
/* correction = 1 - beta_1^t. */
void sc_adamax_update_f32(float *p, const float *g, float *m, float *u, long n,
                          long n_decay, float lr, float wd, float beta_1,
                          float beta_2, float epsilon, float correction);
/* u_next, product_next, u_now, product_now: Nadam's momentum schedule at
 * steps t + 1 and t; beta_2_power = beta_2^t. */
void sc_nadam_update_f32(float *p, const float *g, float *m, float *v, long n,
                         long n_decay, float lr, float wd, float beta_1,
                         float beta_2, float epsilon, float u_next,
                         float product_next, float u_now, float product_now,
                         float beta_2_power);
void sc_lion_update_f32(float *p, const float *g, float *m, long n,
                        long n_decay, float lr, float wd, float beta_1,
                        float beta_2);
/* l2 = l2_regularization_strength + beta / (2 lr). */
void sc_ftrl_update_f32(float *p, const float *g, float *accumulator,
                        float *linear, long n, long n_decay, float lr,
                        float wd, float lr_power, float l1, float l2,
                        float l2_shrinkage);
/* average = momentum * average + (1 - momentum) * p, over n weights. */
void sc_ema_update_f32(float *average, const float *p, long n,
                       float momentum);
/* apply == 0: accumulator += g. apply != 0: g = (g + accumulator) / steps,
 * then accumulator = 0. */
void sc_accumulate_gradients_f32(float *accumulator, float *g, long n,
                                 float steps, int apply);

/* ---- per-variable optimizers (optim_per_variable.c) --------------------- */

/* offsets (n_vars + 1): where each variable starts in the arena; its last
 * entry is n. correction_i = 1 - beta_i^t. */
void sc_lamb_update_f32(float *p, const float *g, float *m, float *v,
                        const long *offsets, long n_vars, long n_decay,
                        float lr, float wd, float beta_1, float beta_2,
                        float epsilon, float correction_1, float correction_2);
/* dims (3 n_vars): (batch, rows, cols) of each variable seen as
 * (..., rows, cols), rows = 0 for variables of fewer than two dimensions
 * (not factored); factor_offsets (2 n_vars): where each variable's r and c
 * start; rho = min(lr, 1 / sqrt(t)), beta_2 = 1 - t^beta_2_decay. */
void sc_adafactor_update_f32(float *p, const float *g, float *r, float *c,
                             float *v, const long *offsets,
                             const long *factor_offsets, const long *dims,
                             long n_vars, long n_decay, float lr, float wd,
                             float rho, float beta_2, float epsilon_1,
                             float epsilon_2, float clip_threshold);

/* ---- gradient reduction across ranks on one machine (reduce.c) ---------- */

/* outputs[p][i] = sum_q weights[q] * inputs[q][i] for every p, added in
 * input order. An output may be an input: element i is read from every
 * input before it is stored. Same bits for any thread count. */
void sc_weighted_sum_f32(const float *const *inputs, const float *weights,
                         int n_inputs, float *const *outputs, int n_outputs,
                         long n);

/* ---- depthwise convolution (depthwise.c) --------------------------------
 * Each of the g->c input channels convolved with its own mult filters:
 * y[n, oh, ow, ch * mult + m] = act(bias[ch * mult + m] + sum_{i,j}
 * x[n, oh*sh - pt + i*dh, ow*sw - pl + j*dw, ch] * k[i, j, ch, m]).
 * x: NHWC, k: (kh, kw, c, mult), y: (n, oh, ow, c * mult); bias may be NULL.
 * Zero padding. Returns 0. */
int sc_depthwise2d_forward_f32(const sc_window *g, const float *x,
                               const float *k, long mult, const float *bias,
                               sc_act act, float *y);

/* Gradients of the depthwise convolution above given dy (n, oh, ow,
 * c * mult) after the activation's derivative: dk (kh, kw, c, mult) =
 * beta * dk + the kernel gradient, when not NULL; dx (n, h, w, c), when not
 * NULL, overwritten with the input gradient. Returns 0, or -1 when out of
 * memory. */
int sc_depthwise2d_backward_f32(const sc_window *g, const float *x,
                                const float *k, long mult, const float *dy,
                                float *dk, float beta, float *dx);

#ifdef __cplusplus
}
#endif
#endif /* SEQCORE_H */
