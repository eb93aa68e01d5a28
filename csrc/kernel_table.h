/*
 * kernel_table.h - one table of kernel entry points per ISA.
 *
 * Each ISA's table (kernels_generic.c, kernels_avx2.c, kernels_avx512.c) is
 * a constant struct of function pointers to that ISA's build of every
 * family with per-ISA code; cpu.c points sc_kernel_table_current() at one
 * of them when an ISA is selected. A family calls through the table and
 * never switches on the ISA itself. The GEMM keeps its own table
 * (gemm/kernels.c) because its cache blocks are filled in at selection.
 */
#ifndef SC_KERNEL_TABLE_H
#define SC_KERNEL_TABLE_H

#include "activations.h"
#include "conv_routed.h"
#include "conv_thin.h"
#include "depthwise.h"
#include "optim_rows.h"
#include "winograd.h"

typedef struct {
    sc_isa isa;
    /* activations.c */
    sc_act_row_fn act_row;
    sc_softmax_row_fn softmax_row;
    sc_lstm_cell_fn lstm_cell;
    sc_act_grad_row_fn act_grad_row;
    sc_lstm_cell_backward_fn lstm_cell_backward;
    sc_gru_cell_backward_fn gru_cell_backward;
    /* conv_routed.c */
    sc_routed_dk_sparse_fn routed_dk_sparse;
    sc_routed_dk_dense_fn routed_dk_dense;
    sc_routed_dx_fn routed_dx;
    /* conv.c (thin inputs) */
    sc_conv_thin_row_fn conv_thin_row;
    /* winograd.c */
    sc_wino_input_fn wino_input;
    sc_wino_output_fn wino_output;
    /* depthwise.c */
    sc_dw_forward_row_fn dw_forward_row;
    sc_dw_input_row_fn dw_input_row;
    sc_dw_kernel_row_fn dw_kernel_row;
    /* peak.c */
    double (*fma_peak_loop)(long iters, float *sink);
    /* optim.c */
    sc_adam_rows_fn adam_rows;
    sc_rmsprop_rows_fn rmsprop_rows;
} sc_kernel_table;

extern const sc_kernel_table sc_kernels_generic;
#ifdef SC_HAVE_X86_KERNELS
extern const sc_kernel_table sc_kernels_avx2;
extern const sc_kernel_table sc_kernels_avx512;
#endif

/* The table of the selected ISA (the best one on first use). */
const sc_kernel_table *sc_kernel_table_current(void);

#endif /* SC_KERNEL_TABLE_H */
