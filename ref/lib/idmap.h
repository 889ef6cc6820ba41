/* Private: an open-addressing map from nonzero 64-bit IDs to 64-bit values, grown through the
 * caller's allocator. Used by the decoder for its string and stack tables. */
#ifndef ST_IDMAP_H
#define ST_IDMAP_H

#include "stacktab/st_decode.h"

/* Pointer to the value of id (nonzero), or NULL when absent. */
uint64_t *st_idmap_find(const st_idmap *m, uint64_t id);
/* Inserts id with value v; returns a pointer to the stored value, or NULL if memory ran out.
 * The caller has checked that id is absent. */
uint64_t *st_idmap_insert(st_idmap *m, const st_alloc *a, uint64_t id, uint64_t v);
void st_idmap_free(st_idmap *m, const st_alloc *a);

#endif
