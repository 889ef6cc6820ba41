/* The dump algorithms on hand-computed bytes: the spec's direct example and its legacy form,
 * the room checks at their exact boundaries, the worst-case record, strings that force a flush
 * before their stack, records too big for any batch, the table dump with inlining and zero
 * frames, and where legacy and direct differ; init arguments, the saturating scratch bound, and
 * failures (allocator, string table, symbolizer) with the stack they name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_stacktab.h"

typedef stt_sink env;

typedef struct {
  env e;
  st_tbuf b;
  st_strtab t;
  st_dumper d;
  uint8_t *mem;
  size_t cap;
} fix;

static void fix_init(fix *f, size_t cap, st_dump_algo algo) {
  memset(f, 0, sizeof *f);
  f->cap = cap;
  f->mem = malloc(cap + 16);
  memset(f->mem, 0x5a, cap + 16); /* guard bytes after the capacity */
  assert_int_equal(
      st_tbuf_init(&f->b, f->mem, cap, stt_sink_put, &f->e, stt_sink_clock, &f->e), ST_ENC_OK);
  assert_int_equal(st_strtab_init(&f->t, NULL), ST_ENC_OK);
  st_dump_config c;
  st_dump_config_default(&c);
  c.algo = algo;
  assert_int_equal(st_dumper_init(&f->d, &c, &f->b, &f->t, NULL), ST_ENC_OK);
}
static void fix_free(fix *f) {
  for (size_t i = f->cap; i < f->cap + 16; i++) assert_int_equal(f->mem[i], 0x5a);
  st_dumper_free(&f->d);
  st_strtab_free(&f->t);
  stt_free(&f->e.out);
  free(f->mem);
}
/* Fills the open batch so that exactly `room` bytes are left. */
static void leave_room(fix *f, size_t room) {
  assert_true(st_tbuf_room(&f->b) >= room);
  size_t n = st_tbuf_room(&f->b) - room;
  uint8_t *z = calloc(n ? n : 1, 1);
  st_tbuf_bytes(&f->b, z, n);
  free(z);
  assert_int_equal(st_tbuf_room(&f->b), room);
}

/* Spec §5.1: stack 5, one frame, PC 0x4a1b2c, function string 7, file string 8, line 42. */
static const st_enc_frame k_frame = {0x4a1b2c, "fn", 2, "file", 4, 42};
static void seed_7_8(fix *f) {
  assert_int_equal(st_strtab_seed(&f->t, 7, "fn", 2), ST_ENC_OK);
  assert_int_equal(st_strtab_seed(&f->t, 8, "file", 4), ST_ENC_OK);
}
static const uint8_t k_direct[] = {0xc3, 0x89, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                   0x00, 0x05, 0x01, 0xac, 0xb6, 0xa8, 0x02, 0x07, 0x08, 0x2a};
static const uint8_t k_legacy[] = {0xc3, 0x09, 0x05, 0x01, 0xac, 0xb6, 0xa8, 0x02, 0x07, 0x08, 0x2a};

static void test_spec_example(void **s) {
  (void)s;
  for (int algo = 0; algo < 2; algo++) {
    fix f;
    fix_init(&f, 128, (st_dump_algo)algo);
    seed_7_8(&f);
    assert_int_equal(st_tbuf_flush(&f.b, 0), ST_ENC_OK);
    assert_int_equal(st_dump_record(&f.d, 5, &k_frame, 1), ST_ENC_OK);
    assert_int_equal(st_tbuf_finish(&f.b), ST_ENC_OK);
    const uint8_t *want = algo ? k_direct : k_legacy;
    size_t wlen = algo ? sizeof k_direct : sizeof k_legacy;
    assert_int_equal(f.e.out.len, 3 + wlen);
    assert_memory_equal(f.e.out.p + 3, want, wlen);
    fix_free(&f);
  }
}

