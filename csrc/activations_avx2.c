/* activations_avx2.c - activation rows and their derivatives, softmax
 * rows and the LSTM and GRU cells, compiled for AVX2 (-mavx2 -mfma). */
#include "activation_impl.h"

SC_DEFINE_ACTIVATION_ROWS(avx2)
