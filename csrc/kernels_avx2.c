/* kernels_avx2.c - the kernel table of ISA avx2: the avx2 builds (this file itself is compiled without ISA flags: it only takes their addresses). */
#include "kernel_table.h"
#include "peak.h"

#ifdef SC_HAVE_X86_KERNELS
const sc_kernel_table sc_kernels_avx2 = {
    SC_ISA_AVX2,
    sc_act_row_avx2,
    sc_softmax_row_avx2,
    sc_lstm_cell_avx2,
    sc_act_grad_row_avx2,
    sc_lstm_cell_backward_avx2,
    sc_gru_cell_backward_avx2,
    sc_routed_dk_sparse_avx2,
    sc_routed_dk_dense_avx2,
    sc_routed_dx_avx2,
    sc_conv_thin_row_avx2,
    sc_wino_input_avx2,
    sc_wino_output_avx2,
    sc_dw_forward_row_avx2,
    sc_dw_input_row_avx2,
    sc_dw_kernel_row_avx2,
    sc_fma_peak_loop_avx2,
    sc_adam_rows_avx2,
    sc_rmsprop_rows_avx2,
};
#endif