/* Direct needs 1 + 10 + (2 + 4) * 10 = 71 free; legacy 1 + 10 + 9 = 20. */
static void boundary(st_dump_algo algo, size_t need, size_t room, int flushes) {
  fix f;
  fix_init(&f, 256, algo);
  seed_7_8(&f);
  assert_int_equal(st_tbuf_flush(&f.b, 0), ST_ENC_OK);
  leave_room(&f, room);
  assert_int_equal(st_dump_record(&f.d, 5, &k_frame, 1), ST_ENC_OK);
  assert_int_equal(f.e.nbatches, flushes);
  assert_int_equal(st_tbuf_finish(&f.b), ST_ENC_OK);
  size_t wlen = algo == ST_ALGO_DIRECT ? sizeof k_direct : sizeof k_legacy;
  /* The record is the last thing written, whole, in the last batch. */
  assert_memory_equal(f.e.out.p + f.e.out.len - wlen, algo ? k_direct : k_legacy, wlen);
  if (flushes) assert_int_equal(f.e.batch_len[1], 3 + wlen);
  (void)need;
  fix_free(&f);
}

static void test_exact_boundary(void **s) {
  (void)s;
  assert_int_equal(st_stack_record_bound(1), 71);
  boundary(ST_ALGO_DIRECT, 71, 71, 0); /* 0 bytes to spare: stays */
  boundary(ST_ALGO_DIRECT, 71, 70, 1); /* one byte less: flushes */
  assert_int_equal(st_stack_legacy_need(9), 20);
  boundary(ST_ALGO_LEGACY, 20, 20, 0);
  boundary(ST_ALGO_LEGACY, 20, 19, 1);
}

/* Every varint at 10 bytes: ID, PCs, string IDs and lines >= 2^63. The record fills at most
 * the bound; with room == bound it stays and nothing passes the capacity. */
static void test_worst_case_record(void **s) {
  (void)s;
  for (int algo = 0; algo < 2; algo++) {
    for (size_t n = 1; n <= 130; n += 129) {
      size_t bound = st_stack_record_bound(n);
      fix f;
      fix_init(&f, bound + 3, (st_dump_algo)algo);
      assert_int_equal(st_strtab_seed(&f.t, UINT64_MAX - 1, "F", 1), ST_ENC_OK);
      assert_int_equal(st_strtab_seed(&f.t, UINT64_MAX, "G", 1), ST_ENC_OK);
      st_enc_frame *fr = calloc(n, sizeof *fr);
      for (size_t i = 0; i < n; i++)
        fr[i] = (st_enc_frame){UINT64_MAX - i, "F", 1, "G", 1, (1ull << 63) + i};
      assert_int_equal(st_tbuf_flush(&f.b, 0), ST_ENC_OK);
      assert_int_equal(st_tbuf_room(&f.b), bound);
      assert_int_equal(st_dump_record(&f.d, UINT64_MAX, fr, n), ST_ENC_OK);
      assert_int_equal(f.e.nbatches, 0);
      assert_true(f.b.pos <= f.cap);
      /* payload = id 10 + count + 40 per frame; legacy length minimal, direct 10 bytes. */
      size_t payload = 10 + st_varint_size(n) + 40 * n;
      size_t lw = algo ? 10 : st_varint_size(payload);
      assert_int_equal(f.b.pos, 3 + 1 + lw + payload);
      assert_int_equal(f.b.err, ST_ENC_OK);
      free(fr);
      fix_free(&f);
    }
  }
}

/* Strings that do not fit make a new batch before the stack; the record follows them there. */
static void test_strings_force_flush_before_stack(void **s) {
  (void)s;
  for (int algo = 0; algo < 2; algo++) {
    fix f;
    fix_init(&f, 80, (st_dump_algo)algo); /* a fresh batch: 77 bytes, >= 6 + 71 */
    assert_int_equal(st_tbuf_flush(&f.b, 0), ST_ENC_OK); /* 41 00 01 */
    leave_room(&f, 21 + 3 - 1); /* "abc" needs 24 */
    st_enc_frame fr = {0x10, "abc", 3, "", 0, 1};
    assert_int_equal(st_dump_record(&f.d, 1, &fr, 1), ST_ENC_OK);
    assert_int_equal(st_tbuf_finish(&f.b), ST_ENC_OK);
    assert_int_equal(f.e.nbatches, 2);
    const uint8_t *b2 = f.e.out.p + f.e.batch_len[0];
    /* 41 00 02 | 25 01 03 'abc' | c3 len 01 01 10 01 00 01 */
    const uint8_t head[] = {0x41, 0, 2, 0x25, 1, 3, 'a', 'b', 'c', 0xc3};
    assert_memory_equal(b2, head, sizeof head);
    const uint8_t body[] = {0x01, 0x01, 0x10, 0x01, 0x00, 0x01};
    size_t lw = algo ? 10 : 1;
    assert_int_equal(f.e.batch_len[1], sizeof head + lw + sizeof body);
    assert_int_equal(b2[sizeof head], algo ? 0x86 : 0x06);
    assert_memory_equal(b2 + sizeof head + lw, body, sizeof body);
    fix_free(&f);
  }
}

