/* Support shared by the fuzz harnesses: a property check that aborts (so every engine and the
 * replay driver see a crash), a growable byte log, a canonical serialisation of what the
 * decoder reports, and an accounting allocator that finds leaks without LeakSanitizer (the
 * replay driver runs under plain gcc) and can refuse the n-th allocation. */
#ifndef ST_FUZZ_UTIL_H
#define ST_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "stacktab/st_alloc.h"
#include "stacktab/st_decode.h"

/* libFuzzer's entry point; every harness defines it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property: prints where and why, then aborts. */
#define FZ_CHECK(cond, ...)                                         \
  do {                                                              \
    if (!(cond)) fz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);   \
  } while (0)
void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((noreturn, format(printf, 4, 5)))
#endif
    ;

/* Growable byte log (malloc'd; aborts when memory runs out: the harness cannot go on). */
typedef struct {
  uint8_t *p;
  size_t len, cap;
} fz_log;
void fz_log_put(fz_log *l, const void *data, size_t n);
void fz_log_u64(fz_log *l, uint64_t v);
void fz_log_free(fz_log *l);
int fz_log_equal(const fz_log *a, const fz_log *b);
/* Offset of the first differing byte of two logs (for the failure message). */
size_t fz_log_diff_at(const fz_log *a, const fz_log *b);

/* Every field of an event / a diagnostic, in a fixed layout, appended to a log. */
void fz_log_event(fz_log *l, const st_event *ev);
void fz_log_diag(fz_log *l, const st_diag *d);

/* Allocator that counts live blocks and bytes and refuses allocation number fail_at
 * (1-based; 0 = never). The size a block is freed with must be the size it was given. */
typedef struct {
  uint64_t live_blocks, live_bytes;
  uint64_t allocs;       /* allocations (and growing reallocs) so far */
  uint64_t fail_at;
  int refused;           /* 1 once an allocation was refused */
} fz_heap;
void fz_heap_init(fz_heap *h, st_alloc *a, uint64_t fail_at);

/* Small deterministic reader over fuzzer bytes: returns 0 when the bytes run out. */
typedef struct {
  const uint8_t *p;
  size_t len, pos;
} fz_reader;
uint8_t fz_u8(fz_reader *r);
uint16_t fz_u16(fz_reader *r);
uint32_t fz_u32(fz_reader *r);
uint64_t fz_u64(fz_reader *r);
size_t fz_left(const fz_reader *r);

#endif
