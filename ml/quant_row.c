/* Rows of q8_0 and q4_0 to and from f32 for ml_copy, ml_get and ml_fill:
 * the quantizers give ggml's reference bytes (cpu/quant.c). */
#include "ml/ml_impl.h"

void
ml_quantize_row(MlDtype dt, const float *x, void *y, int64_t n)
{
	if (dt == ML_Q8_0)
		ml_quantize_row_q8_0(x, y, n);
	else if (dt == ML_Q4_0)
		ml_quantize_row_q4_0(x, y, n);
}

void
ml_dequantize_row(MlDtype dt, const void *x, float *y, int64_t n)
{
	if (dt == ML_Q8_0)
		ml_dequantize_row_q8_0(x, y, n);
	else if (dt == ML_Q4_0)
		ml_dequantize_row_q4_0(x, y, n);
}