static void test_too_big_record(void **s) {
  (void)s;
  /* Direct: one frame needs 71; a 64-byte buffer can never hold it. */
  fix f;
  fix_init(&f, 64, ST_ALGO_DIRECT);
  seed_7_8(&f);
  assert_int_equal(st_dump_record(&f.d, 5, &k_frame, 1), ST_ENC_E_TOO_BIG);
  assert_int_equal(f.d.failed_id, 5);
  assert_true(f.b.pos <= 64);
  fix_free(&f);
  /* Legacy: a frame here is 7 bytes (PC 4, IDs 1 + 1, line 1). 6 frames: payload 2 + 42 = 44,
   * needs 55 <= 61. 7 frames: payload 51 needs 62 > 61, though the record itself (53 bytes)
   * would fit: the check is the runtime's 1 + 10 + len. */
  fix_init(&f, 64, ST_ALGO_LEGACY);
  seed_7_8(&f);
  st_enc_frame fr[8];
  for (int i = 0; i < 8; i++) fr[i] = k_frame;
  assert_int_equal(st_dump_record(&f.d, 5, fr, 6), ST_ENC_OK);
  assert_int_equal(st_dump_record(&f.d, 6, fr, 7), ST_ENC_E_TOO_BIG);
  assert_true(f.b.pos <= 64);
  fix_free(&f);
  /* More frames than the dumper's limit. */
  fix_init(&f, 64, ST_ALGO_LEGACY);
  assert_int_equal(st_dump_record(&f.d, 1, fr, ST_ENC_MAX_FRAMES + 1), ST_ENC_E_LIMIT);
  fix_free(&f);
}

/* Symbolizer: PC 0x100 is main.a inlined into main.b (2 frames), 0x200 main.c, others none. */
static size_t sym(void *u, uint64_t pc, st_enc_frame *out, size_t max) {
  (void)u;
  size_t n = 0;
  if (pc == 0x100) {
    if (max > 0) out[0] = (st_enc_frame){0x100, "main.a", 6, "a.go", 4, 3};
    if (max > 1) out[1] = (st_enc_frame){0x100, "main.b", 6, "a.go", 4, 9};
    n = 2;
  } else if (pc == 0x200) {
    if (max > 0) out[0] = (st_enc_frame){0x1ff, "main.c", 6, "c.go", 4, 1};
    n = 1;
  }
  return n;
}

