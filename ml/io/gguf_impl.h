/* Shared by ml/io/gguf.c (read) and gguf_write.c.  Not installed. */
#ifndef ML_IO_GGUF_IMPL_H
#define ML_IO_GGUF_IMPL_H

#include "ml/io/io_impl.h"

/* The name of a metadata type ("u32", "string"; "?" outside the enum). */
const char *ml_gguf_type_name(int type);
/* Bytes of a scalar metadata type; 0 for string, array and unknown. */
int ml_gguf_scalar_bytes(int type);
/* The ggml type id of dtype dt, or -1 when ggml has none (u8, bool). */
int ml_ggml_type_of(MlDtype dt);

enum { ML_GGUF_MAX_NAME = 63 };  /* ggml's GGML_MAX_NAME 64, less the NUL */

#endif
