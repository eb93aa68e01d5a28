/* optim_rows_generic.c - the optimizer rows compiled for generic
 * (the base ISA's flags). */
#include "optim_rows_impl.h"

void sc_adam_rows_generic(SC_ADAM_ROWS_ARGS)
{
    sc_adam_rows_impl(p, g, m, v, n, n_decay, lr, wd, one_minus_b1,
                      one_minus_b2, epsilon, alpha);
}

void sc_rmsprop_rows_generic(SC_RMSPROP_ROWS_ARGS)
{
    sc_rmsprop_rows_impl(p, g, velocity, n, n_decay, lr, wd, rho, epsilon);
}