static void test_table_dump_inlining_and_zero_frame(void **s) {
  (void)s;
  fix f;
  fix_init(&f, 512, ST_ALGO_LEGACY);
  f.d.cfg.symbolize = sym;
  st_stacktab tab;
  assert_int_equal(st_stacktab_init(&tab, NULL), ST_ENC_OK);
  uint64_t id, s1[] = {0x200, 0x100}, s2[] = {0x999};
  assert_int_equal(st_stacktab_put(&tab, s1, 2, &id), ST_ENC_OK);
  assert_int_equal(st_stacktab_put(&tab, s2, 1, &id), ST_ENC_OK);
  assert_int_equal(st_tbuf_flush(&f.b, 0), ST_ENC_OK);
  assert_int_equal(st_dump_table(&f.d, &tab), ST_ENC_OK);
  assert_int_equal(st_stacktab_count(&tab), 0); /* empty and reusable */
  assert_int_equal(st_tbuf_finish(&f.b), ST_ENC_OK);
  /* Strings per frame, fn then file; 3 frames from 2 PCs; then a zero frame. */
  const uint8_t want[] = {
      0x41, 0, 1,
      0x25, 1, 6, 'm', 'a', 'i', 'n', '.', 'c', 0x25, 2, 4, 'c', '.', 'g', 'o',
      0x25, 3, 6, 'm', 'a', 'i', 'n', '.', 'a', 0x25, 4, 4, 'a', '.', 'g', 'o',
      0x25, 5, 6, 'm', 'a', 'i', 'n', '.', 'b',
      0xc3, 0x11, 0x01, 0x03, 0xff, 0x03, 0x01, 0x02, 0x01, 0x80, 0x02, 0x03, 0x04, 0x03,
      0x80, 0x02, 0x05, 0x04, 0x09,
      0xc3, 0x06, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00};
  assert_int_equal(f.e.out.len, sizeof want);
  assert_memory_equal(f.e.out.p, want, sizeof want);
  /* The table is reusable: IDs start at 1 again. */
  assert_int_equal(st_stacktab_put(&tab, s2, 1, &id), ST_ENC_OK);
  assert_int_equal(id, 1);
  st_stacktab_free(&tab);
  fix_free(&f);
}

/* Bucket order: bucket (hash mod 8192) ascending, newest first within a bucket. */
static void test_bucket_order(void **s) {
  (void)s;
  fix f;
  fix_init(&f, 4096, ST_ALGO_LEGACY);
  f.d.cfg.symbolize = sym;
  f.d.cfg.order = ST_ORDER_BUCKETS;
  st_stacktab tab;
  assert_int_equal(st_stacktab_init(&tab, NULL), ST_ENC_OK);
  /* PCs {0x300}, {0x200} (unresolved 0x300 gives a zero frame). Buckets from Python FNV-1a:
   * {0x200} -> 0x200 hash, {0x300} ... the order is checked against the hash itself. */
  uint64_t id, a[] = {0x300}, b[] = {0x200};
  assert_int_equal(st_stacktab_put(&tab, a, 1, &id), ST_ENC_OK);
  assert_int_equal(st_stacktab_put(&tab, b, 1, &id), ST_ENC_OK);
  size_t ba = st_stack_hash(a, 1) % ST_STACK_BUCKETS, bb = st_stack_hash(b, 1) % ST_STACK_BUCKETS;
  assert_true(ba != bb);
  assert_int_equal(st_tbuf_flush(&f.b, 0), ST_ENC_OK);
  assert_int_equal(st_dump_table(&f.d, &tab), ST_ENC_OK);
  assert_int_equal(st_tbuf_finish(&f.b), ST_ENC_OK);
  /* Find the EvStack IDs in output order (byte after c3 len). */
  uint64_t ids[2];
  int k = 0;
  for (size_t i = 0; i + 2 < f.e.out.len && k < 2; i++)
    if (f.e.out.p[i] == 0xc3 && (i == 3 || f.e.out.p[i - 1] != 0x25)) ids[k++] = f.e.out.p[i + 2];
  assert_int_equal(k, 2);
  assert_int_equal(ids[0], ba < bb ? 1 : 2);
  st_stacktab_free(&tab);
  fix_free(&f);
}

/* Legacy and direct on the same records: the same strings and stack contents, but (1) the
 * length is 1 byte vs 10, (2) direct reserves 31 + 40n before each record where legacy asks for
 * 11 + payload, so with a small buffer direct flushes earlier. Worked by hand for cap 64:
 * legacy: 41 00 01 | c3 09 <payload 9> (11 bytes) ... each record asks for 20: after 4
 *   records 3 + 44 = 47 leaves 17 < 20, so batches of 4 and 2 records (47 and 25 bytes);
 * direct: 1 frame needs 71 > 61: too big. With cap 80: 3 + 20 = 23, then 57 left < 71: one
 *   record per batch. */
