/* kernels_generic.c - the kernel table of ISA generic: the portable C builds, always available. */
#include "kernel_table.h"
#include "peak.h"


const sc_kernel_table sc_kernels_generic = {
    SC_ISA_GENERIC,
    sc_act_row_generic,
    sc_softmax_row_generic,
    sc_lstm_cell_generic,
    sc_act_grad_row_generic,
    sc_lstm_cell_backward_generic,
    sc_gru_cell_backward_generic,
    sc_routed_dk_sparse_generic,
    sc_routed_dk_dense_generic,
    sc_routed_dx_generic,
    sc_conv_thin_row_generic,
    sc_wino_input_generic,
    sc_wino_output_generic,
    sc_dw_forward_row_generic,
    sc_dw_input_row_generic,
    sc_dw_kernel_row_generic,
    sc_fma_peak_loop_generic,
    sc_adam_rows_generic,
    sc_rmsprop_rows_generic,
};

