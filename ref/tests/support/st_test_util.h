/* Helpers shared by the unit tests: files, the real-trace corpus, a byte builder for
 * hand-made traces, and a decoder run that records what it reported. */
#ifndef ST_TEST_UTIL_H
#define ST_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "stacktab/st_alloc.h"
#include "stacktab/st_decode.h"

/* Whole file in malloc'd memory, or NULL. */
uint8_t *stt_read_file(const char *path, size_t *len);

/* Paths of the *.trace files in ../shared/corpus/real (sorted), at most max; returns the
 * count, or -1 when that folder is absent (the caller skips with a message). */
int stt_real_traces(char paths[][512], int max);

/* Growable byte string for building traces by hand. */
typedef struct {
  uint8_t *p;
  size_t len, cap;
} stt_bytes;
void stt_put(stt_bytes *b, const void *data, size_t n);
void stt_byte(stt_bytes *b, uint8_t v);
void stt_uv(stt_bytes *b, uint64_t v);                  /* minimal varint */
void stt_uvw(stt_bytes *b, uint64_t v, size_t width);   /* varint padded to width */
void stt_header(stt_bytes *b, int version);             /* 16-byte header */
void stt_batch(stt_bytes *b, uint64_t pid, uint64_t ticks);
void stt_freq(stt_bytes *b, uint64_t freq);
void stt_string(stt_bytes *b, uint64_t id, const char *s);
/* EvStack, length-prefixed with a minimal length; frames are n x {pc, fn, file, line}. */
void stt_stack(stt_bytes *b, uint64_t id, const uint64_t *frames, size_t n);
/* v2: a batch header 01 gen M time(1) with a 10-byte size field; returns the field's offset,
 * for stt_v2_batch_close to patch with size (stt_v2_batch_end: the bytes written since). */
size_t stt_v2_batch_open(stt_bytes *b, uint64_t gen, uint64_t m);
void stt_v2_batch_close(stt_bytes *b, size_t at, uint64_t size);
void stt_v2_batch_end(stt_bytes *b, size_t at);
void stt_free(stt_bytes *b);

/* What an encoder's trace buffer hands out, for st_tbuf_init: every batch appended to `out`
 * (the first 64 batch lengths kept), and a clock that counts 1, 2, 3, ... */
typedef struct {
  stt_bytes out;
  int nbatches;
  size_t batch_len[64];
  uint64_t now;
} stt_sink;
int stt_sink_put(void *u, const uint8_t *p, size_t n);
uint64_t stt_sink_clock(void *u);

/* An st_alloc over the C library that fails one chosen allocating call, for walking every
 * allocation-failure path: set fail_at to N and the Nth call with new_size > 0 returns NULL
 * (fail_at 0: none fails). It keeps the live blocks and their total size, from the sizes the
 * library passes back, so that "freed everything and reported sizes right" is live == 0 and
 * bytes == 0 after the context's free function. Pass &x.a as the st_alloc. */
typedef struct {
  st_alloc a;
  long fail_at;
  long calls;     /* calls with new_size > 0 so far, the failed one included */
  long failures;  /* NULLs returned on purpose */
  long live;      /* blocks allocated and not yet freed */
  size_t bytes;   /* their total size */
  long bad_old;   /* calls whose old_size cannot be right (NULL ptr with old_size > 0) */
} stt_alloc;
void stt_alloc_init(stt_alloc *x, long fail_at);

/* A decoder run that records everything reported. */
typedef struct {
  st_diag *diags;
  size_t ndiags;
  size_t nevents;
  /* Canonical text of every event and diagnostic, in order: equal runs give equal text. */
  char *text;
  size_t text_len, text_cap;
  st_status status;   /* of st_decoder_finish */
} stt_run;

/* Decodes data pushing `chunk` bytes at a time (0 = all at once) in the given mode. */
void stt_decode(stt_run *r, const uint8_t *data, size_t len, size_t chunk, st_mode mode);
/* Same with a full config (callbacks are overridden). */
void stt_decode_cfg(stt_run *r, const st_decode_config *cfg, const uint8_t *data, size_t len,
                    size_t chunk);
/* Index of the first diagnostic of rule, or -1. */
int stt_find_diag(const stt_run *r, st_rule rule);
void stt_run_free(stt_run *r);

#endif