static void test_legacy_vs_direct(void **s) {
  (void)s;
  fix l, d;
  fix_init(&l, 64, ST_ALGO_LEGACY);
  fix_init(&d, 80, ST_ALGO_DIRECT);
  seed_7_8(&l);
  seed_7_8(&d);
  for (uint64_t id = 1; id <= 6; id++) {
    assert_int_equal(st_dump_record(&l.d, id, &k_frame, 1), ST_ENC_OK);
    assert_int_equal(st_dump_record(&d.d, id, &k_frame, 1), ST_ENC_OK);
  }
  assert_int_equal(st_tbuf_finish(&l.b), ST_ENC_OK);
  assert_int_equal(st_tbuf_finish(&d.b), ST_ENC_OK);
  assert_int_equal(l.e.nbatches, 2);
  assert_int_equal(l.e.batch_len[0], 47);
  assert_int_equal(l.e.batch_len[1], 25);
  assert_int_equal(d.e.nbatches, 6);
  for (int i = 0; i < 6; i++) assert_int_equal(d.e.batch_len[i], 23);
  /* Record by record, the payloads are equal; only the length bytes differ. */
  assert_memory_equal(l.e.out.p + 3 + 2, d.e.out.p + 3 + 11, 9);
  fix_free(&l);
  fix_free(&d);
}

/* st_dumper_init refuses each missing pointer, zero frames, an algorithm or order outside the
 * enums, and a frame limit whose scratch size cannot be represented; both orders and both
 * algorithms are accepted. */
static void test_dumper_init_params(void **s) {
  (void)s;
  uint8_t mem[64];
  stt_sink e = {0};
  st_tbuf b;
  assert_int_equal(st_tbuf_init(&b, mem, sizeof mem, stt_sink_put, &e, stt_sink_clock, &e), ST_ENC_OK);
  st_strtab t;
  assert_int_equal(st_strtab_init(&t, NULL), ST_ENC_OK);
  enum { OK_CFG, NO_D, NO_CFG, NO_BUF, NO_STRINGS, ZERO_FRAMES, BAD_ALGO, BAD_ORDER, HUGE_FRAMES,
         BUCKETS_DIRECT };
  const struct {
    int what;
    st_enc_status want;
  } cases[] = {
      {OK_CFG, ST_ENC_OK},          {NO_D, ST_ENC_E_PARAM},        {NO_CFG, ST_ENC_E_PARAM},
      {NO_BUF, ST_ENC_E_PARAM},     {NO_STRINGS, ST_ENC_E_PARAM},  {ZERO_FRAMES, ST_ENC_E_PARAM},
      {BAD_ALGO, ST_ENC_E_PARAM},   {BAD_ORDER, ST_ENC_E_PARAM},   {HUGE_FRAMES, ST_ENC_E_PARAM},
      {BUCKETS_DIRECT, ST_ENC_OK},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    st_dump_config c;
    st_dump_config_default(&c);
    int w = cases[i].what;
    if (w == ZERO_FRAMES) c.max_frames = 0;
    if (w == BAD_ALGO) c.algo = (st_dump_algo)3;
    if (w == BAD_ORDER) c.order = (st_dump_order)3;
    if (w == HUGE_FRAMES) c.max_frames = SIZE_MAX;
    if (w == BUCKETS_DIRECT) {
      c.algo = ST_ALGO_DIRECT;
      c.order = ST_ORDER_BUCKETS;
    }
    st_dumper d;
    st_enc_status got = st_dumper_init(w == NO_D ? NULL : &d, w == NO_CFG ? NULL : &c,
                                       w == NO_BUF ? NULL : &b, w == NO_STRINGS ? NULL : &t, NULL);
    assert_int_equal(got, cases[i].want);
    if (w != NO_D) st_dumper_free(&d);
  }
  st_strtab_free(&t);
}

/* The scratch bound saturates instead of wrapping: whichever part of the sum overflows, the
 * answer is SIZE_MAX. Per frame the scratch holds 40 payload bytes (4 varints of 10, the
 * header's legacy payload), 16 bytes of string IDs and one st_enc_frame; plus 20 payload bytes
 * for the record's ID and count. */
