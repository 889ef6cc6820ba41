#include "stacktab/st_alloc.h"

#include <stdlib.h>

static void *libc_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size) {
  (void)ctx;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}

const st_alloc st_alloc_libc = {libc_realloc, NULL};
