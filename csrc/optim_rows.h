/* optim_rows.h - the per-ISA builds of the optimizer rules that divide by
 * a square root per weight (internal): Adam's and RMSprop's default forms.
 *
 * At the base ISA that is 4 lanes at a time and the loop is bound by
 * arithmetic, not by its arrays' traffic. Each ISA compiles the same loop (optim_rows_impl.h)
 * with its vector width and -ffp-contract=off, so every ISA gives the bits
 * of the scalar loop in Keras 3's float32 operation order. */
#ifndef SC_OPTIM_ROWS_H
#define SC_OPTIM_ROWS_H

/* Elements [0, n) of Adam without AMSGrad, the first n_decay of them
 * decayed first (p -= p wd lr, as Keras 3 does before the update):
 *   m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2);
 *   p -= (m alpha) / (sqrt(v) + epsilon). */
typedef void (*sc_adam_rows_fn)(float *p, const float *g, float *m, float *v,
                                long n, long n_decay, float lr, float wd,
                                float one_minus_b1, float one_minus_b2,
                                float epsilon, float alpha);

#define SC_ADAM_ROWS_ARGS                                                     \
    float *p, const float *g, float *m, float *v, long n, long n_decay,       \
        float lr, float wd, float one_minus_b1, float one_minus_b2,           \
        float epsilon, float alpha

void sc_adam_rows_generic(SC_ADAM_ROWS_ARGS);
void sc_adam_rows_avx2(SC_ADAM_ROWS_ARGS);
void sc_adam_rows_avx512(SC_ADAM_ROWS_ARGS);

/* Elements [0, n) of RMSprop without momentum or centering (Keras's
 * default), the first n_decay decayed first:
 *   velocity = rho velocity + (1 - rho) g^2;
 *   p -= lr g / sqrt(velocity + epsilon). */
typedef void (*sc_rmsprop_rows_fn)(float *p, const float *g,
                                   float *velocity, long n, long n_decay,
                                   float lr, float wd, float rho,
                                   float epsilon);

#define SC_RMSPROP_ROWS_ARGS                                                  \
    float *p, const float *g, float *velocity, long n, long n_decay,         \
        float lr, float wd, float rho, float epsilon

void sc_rmsprop_rows_generic(SC_RMSPROP_ROWS_ARGS);
void sc_rmsprop_rows_avx2(SC_RMSPROP_ROWS_ARGS);
void sc_rmsprop_rows_avx512(SC_RMSPROP_ROWS_ARGS);

#endif /* SC_OPTIM_ROWS_H */