static void test_scratch_bound_saturates(void **s) {
  (void)s;
  size_t per = 40 + 16 + sizeof(st_enc_frame);
  assert_true(st_dump_scratch_bound(1) == 20 + per);
  assert_true(st_dump_scratch_bound(1000) == 20 + 1000 * per);
  const size_t huge[] = {
      SIZE_MAX,                                /* every part saturates */
      SIZE_MAX / sizeof(st_enc_frame) + 1,     /* the frames part cannot be represented */
      SIZE_MAX / 56 + 1,                       /* payload + IDs overflow */
      SIZE_MAX / per + 1,                      /* payload + IDs fit, adding the frames overflows */
  };
  for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++)
    assert_true(st_dump_scratch_bound(huge[i]) == SIZE_MAX);
  /* Just below the last: representable, and exact. */
  size_t m = (SIZE_MAX - 20) / per;
  assert_true(st_dump_scratch_bound(m) == 20 + m * per);
}

/* The scratch is one allocation of st_dump_scratch_bound(max_frames) bytes; when it fails,
 * init returns ST_ENC_E_NOMEM and free is safe and leaves nothing allocated. */
static void test_dumper_init_nomem(void **s) {
  (void)s;
  uint8_t mem[64];
  stt_sink e = {0};
  st_tbuf b;
  assert_int_equal(st_tbuf_init(&b, mem, sizeof mem, stt_sink_put, &e, stt_sink_clock, &e), ST_ENC_OK);
  st_strtab t;
  assert_int_equal(st_strtab_init(&t, NULL), ST_ENC_OK);
  st_dump_config c;
  st_dump_config_default(&c);
  c.max_frames = 7;
  for (long fail_at = 1; fail_at >= 0; fail_at--) {
    stt_alloc a;
    stt_alloc_init(&a, fail_at);
    st_dumper d;
    st_enc_status got = st_dumper_init(&d, &c, &b, &t, &a.a);
    assert_int_equal(got, fail_at ? ST_ENC_E_NOMEM : ST_ENC_OK);
    assert_int_equal(a.live, fail_at ? 0 : 1);
    if (!fail_at) assert_true(a.bytes == st_dump_scratch_bound(7));
    st_dumper_free(&d);
    st_dumper_free(&d); /* twice: harmless */
    assert_int_equal(a.live, 0);
    assert_int_equal(a.bytes, 0);
    assert_int_equal(a.bad_old, 0);
  }
  st_strtab_free(&t);
}

/* A string of a frame that cannot be interned fails the record with the string table's error,
 * for the function name and for the file name, in both algorithms: no EvStack is written, the
 * record is not counted and failed_id names it. The string table's ID space is used up first
 * (next ID 0 after UINT64_MAX), so any new name fails with ST_ENC_E_LIMIT. */
static void test_record_string_failure(void **s) {
  (void)s;
  for (int algo = 0; algo < 2; algo++) {
    for (int which = 0; which < 2; which++) { /* 0: the function name fails, 1: the file */
      fix f;
      fix_init(&f, 256, (st_dump_algo)algo);
      assert_int_equal(st_strtab_set_next_id(&f.t, UINT64_MAX), ST_ENC_OK);
      uint64_t id;
      assert_int_equal(st_strtab_intern(&f.t, &f.b, 0, "old", 3, &id), ST_ENC_OK);
      size_t pos = f.b.pos;
      st_enc_frame fr = {0x10, which ? "old" : "newfn", which ? 3 : 5, "newfile", 7, 1};
      assert_int_equal(st_dump_record(&f.d, 42, &fr, 1), ST_ENC_E_LIMIT);
      assert_int_equal(f.d.failed_id, 42);
      assert_int_equal(f.d.records_written, 0);
      assert_int_equal(f.b.pos, pos); /* nothing written after the one EvString */
      assert_int_equal(st_tbuf_finish(&f.b), ST_ENC_OK);
      fix_free(&f);
    }
  }
}

/* st_dump_table needs the symbolizer. */
static void test_table_dump_needs_symbolizer(void **s) {
  (void)s;
  fix f;
  fix_init(&f, 256, ST_ALGO_LEGACY);
  st_stacktab tab;
  assert_int_equal(st_stacktab_init(&tab, NULL), ST_ENC_OK);
  uint64_t id, pc = 0x200;
  assert_int_equal(st_stacktab_put(&tab, &pc, 1, &id), ST_ENC_OK);
  assert_int_equal(st_dump_table(&f.d, &tab), ST_ENC_E_PARAM);
  assert_int_equal(f.e.out.len, 0);
  assert_int_equal(f.b.open, 0);
  st_stacktab_free(&tab);
  fix_free(&f);
}

