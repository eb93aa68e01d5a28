/* activations_avx512.c - activation rows and their derivatives, softmax
 * rows and the LSTM and GRU cells, compiled for AVX-512F (-mavx512f -mavx2 -mfma). */
#include "activation_impl.h"

SC_DEFINE_ACTIVATION_ROWS(avx512)
