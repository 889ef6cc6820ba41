/* The dump algorithms on hand-computed bytes: the spec's direct example and its legacy form,
 * the room checks at their exact boundaries, the worst-case record, strings that force a flush
 * before their stack, records too big for any batch, the table dump with inlining and zero
 * frames, and where legacy and direct differ. */
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
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
