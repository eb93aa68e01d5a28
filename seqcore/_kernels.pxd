# The C API of csrc/seqcore.h, as Cython sees it.

from libc.stdint cimport uint64_t

cdef extern from "seqcore.h" nogil:
    ctypedef enum sc_isa:
        SC_ISA_GENERIC
        SC_ISA_AVX2
        SC_ISA_AVX512

    ctypedef enum sc_act:
        SC_ACT_NONE
        SC_ACT_RELU
        SC_ACT_SIGMOID
        SC_ACT_TANH
        SC_ACT_ELU
        SC_ACT_SELU
        SC_ACT_SOFTPLUS
        SC_ACT_SOFTSIGN
        SC_ACT_GELU
        SC_ACT_GELU_TANH
        SC_ACT_SWISH
        SC_ACT_LEAKY_RELU
        SC_ACT_HARD_SIGMOID
        SC_ACT_EXPONENTIAL
        SC_ACT_RELU6

    int sc_isa_available(sc_isa isa)
    sc_isa sc_isa_best()
    int sc_isa_select(sc_isa isa)
    sc_isa sc_isa_current()
    const char *sc_isa_name(sc_isa isa)

    int sc_openmp_enabled()
    void sc_set_num_threads(int n)
    int sc_get_num_threads()
    int sc_default_num_threads()

    ctypedef struct sc_cache_sizes:
        long l1d
        long l2
        long l3
        const char *source
    const sc_cache_sizes *sc_cpu_caches()
    const sc_cache_sizes *sc_cpu_caches_from(const char *source)
    void sc_sgemm_blocks(int *mr, int *nr, long *mc, long *kc, long *nc)
    double sc_fma_peak_loop(long iters, float *sink)

    size_t sc_alloc_failure_bytes()
    void sc_set_alloc_limit(size_t nbytes)
    ctypedef struct sc_array_cache_stats:
        unsigned long long fresh
        unsigned long long reused
        unsigned long long released
        size_t parked_bytes
        size_t limit_bytes
    void *sc_array_cache_malloc(size_t size)
    void *sc_array_cache_calloc(size_t count, size_t size)
    void *sc_array_cache_realloc(void *p, size_t size)
    void sc_array_cache_free(void *p)
    void sc_array_cache_set_limit(size_t nbytes)
    void sc_array_cache_clear()
    sc_array_cache_stats sc_array_cache_read_stats()

    void sc_bias_act_f32(float *x, long m, long n, long ldx, const float *bias,
                         sc_act act)
    void sc_bias_act_f64(double *x, long m, long n, long ldx,
                         const double *bias, sc_act act)

    void sc_activation_f32(const float *x, float *y, long n, sc_act act)
    void sc_add_f32(const float *a, const float *b, float *y, long n)
    void sc_softmax_f32(const float *x, float *y, long m, long n)
    void sc_activation_backward_f32(const float *x, const float *y,
                                    const float *dy, float *dx, long n,
                                    sc_act act)

    int sc_sgemm(long m, long n, long k, float alpha,
                 const float *a, long rs_a, long cs_a,
                 const float *b, long rs_b, long cs_b,
                 float beta, float *c, long ldc,
                 const float *bias, sc_act act)
    int sc_dgemm(long m, long n, long k, double alpha,
                 const double *a, long rs_a, long cs_a,
                 const double *b, long rs_b, long cs_b,
                 double beta, double *c, long ldc,
                 const double *bias, sc_act act)

    void sc_dropout_mask_f32(uint64_t key, long n, double rate, float scale,
                             float *mask)

    void sc_bn_moments_f32(const float *x, long rows, long c, double *mean,
                           double *var)
    void sc_bn_backward_sums_f32(const float *x, const float *dy, long rows,
                                 long c, const float *mean, const float *inv,
                                 double *sum_dy, double *sum_dy_xhat)
    void sc_channel_affine_f32(const float *x, long rows, long c,
                               const float *scale, const float *shift,
                               sc_act act, float *y)
    void sc_channel_means_f32(const float *x, long n, long rows, long c,
                              float *out)
    void sc_bn_backward_dx_f32(const float *x, const float *dy, long rows,
                               long c, const float *mean, const float *p,
                               const float *q, const float *r, float *dx)

    ctypedef struct sc_window:
        long n, h, w, c
        long kh, kw
        long sh, sw
        long dh, dw
        long pad_top, pad_left
        long oh, ow

    int sc_conv2d_forward_f32(const sc_window *g, const float *x,
                              const float *k, long filters, const float *bias,
                              sc_act act, float *y)
    void sc_maxpool2d_forward_f32(const sc_window *g, const float *x, float *y,
                                  int *where)
    void sc_avgpool2d_forward_f32(const sc_window *g, const float *x, float *y)
    void sc_maxpool2d_backward_f32(const sc_window *g, const int *where,
                                   const float *dy, float *dx)
    void sc_avgpool2d_backward_f32(const sc_window *g, const float *dy,
                                   float *dx)
    int sc_conv2d_backward_f32(const sc_window *g, const float *x,
                               const float *k, long filters, const float *dy,
                               float *dk, float beta, float *dx)
    int sc_conv2d_maxpool_forward_f32(const sc_window *g, const float *x,
                                      const float *k, long filters,
                                      const float *bias, sc_act act, long ph,
                                      long pw, float *y, int *where)
    const char *sc_conv2d_maxpool_path(const sc_window *g, long ph, long pw)
    int sc_conv2d_backward_routed_f32(const sc_window *g, const float *x,
                                      const float *k, long filters,
                                      const float *dz, const int *where,
                                      long routes, float *dk, float beta,
                                      float *db, float *dx)
    ctypedef struct sc_rnn_train_args:
        long n, t, u
        sc_act act, recurrent_act
        const unsigned char *mask
    int sc_lstm_train_forward_f32(const sc_rnn_train_args *a,
                                  const float *proj, const float *rkernel,
                                  float *h, float *c, float *pre, float *gates,
                                  float *h_prev, float *c_prev, float *c_new,
                                  float *act_c, float *seq)
    int sc_lstm_train_backward_f32(const sc_rnn_train_args *a,
                                   const float *rkernel, const float *pre,
                                   const float *gates, const float *c_prev,
                                   const float *c_new, const float *act_c,
                                   const float *d_seq, float *dh, float *dc,
                                   float *d_pre)
    int sc_gru_train_forward_f32(const sc_rnn_train_args *a, int reset_after,
                                 const float *proj, const float *rkernel,
                                 const float *recurrent_bias, float *h,
                                 float *pre, float *gates, float *hz,
                                 float *h_prev, float *seq)
    int sc_gru_train_backward_f32(const sc_rnn_train_args *a, int reset_after,
                                  const float *rkernel, const float *pre,
                                  const float *gates, const float *hz,
                                  const float *h_prev, const float *d_seq,
                                  float *dh, float *dx_gates, float *dh_gates)
    int sc_simple_rnn_train_forward_f32(const sc_rnn_train_args *a,
                                        const float *proj,
                                        const float *rkernel, float *h,
                                        float *pre, float *gates,
                                        float *h_prev, float *seq)
    int sc_simple_rnn_train_backward_f32(const sc_rnn_train_args *a,
                                         const float *rkernel,
                                         const float *pre, const float *gates,
                                         const float *d_seq, float *dh,
                                         float *d_pre)
    void sc_embedding_backward_f32(const long *ids, long n, const float *dy,
                                   long dim, float *grad)
    void sc_weighted_sum_f32(const float *const *inputs,
                             const float *weights, int n_inputs,
                             float *const *outputs, int n_outputs, long n)
    void sc_sgd_update_f32(float *p, const float *g, float *m, long n,
                           long n_decay, float lr, float wd, float momentum,
                           int nesterov)
    void sc_rmsprop_update_f32(float *p, const float *g, float *velocity,
                               float *mom, float *average, long n,
                               long n_decay, float lr, float wd, float rho,
                               float momentum, float epsilon)
    void sc_adagrad_update_f32(float *p, const float *g, float *accumulator,
                               long n, long n_decay, float lr, float wd,
                               float epsilon)
    void sc_adadelta_update_f32(float *p, const float *g, float *acc_grad,
                                float *acc_delta, long n, long n_decay,
                                float lr, float wd, float rho, float epsilon)
    void sc_adam_update_f32(float *p, const float *g, float *m, float *v,
                            float *v_hat, long n, long n_decay, float lr,
                            float wd, float beta_1, float beta_2,
                            float epsilon, float alpha)
    void sc_adamax_update_f32(float *p, const float *g, float *m, float *u,
                              long n, long n_decay, float lr, float wd,
                              float beta_1, float beta_2, float epsilon,
                              float correction)
    void sc_nadam_update_f32(float *p, const float *g, float *m, float *v,
                             long n, long n_decay, float lr, float wd,
                             float beta_1, float beta_2, float epsilon,
                             float u_next, float product_next, float u_now,
                             float product_now, float beta_2_power)
    void sc_lion_update_f32(float *p, const float *g, float *m, long n,
                            long n_decay, float lr, float wd, float beta_1,
                            float beta_2)
    void sc_ftrl_update_f32(float *p, const float *g, float *accumulator,
                            float *linear, long n, long n_decay, float lr,
                            float wd, float lr_power, float l1, float l2,
                            float l2_shrinkage)
    void sc_ema_update_f32(float *average, const float *p, long n,
                           float momentum)
    void sc_accumulate_gradients_f32(float *accumulator, float *g, long n,
                                     float steps, int apply)
    void sc_lamb_update_f32(float *p, const float *g, float *m, float *v,
                            const long *offsets, long n_vars, long n_decay,
                            float lr, float wd, float beta_1, float beta_2,
                            float epsilon, float correction_1,
                            float correction_2)
    void sc_adafactor_update_f32(float *p, const float *g, float *r,
                                 float *c, float *v, const long *offsets,
                                 const long *factor_offsets, const long *dims,
                                 long n_vars, long n_decay, float lr,
                                 float wd, float rho, float beta_2,
                                 float epsilon_1, float epsilon_2,
                                 float clip_threshold)

    ctypedef struct sc_rnn_args:
        long n, t, d, u
        int go_backwards
        int keep_gates
        sc_act act
        sc_act recurrent_act
        const unsigned char *mask
        const float *table
        const long *rows

    int sc_lstm_forward_f32(const sc_rnn_args *a, const float *x,
                            const float *kernel, const float *rkernel,
                            const float *bias, float *h, float *c, float *seq,
                            float *gates)
    int sc_gru_forward_f32(const sc_rnn_args *a, int reset_after,
                           const float *x, const float *kernel,
                           const float *rkernel, const float *bias, float *h,
                           float *seq, float *gates)
    int sc_simple_rnn_forward_f32(const sc_rnn_args *a, const float *x,
                                  const float *kernel, const float *rkernel,
                                  const float *bias, float *h, float *seq,
                                  float *gates)

    void sc_softmax_xent_f32(const float *z, const float *t,
                             const long *labels, long n, long c,
                             const float *scale, float *loss, float *dz)
    void sc_probs_xent_f32(const float *p, const float *t,
                           const long *labels, long n, long c,
                           const float *scale, float *loss, float *dz)

    # depthwise convolution (depthwise.c)
    int sc_depthwise2d_forward_f32(const sc_window *g, const float *x,
                                   const float *k, long mult,
                                   const float *bias, sc_act act, float *y)
    int sc_depthwise2d_backward_f32(const sc_window *g, const float *x,
                                    const float *k, long mult,
                                    const float *dy, float *dk, float beta,
                                    float *dx)
