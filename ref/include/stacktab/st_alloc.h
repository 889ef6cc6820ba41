/* Where memory comes from: the caller chooses. A NULL allocator means the C library's. */
#ifndef ST_ALLOC_H
#define ST_ALLOC_H

#include "stacktab/st_export.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
  /* realloc semantics: ptr NULL allocates, new_size 0 frees (return value ignored then). */
  void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
  void *ctx;
} st_alloc;

/* The C library's malloc/realloc/free behind the st_alloc interface. */
extern ST_API const st_alloc st_alloc_libc;

#ifdef __cplusplus
}
#endif
#endif
