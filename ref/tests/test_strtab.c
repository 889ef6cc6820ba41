/* String table: IDs, dedup, "" = 0, the 1024-byte suffix rule, the 21 + len room check at its
 * exact boundary, truncation of strings too long for an empty buffer (ours and the Go
 * runtime's faulty form, spec §4), pre-seeding. Expected bytes are worked out by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_strtab.h"

typedef stt_sink env;

typedef struct {
  env e;
  st_tbuf b;
  st_strtab t;
  uint8_t *mem;
} fix;

static void fix_init(fix *f, size_t cap) {
  memset(f, 0, sizeof *f);
  f->mem = malloc(cap);
  assert_int_equal(
      st_tbuf_init(&f->b, f->mem, cap, stt_sink_put, &f->e, stt_sink_clock, &f->e), ST_ENC_OK);
  assert_int_equal(st_strtab_init(&f->t, NULL), ST_ENC_OK);
}
static void fix_done(fix *f) {
  assert_int_equal(st_tbuf_finish(&f->b), ST_ENC_OK);
}
static void fix_free(fix *f) {
  st_strtab_free(&f->t);
  stt_free(&f->e.out);
  free(f->mem);
}

static uint64_t intern(fix *f, const char *s) {
  uint64_t id = 99;
  assert_int_equal(st_strtab_intern(&f->t, &f->b, 0, s, strlen(s), &id), ST_ENC_OK);
  return id;
}

static void test_ids_dedup_and_empty(void **s) {
  (void)s;
  fix f;
  fix_init(&f, 256);
  assert_int_equal(intern(&f, ""), 0); /* writes nothing, opens no batch */
  assert_int_equal(f.b.open, 0);
  assert_int_equal(intern(&f, "ab"), 1);
  assert_int_equal(intern(&f, "c"), 2);
  assert_int_equal(intern(&f, "ab"), 1);
  assert_int_equal(intern(&f, ""), 0);
  uint64_t id;
  assert_int_equal(st_strtab_find(&f.t, "c", 1, &id), 1);
  assert_int_equal(id, 2);
  assert_int_equal(st_strtab_find(&f.t, "d", 1, &id), 0);
  fix_done(&f);
  const uint8_t want[] = {0x41, 0, 1, 0x25, 1, 2, 'a', 'b', 0x25, 2, 1, 'c'};
  assert_int_equal(f.e.out.len, sizeof want);
  assert_memory_equal(f.e.out.p, want, sizeof want);
  assert_int_equal(f.t.written, 2);
  fix_free(&f);
}

static void test_long_names_keep_last_1024(void **s) {
  (void)s;
  fix f;
  fix_init(&f, 4096);
  char name[1500], other[1100];
  for (size_t i = 0; i < sizeof name; i++) name[i] = (char)('a' + i % 26);
  /* A different prefix, the same last 1024 bytes: the same string after the cut. */
  memset(other, 'Z', sizeof other);
  memcpy(other + sizeof other - 1024, name + sizeof name - 1024, 1024);
  uint64_t id1, id2, id3;
  assert_int_equal(st_strtab_intern_name(&f.t, &f.b, 0, name, sizeof name, &id1), ST_ENC_OK);
  assert_int_equal(st_strtab_intern_name(&f.t, &f.b, 0, other, sizeof other, &id2), ST_ENC_OK);
  assert_int_equal(id1, 1);
  assert_int_equal(id2, 1);
  /* Exactly 1024 bytes are not cut; as a user string (intern) nothing is cut either. */
  assert_int_equal(st_strtab_intern_name(&f.t, &f.b, 0, name, 1024, &id3), ST_ENC_OK);
  assert_int_equal(id3, 2);
  fix_done(&f);
  /* 41 00 01 | 25 01 80 08 <last 1024> | 25 02 80 08 <first 1024> */
  assert_int_equal(f.e.out.len, 3 + 4 + 1024 + 4 + 1024);
  const uint8_t h1[] = {0x25, 0x01, 0x80, 0x08}, h2[] = {0x25, 0x02, 0x80, 0x08};
  assert_memory_equal(f.e.out.p + 3, h1, 4);
  assert_memory_equal(f.e.out.p + 7, name + 1500 - 1024, 1024);
  assert_memory_equal(f.e.out.p + 1031, h2, 4);
  assert_memory_equal(f.e.out.p + 1035, name, 1024);
  fix_free(&f);
}

