/* conv_thin_avx2.c - the thin-input convolution row loop compiled
 * (-mavx2 -mfma). */
#include "conv_thin_impl.h"

void sc_conv_thin_row_avx2(const sc_window *g, const float *image,
                           const float *kp, long ld, const float *bias_padded,
                           long oh, float *row, float *cols)
{
    sc_conv_thin_row_impl(g, image, kp, ld, bias_padded, oh, row, cols);
}
