// The vector helpers are header-only (include/sandglass_vector.h); this file holds the one helper
// that keeps state.
#include "sandglass_vector.h"
#include <stdlib.h>

/* A buffer of at least `bytes` bytes (64-byte aligned) owned by the calling thread, grown when
   asked for more and kept for the thread's life: a kernel's scratch (the AVX2 int8 GEMM widens a
   tile of activations into it) without an allocation per call, which would show in every
   inference. NULL if memory runs out. */
void *sg_thread_scratch(size_t bytes) {
    static _Thread_local void *buffer;
    static _Thread_local size_t size;
    if (bytes > size) {
        size_t rounded = (bytes + 4095) & ~(size_t)4095;
        void *grown = aligned_alloc(64, rounded);
        if (grown == NULL) return NULL;
        free(buffer);
        buffer = grown;
        size = rounded;
    }
    return buffer;
}
