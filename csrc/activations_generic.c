/* activations_generic.c - activation rows and their derivatives, softmax
 * rows and the LSTM and GRU cells, the portable build. */
#include "activation_impl.h"

SC_DEFINE_ACTIVATION_ROWS(generic)