/* st_enc.h: a symbolizer that reports more frames than it was given room for loses frames, and
 * the dump fails with ST_ENC_E_LIMIT naming the stack. With max_frames 2, {0x100} (2 inlined
 * frames) fits exactly; {0x100, 0x200} has 3. The dump stops at the failing record: in ID order
 * the stack after it is not written; in bucket order the older stack sharing its bucket (walked
 * after it) is not either. */
static void test_table_dump_symbolizer_overflow(void **s) {
  (void)s;
  uint64_t fits[] = {0x100}, over[] = {0x100, 0x200};
  /* ID order: the failing stack first, then one that would fit. */
  for (int algo = 0; algo < 2; algo++) {
    fix f;
    fix_init(&f, 4096, (st_dump_algo)algo);
    f.d.cfg.symbolize = sym;
    f.d.cfg.max_frames = 2;
    st_stacktab tab;
    assert_int_equal(st_stacktab_init(&tab, NULL), ST_ENC_OK);
    uint64_t id;
    assert_int_equal(st_stacktab_put(&tab, fits, 1, &id), ST_ENC_OK);
    assert_int_equal(st_stacktab_put(&tab, over, 2, &id), ST_ENC_OK);
    uint64_t third[] = {0x200};
    assert_int_equal(st_stacktab_put(&tab, third, 1, &id), ST_ENC_OK);
    assert_int_equal(id, 3);
    assert_int_equal(st_dump_table(&f.d, &tab), ST_ENC_E_LIMIT);
    assert_int_equal(f.d.failed_id, 2);
    assert_int_equal(f.d.records_written, 1); /* stack 1 only */
    assert_int_equal(f.d.frames_written, 2);
    st_stacktab_free(&tab);
    fix_free(&f);
  }
  /* Bucket order: a one-PC stack in the failing stack's bucket, put first so that the failing
   * one is at the front of the bucket. */
  fix f;
  fix_init(&f, 4096, ST_ALGO_LEGACY);
  f.d.cfg.symbolize = sym;
  f.d.cfg.max_frames = 2;
  f.d.cfg.order = ST_ORDER_BUCKETS;
  size_t bucket = st_stack_hash(over, 2) % ST_STACK_BUCKETS;
  assert_true(bucket + 1 < ST_STACK_BUCKETS); /* a bucket after it is still to walk */
  uint64_t mate = 0x1000;
  while (st_stack_hash(&mate, 1) % ST_STACK_BUCKETS != bucket) mate++;
  st_stacktab tab;
  assert_int_equal(st_stacktab_init(&tab, NULL), ST_ENC_OK);
  uint64_t id;
  assert_int_equal(st_stacktab_put(&tab, &mate, 1, &id), ST_ENC_OK);
  assert_int_equal(st_stacktab_put(&tab, over, 2, &id), ST_ENC_OK);
  assert_int_equal(st_dump_table(&f.d, &tab), ST_ENC_E_LIMIT);
  assert_int_equal(f.d.failed_id, 2);
  assert_int_equal(f.d.records_written, 0);
  st_stacktab_free(&tab);
  fix_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_spec_example),
      cmocka_unit_test(test_exact_boundary),
      cmocka_unit_test(test_worst_case_record),
      cmocka_unit_test(test_strings_force_flush_before_stack),
      cmocka_unit_test(test_too_big_record),
      cmocka_unit_test(test_table_dump_inlining_and_zero_frame),
      cmocka_unit_test(test_bucket_order),
      cmocka_unit_test(test_legacy_vs_direct),
      cmocka_unit_test(test_dumper_init_params),
      cmocka_unit_test(test_scratch_bound_saturates),
      cmocka_unit_test(test_dumper_init_nomem),
      cmocka_unit_test(test_record_string_failure),
      cmocka_unit_test(test_table_dump_needs_symbolizer),
      cmocka_unit_test(test_table_dump_symbolizer_overflow),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
