/* kernels_avx512.c - the kernel table of ISA avx512: the avx512 builds (this file itself is compiled without ISA flags: it only takes their addresses). */
#include "kernel_table.h"
#include "peak.h"

#ifdef SC_HAVE_X86_KERNELS
const sc_kernel_table sc_kernels_avx512 = {
    SC_ISA_AVX512,
    sc_act_row_avx512,
    sc_softmax_row_avx512,
    sc_lstm_cell_avx512,
    sc_act_grad_row_avx512,
    sc_lstm_cell_backward_avx512,
    sc_gru_cell_backward_avx512,
    sc_routed_dk_sparse_avx512,
    sc_routed_dk_dense_avx512,
    sc_routed_dx_avx512,
    sc_conv_thin_row_avx512,
    sc_wino_input_avx512,
    sc_wino_output_avx512,
    sc_dw_forward_row_avx512,
    sc_dw_input_row_avx512,
    sc_dw_kernel_row_avx512,
    sc_fma_peak_loop_avx512,
    sc_adam_rows_avx512,
    sc_rmsprop_rows_avx512,
};
#endif
