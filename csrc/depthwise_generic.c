/* depthwise_generic.c - the depthwise convolution's row loops compiled
 * (portable flags). */
#include "depthwise_impl.h"

void sc_dw_forward_row_generic(const sc_window *g, const float *image,
                            const float *k, long mult, const float *bias,
                            long oh, float *row)
{
    sc_dw_forward_row_impl(g, image, k, mult, bias, oh, row);
}

void sc_dw_input_row_generic(const sc_window *g, const float *dy,
                          const float *k, long mult, long ih, float *drow)
{
    sc_dw_input_row_impl(g, dy, k, mult, ih, drow);
}

void sc_dw_kernel_row_generic(const sc_window *g, const float *image,
                           const float *dy, long mult, long oh, float *dk)
{
    sc_dw_kernel_row_impl(g, image, dy, mult, oh, dk);
}