/* 41 00 01 leaves cap - 3 bytes. A 15-byte string needs 1 + 2*10 + 15 = 36. */
static void test_room_check_boundary(void **s) {
  (void)s;
  fix f;
  fix_init(&f, 3 + 36);
  assert_int_equal(st_tbuf_flush(&f.b, 0), ST_ENC_OK);
  assert_int_equal(intern(&f, "hello, world 15"), 1); /* exactly 36 left: stays */
  assert_int_equal(f.e.nbatches, 0);
  fix_done(&f);
  fix_free(&f);

  fix_init(&f, 3 + 35);
  assert_int_equal(st_tbuf_flush(&f.b, 0), ST_ENC_OK);
  assert_int_equal(intern(&f, "hello, world 15"), 1); /* 35 left: flushes first */
  assert_int_equal(f.e.nbatches, 1);
  fix_done(&f);
  const uint8_t want[] = {0x41, 0, 1, 0x41, 0, 2, 0x25, 1, 15};
  assert_int_equal(f.e.out.len, sizeof want + 15);
  assert_memory_equal(f.e.out.p, want, sizeof want);
  assert_memory_equal(f.e.out.p + sizeof want, "hello, world 15", 15);
  fix_free(&f);
}

/* cap 64: 41 00 01 leaves 61; 25 01 leaves 59 for the length and the bytes. */
static void test_too_long_truncated_declared_equals_written(void **s) {
  (void)s;
  char str[100];
  memset(str, 'x', sizeof str);
  fix f;
  fix_init(&f, 64);
  uint64_t id;
  assert_int_equal(st_strtab_intern(&f.t, &f.b, 0, str, sizeof str, &id), ST_ENC_OK);
  assert_int_equal(id, 1);
  assert_int_equal(f.t.truncated, 1);
  fix_done(&f);
  assert_int_equal(f.e.nbatches, 1);
  assert_int_equal(f.e.out.len, 64); /* the batch is exactly full */
  const uint8_t head[] = {0x41, 0, 1, 0x25, 1, 58};
  assert_memory_equal(f.e.out.p, head, sizeof head); /* declared 58, and 58 bytes follow */
  /* The table still knows the whole string: no second EvString. */
  assert_int_equal(st_strtab_find(&f.t, str, sizeof str, &id), 1);
  fix_free(&f);
}

/* The Go runtime's form (traceString): room 59 < 100 + 10, so it declares 59, writes the length
 * in 1 byte and copies only 58 bytes: one byte short of what it declared. */
