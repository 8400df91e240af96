/* Rows of q8_0 and q4_0 to and from f32 for ml_copy: ggml's reference
 * quantizers (ggml-quants.c quantize_row_q8_0_ref, quantize_row_q4_0_ref). */
#include "ml/ml_impl.h"

#include <math.h>
#include <string.h>

static void
put_d(uint8_t *blk, float d)
{
	uint16_t h = ml_f32_to_f16(d);
	memcpy(blk, &h, 2);
}

static float
get_d(const uint8_t *blk)
{
	uint16_t h;
	memcpy(&h, blk, 2);
	return ml_f16_to_f32(h);
}

void
ml_quantize_row(MlDtype dt, const float *x, void *out, int64_t n)
{
	uint8_t *y = out;

	for (int64_t b = 0; b < n / ML_QK; b++, x += ML_QK) {
		if (dt == ML_Q8_0) {
			float amax = 0;
			for (int j = 0; j < ML_QK; j++)
				amax = fmaxf(amax, fabsf(x[j]));
			float d = amax / 127, id = d != 0 ? 1 / d : 0;
			put_d(y, d);
			for (int j = 0; j < ML_QK; j++)
				y[2 + j] = (uint8_t)(int8_t)roundf(x[j] * id);
			y += 34;
		} else {
			float amax = 0, max = 0;
			for (int j = 0; j < ML_QK; j++)
				if (amax < fabsf(x[j])) {
					amax = fabsf(x[j]);
					max = x[j];
				}
			float d = max / -8, id = d != 0 ? 1 / d : 0;
			put_d(y, d);
			for (int j = 0; j < ML_QK / 2; j++) {
				int lo = (int)(int8_t)(x[j] * id + 8.5f), hi = (int)(int8_t)(x[j + 16] * id + 8.5f);
				lo = lo < 15 ? lo : 15;
				hi = hi < 15 ? hi : 15;
				y[2 + j] = (uint8_t)(lo | hi << 4);
			}
			y += 18;
		}
	}
}

void
ml_dequantize_row(MlDtype dt, const void *in, float *y, int64_t n)
{
	const uint8_t *x = in;

	for (int64_t b = 0; b < n / ML_QK; b++, y += ML_QK) {
		float d = get_d(x);
		if (dt == ML_Q8_0) {
			for (int j = 0; j < ML_QK; j++)
				y[j] = (int8_t)x[2 + j] * d;
			x += 34;
		} else {
			for (int j = 0; j < ML_QK / 2; j++) {
				y[j] = ((x[2 + j] & 0xf) - 8) * d;
				y[j + 16] = ((x[2 + j] >> 4) - 8) * d;
			}
			x += 18;
		}
	}
}
