/* activations.h - the per-ISA activation rows (internal). */
#ifndef SC_ACTIVATIONS_H
#define SC_ACTIVATIONS_H

#include "seqcore.h"

/* Keras's fixed activation parameters. */
static const float SELU_ALPHA = 1.67326324235437728481f;
static const float SELU_SCALE = 1.05070098735548049342f;
static const float LEAKY_SLOPE = 0.2f;

typedef void (*sc_act_row_fn)(const float *x, float *y, long n, sc_act act);
typedef void (*sc_softmax_row_fn)(const float *x, float *y, long n);
typedef void (*sc_lstm_cell_fn)(float *z, float *c, float *h, long w);
typedef void (*sc_act_grad_row_fn)(const float *x, const float *y,
                                   const float *dy, float *dx, long n,
                                   sc_act act);
typedef void (*sc_lstm_cell_backward_fn)(const float *g, const float *cp,
                                         const float *ac, const float *dh,
                                         float *dc, const float *carry,
                                         float *dz, long u);
typedef void (*sc_gru_cell_backward_fn)(const float *g, const float *hp,
                                        const float *hr, const float *dh,
                                        float *dxg, float *dhg,
                                        float *dh_prev, long u);

/* The per-ISA builds of the rows above: sc_act_row_<isa>, ... (each ISA's
 * file defines them with SC_DEFINE_ACTIVATION_ROWS, activation_impl.h). */
#define SC_DECLARE_ACTIVATION_ROWS(isa)                                      \
    void sc_act_row_##isa(const float *x, float *y, long n, sc_act act);     \
    void sc_softmax_row_##isa(const float *x, float *y, long n);             \
    void sc_lstm_cell_##isa(float *z, float *c, float *h, long w);           \
    void sc_lstm_cell_backward_##isa(const float *g, const float *cp,        \
                                     const float *ac, const float *dh,       \
                                     float *dc, const float *carry,          \
                                     float *dz, long u);                     \
    void sc_gru_cell_backward_##isa(const float *g, const float *hp,         \
                                    const float *hr, const float *dh,        \
                                    float *dxg, float *dhg, float *dh_prev,  \
                                    long u);                                 \
    void sc_act_grad_row_##isa(const float *x, const float *y,               \
                               const float *dy, float *dx, long n,           \
                               sc_act act);

SC_DECLARE_ACTIVATION_ROWS(generic)
#ifdef SC_HAVE_X86_KERNELS
SC_DECLARE_ACTIVATION_ROWS(avx2)
SC_DECLARE_ACTIVATION_ROWS(avx512)
#endif

/* One row of n elements on the calling thread, with the selected ISA's
 * code (the recurrent kernels call these inside their step loops). */
void sc_act_rows_f32(const float *x, float *y, long n, sc_act act);
void sc_act_grad_rows_f32(const float *x, const float *y, const float *dy,
                          float *dx, long n, sc_act act);
/* sc_lstm_cell_backward_impl's row with the selected ISA's code. */
void sc_lstm_cell_backward_f32(const float *g, const float *cp,
                               const float *ac, const float *dh, float *dc,
                               const float *carry, float *dz, long u);
/* sc_gru_cell_backward_impl's row with the selected ISA's code. */
void sc_gru_cell_backward_f32(const float *g, const float *hp,
                              const float *hr, const float *dh, float *dxg,
                              float *dhg, float *dh_prev, long u);

#endif /* SC_ACTIVATIONS_H */
