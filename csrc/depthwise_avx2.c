/* depthwise_avx2.c - the depthwise convolution's row loops compiled
 * (-mavx2 -mfma). */
#include "depthwise_impl.h"

void sc_dw_forward_row_avx2(const sc_window *g, const float *image,
                            const float *k, long mult, const float *bias,
                            long oh, float *row)
{
    sc_dw_forward_row_impl(g, image, k, mult, bias, oh, row);
}

void sc_dw_input_row_avx2(const sc_window *g, const float *dy,
                          const float *k, long mult, long ih, float *drow)
{
    sc_dw_input_row_impl(g, dy, k, mult, ih, drow);
}

void sc_dw_kernel_row_avx2(const sc_window *g, const float *image,
                           const float *dy, long mult, long oh, float *dk)
{
    sc_dw_kernel_row_impl(g, image, dy, mult, oh, dk);
}