static void test_runtime_truncation_declares_more(void **s) {
  (void)s;
  char str[100];
  memset(str, 'x', sizeof str);
  fix f;
  fix_init(&f, 64);
  f.t.runtime_truncation = 1;
  uint64_t id;
  assert_int_equal(st_strtab_intern(&f.t, &f.b, 0, str, sizeof str, &id), ST_ENC_OK);
  fix_done(&f);
  assert_int_equal(f.e.out.len, 64);
  const uint8_t head[] = {0x41, 0, 1, 0x25, 1, 59};
  assert_memory_equal(f.e.out.p, head, sizeof head);
  assert_int_equal(f.e.out.len - sizeof head, 58); /* declared 59, written 58 */
  fix_free(&f);

  /* With a 2-byte length the gap is 2 bytes: room 295 after the ID. */
  char big[400];
  memset(big, 'y', sizeof big);
  fix_init(&f, 300);
  f.t.runtime_truncation = 1;
  assert_int_equal(st_strtab_intern(&f.t, &f.b, 0, big, sizeof big, &id), ST_ENC_OK);
  fix_done(&f);
  const uint8_t head2[] = {0x41, 0, 1, 0x25, 1, 0xa7, 0x02}; /* declared 295 */
  assert_memory_equal(f.e.out.p, head2, sizeof head2);
  assert_int_equal(f.e.out.len - sizeof head2, 293);
  fix_free(&f);
  /* Ours on the same input: declared 293 = written. */
  fix_init(&f, 300);
  assert_int_equal(st_strtab_intern(&f.t, &f.b, 0, big, sizeof big, &id), ST_ENC_OK);
  fix_done(&f);
  const uint8_t head3[] = {0x41, 0, 1, 0x25, 1, 0xa5, 0x02};
  assert_memory_equal(f.e.out.p, head3, sizeof head3);
  assert_int_equal(f.e.out.len - sizeof head3, 293);
  fix_free(&f);
}

static void test_seed_and_next_id(void **s) {
  (void)s;
  fix f;
  fix_init(&f, 256);
  assert_int_equal(st_strtab_seed(&f.t, 7, "fn", 2), ST_ENC_OK);
  assert_int_equal(st_strtab_seed(&f.t, 3, "file", 4), ST_ENC_OK);
  assert_int_equal(f.t.next_id, 8);
  assert_int_equal(st_strtab_seed(&f.t, 9, "fn", 2), ST_ENC_E_DUP);
  assert_int_equal(st_strtab_seed(&f.t, 0, "q", 1), ST_ENC_E_PARAM);
  assert_int_equal(st_strtab_seed(&f.t, 5, "", 0), ST_ENC_E_PARAM);
  assert_int_equal(intern(&f, "fn"), 7);
  assert_int_equal(intern(&f, "file"), 3);
  assert_int_equal(f.b.open, 0); /* nothing written for seeded strings */
  assert_int_equal(intern(&f, "new"), 8);
  assert_int_equal(st_strtab_set_next_id(&f.t, 200), ST_ENC_OK);
  assert_int_equal(intern(&f, "later"), 200);
  assert_int_equal(st_strtab_set_next_id(&f.t, 0), ST_ENC_E_PARAM);
  fix_done(&f);
  const uint8_t want[] = {0x41, 0, 1, 0x25, 8, 3, 'n', 'e', 'w', 0x25, 0xc8, 0x01, 5, 'l', 'a', 't', 'e', 'r'};
  assert_int_equal(f.e.out.len, sizeof want);
  assert_memory_equal(f.e.out.p, want, sizeof want);
  fix_free(&f);
}

static void test_many_strings_and_reset(void **s) {
  (void)s;
  fix f;
  fix_init(&f, ST_DEFAULT_BUF_SIZE);
  char buf[32];
  for (int i = 0; i < 5000; i++) {
    snprintf(buf, sizeof buf, "s%d", i);
    assert_int_equal(intern(&f, buf), (uint64_t)i + 1);
  }
  for (int i = 0; i < 5000; i += 7) {
    snprintf(buf, sizeof buf, "s%d", i);
    assert_int_equal(intern(&f, buf), (uint64_t)i + 1);
  }
  assert_int_equal(f.t.count, 5000);
  st_strtab_reset(&f.t);
  assert_int_equal(intern(&f, "s4999"), 1);
  fix_done(&f);
  fix_free(&f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids_dedup_and_empty),
      cmocka_unit_test(test_long_names_keep_last_1024),
      cmocka_unit_test(test_room_check_boundary),
      cmocka_unit_test(test_too_long_truncated_declared_equals_written),
      cmocka_unit_test(test_runtime_truncation_declares_more),
      cmocka_unit_test(test_seed_and_next_id),
      cmocka_unit_test(test_many_strings_and_reset),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
