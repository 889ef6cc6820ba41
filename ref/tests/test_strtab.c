/* String table: IDs, dedup, "" = 0, the 1024-byte suffix rule, the 21 + len room check at its
 * exact boundary, truncation of strings too long for an empty buffer (ours and the Go
 * runtime's faulty form, spec §4), pre-seeding. Expected bytes are worked out by hand. Also:
 * allocation failure at every call, hash collisions, the end of the ID space, a batch with no
 * room for one string byte, a failing sink. */
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

/* init refuses NULL; a fresh table (nothing allocated yet) finds "" as ID 0 and nothing else,
 * and can be reset and freed before its first string. */
static void test_fresh_table(void **s) {
  (void)s;
  assert_int_equal(st_strtab_init(NULL, NULL), ST_ENC_E_PARAM);
  fix f;
  fix_init(&f, 256);
  uint64_t id = 99;
  assert_int_equal(st_strtab_find(&f.t, "", 0, &id), 1);
  assert_int_equal(id, 0);
  assert_int_equal(st_strtab_find(&f.t, "a", 1, &id), 0);
  st_strtab_reset(&f.t);
  assert_int_equal(f.t.next_id, 1);
  assert_int_equal(intern(&f, "a"), 1);
  fix_done(&f);
  fix_free(&f);
}

/* Every allocation fails once in turn while 300 strings (arena past 4096 bytes, slots past 256)
 * are seeded and interned. The failing call returns ST_ENC_E_NOMEM and leaves no trace: nothing
 * written, no ID used, the string not in the table; retried, it succeeds. The bytes written are
 * checked against EvStrings built by the test's own writer (spec §4: 25 varint(id) varint(len)
 * bytes), and free returns every byte with the sizes the table reported. */
enum { NSTR = 300 };
static size_t str_i(char *buf, int i) {
  return (size_t)snprintf(buf, 40, "runtime.function_number_%03d", i);
}
static void test_alloc_failure_every_call(void **s) {
  (void)s;
  for (long fail_at = 1;; fail_at++) {
    stt_alloc a;
    stt_alloc_init(&a, fail_at);
    fix f;
    fix_init(&f, ST_DEFAULT_BUF_SIZE);
    st_strtab_free(&f.t);
    assert_int_equal(st_strtab_init(&f.t, &a.a), ST_ENC_OK);
    int nomem = 0;
    st_enc_status st = st_strtab_seed(&f.t, 5000, "seeded", 6);
    if (st == ST_ENC_E_NOMEM) {
      nomem++;
      uint64_t id;
      assert_int_equal(st_strtab_find(&f.t, "seeded", 6, &id), 0);
      assert_int_equal(f.t.next_id, 1);
      st = st_strtab_seed(&f.t, 5000, "seeded", 6);
    }
    assert_int_equal(st, ST_ENC_OK);
    char buf[40];
    for (int i = 0; i < NSTR; i++) {
      size_t len = str_i(buf, i);
      uint64_t id = 0;
      size_t pos = f.b.pos;
      st = st_strtab_intern(&f.t, &f.b, 0, buf, len, &id);
      if (st == ST_ENC_E_NOMEM) {
        nomem++;
        assert_int_equal(f.b.pos, pos);
        assert_int_equal(f.t.written, (uint64_t)i);
        assert_int_equal(f.t.next_id, 5001 + (uint64_t)i);
        assert_int_equal(st_strtab_find(&f.t, buf, len, &id), 0);
        st = st_strtab_intern(&f.t, &f.b, 0, buf, len, &id);
      }
      assert_int_equal(st, ST_ENC_OK);
      assert_int_equal(id, 5001 + (uint64_t)i);
    }
    assert_int_equal(nomem, a.failures);
    for (int i = 0; i < NSTR; i++) {
      uint64_t id;
      size_t len = str_i(buf, i);
      assert_int_equal(st_strtab_find(&f.t, buf, len, &id), 1);
      assert_int_equal(id, 5001 + (uint64_t)i);
    }
    fix_done(&f);
    stt_bytes want = {0};
    stt_batch(&want, 0, 1);
    for (int i = 0; i < NSTR; i++) {
      str_i(buf, i);
      stt_string(&want, 5001 + (uint64_t)i, buf);
    }
    assert_int_equal(f.e.out.len, want.len);
    assert_memory_equal(f.e.out.p, want.p, want.len);
    stt_free(&want);
    fix_free(&f);
    assert_int_equal(a.live, 0);
    assert_int_equal(a.bytes, 0);
    assert_int_equal(a.bad_old, 0);
    if (a.failures == 0) {
      assert_true(fail_at > 4); /* arena and slots at least twice each */
      break;
    }
  }
}

/* Different strings with equal FNV-1a 64 hashes keep their own IDs. The byte strings are the
 * little-endian PCs of the colliding stacks in test_stacktab.c (checked with Python):
 *   8 bytes vs 16 bytes: hash 0xc67d37029bfe351b; two 8-byte strings: 0x5c3165ef30632025. */
static void test_hash_collisions_are_different_strings(void **s) {
  (void)s;
  static const char a8[] = {'\x9e', '\x02', '\xab', '\xfa', '\x2c', '\xa7', '\x31', '\x8d'};
  static const char b16[] = {'\xef', '\xcd', '\xab', '\x89', '\x67', '\x45', '\x23', '\x01',
                             '\x79', '\x79', '\x84', '\x39', '\x0c', '\xe1', '\x86', '\x22'};
  static const char c8[] = {'\xc2', '\xbd', '\x02', '\x22', '\xce', '\x2e', '\x1d', '\x60'};
  static const char d8[] = {'\xf4', '\x06', '\xef', '\xd4', '\xc3', '\x1d', '\xc6', '\xd5'};
  const struct {
    const char *a;
    size_t na;
    const char *b;
    size_t nb;
    uint64_t hash;
  } cases[] = {
      {a8, sizeof a8, b16, sizeof b16, 0xc67d37029bfe351bull},
      {c8, sizeof c8, d8, sizeof d8, 0x5c3165ef30632025ull},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_true(st_strtab_hash(cases[i].a, cases[i].na) == cases[i].hash);
    assert_true(st_strtab_hash(cases[i].b, cases[i].nb) == cases[i].hash);
    fix f;
    fix_init(&f, 256);
    uint64_t id;
    assert_int_equal(st_strtab_intern(&f.t, &f.b, 0, cases[i].a, cases[i].na, &id), ST_ENC_OK);
    assert_int_equal(id, 1);
    assert_int_equal(st_strtab_find(&f.t, cases[i].b, cases[i].nb, &id), 0);
    assert_int_equal(st_strtab_seed(&f.t, 9, cases[i].b, cases[i].nb), ST_ENC_OK); /* not a dup */
    assert_int_equal(st_strtab_find(&f.t, cases[i].b, cases[i].nb, &id), 1);
    assert_int_equal(id, 9);
    assert_int_equal(st_strtab_find(&f.t, cases[i].a, cases[i].na, &id), 1);
    assert_int_equal(id, 1);
    fix_done(&f);
    fix_free(&f);
  }
}

/* IDs are uint64: the string given UINT64_MAX is the last one (a 10-byte varint); after it the
 * table answers ST_ENC_E_LIMIT, writes nothing and still finds what it has. */
static void test_id_space_exhausted(void **s) {
  (void)s;
  fix f;
  fix_init(&f, 256);
  assert_int_equal(st_strtab_set_next_id(&f.t, UINT64_MAX), ST_ENC_OK);
  assert_true(intern(&f, "last") == UINT64_MAX);
  uint64_t id = 99;
  assert_int_equal(st_strtab_intern(&f.t, &f.b, 0, "more", 4, &id), ST_ENC_E_LIMIT);
  assert_int_equal(st_strtab_find(&f.t, "more", 4, &id), 0);
  assert_true(intern(&f, "last") == UINT64_MAX);
  assert_int_equal(intern(&f, ""), 0);
  fix_done(&f);
  const uint8_t want[] = {0x41, 0, 1, 0x25, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0x01, 4, 'l', 'a', 's', 't'};
  assert_int_equal(f.e.out.len, sizeof want);
  assert_memory_equal(f.e.out.p, want, sizeof want);
  assert_int_equal(f.t.written, 1);
  fix_free(&f);
}

/* The smallest buffer with the largest EvBatch (pid and ticks of 10 bytes each) leaves 32 - 21
 * = 11 bytes. A string needs its type byte, ID, a length and one byte: with an 8-byte ID
 * (2^56 - 1) that is exactly 11 and one byte of the string is written; a 9-byte ID (2^56)
 * cannot fit at all: ST_ENC_E_TOO_BIG, the string not added, its ID not used. */
static void test_no_room_for_one_byte(void **s) {
  (void)s;
  const uint64_t ids[] = {(1ull << 56) - 1, 1ull << 56};
  for (int i = 0; i < 2; i++) {
    fix f;
    fix_init(&f, ST_TBUF_MIN_CAP);
    f.e.now = UINT64_MAX - 1; /* the clock's next ticks: UINT64_MAX */
    assert_int_equal(st_strtab_set_next_id(&f.t, ids[i]), ST_ENC_OK);
    uint64_t id = 0;
    st_enc_status st = st_strtab_intern(&f.t, &f.b, UINT64_MAX, "xyz", 3, &id);
    if (i == 0) {
      assert_int_equal(st, ST_ENC_OK);
      assert_true(id == ids[0]);
      assert_int_equal(f.t.truncated, 1);
      fix_done(&f);
      stt_bytes want = {0};
      stt_batch(&want, UINT64_MAX, UINT64_MAX);
      stt_byte(&want, 0x25);
      stt_uv(&want, ids[0]);
      stt_byte(&want, 1);
      stt_byte(&want, 'x');
      assert_int_equal(want.len, ST_TBUF_MIN_CAP);
      assert_int_equal(f.e.out.len, want.len);
      assert_memory_equal(f.e.out.p, want.p, want.len);
      stt_free(&want);
    } else {
      assert_int_equal(st, ST_ENC_E_TOO_BIG);
      assert_true(f.t.next_id == ids[1]);
      assert_int_equal(st_strtab_find(&f.t, "xyz", 3, &id), 0);
      assert_int_equal(f.t.written, 0);
      assert_int_equal(f.b.pos, 21); /* the batch holds its EvBatch only */
    }
    fix_free(&f);
  }
}

/* Declared length and bytes written, ours and the runtime's form, on a batch with 41 00 01 and
 * 25 01 already counted (the room after the ID is cap - 5):
 *  - a short string fits: both forms write it whole;
 *  - cap 32, 20 bytes: room 27 < 20 + 10, so the runtime declares 27, and all 20 bytes are
 *    written (there are no more); ours fits 20 + 1 <= 27 and declares 20. */
static void test_declared_lengths(void **s) {
  (void)s;
  char twenty[21];
  memset(twenty, 'q', 20);
  twenty[20] = 0;
  const struct {
    int runtime;
    size_t cap;
    const char *str;
    uint8_t declared;
    size_t written;
  } cases[] = {
      {0, 64, "ab", 2, 2},
      {1, 64, "ab", 2, 2},
      {0, 32, twenty, 20, 20},
      {1, 32, twenty, 27, 20},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fix f;
    fix_init(&f, cases[i].cap);
    f.t.runtime_truncation = cases[i].runtime;
    assert_int_equal(intern(&f, cases[i].str), 1);
    assert_int_equal(f.t.truncated, 0);
    fix_done(&f);
    const uint8_t head[] = {0x41, 0, 1, 0x25, 1, cases[i].declared};
    assert_int_equal(f.e.out.len, sizeof head + cases[i].written);
    assert_memory_equal(f.e.out.p, head, sizeof head);
    assert_memory_equal(f.e.out.p + sizeof head, cases[i].str, cases[i].written);
    fix_free(&f);
  }
}

static int sink_refuses(void *u, const uint8_t *p, size_t n) {
  (void)u;
  (void)p;
  (void)n;
  return 1;
}

/* A string that needs a new batch, when the sink refuses the full one: ST_ENC_E_SINK, and the
 * string is not in the table (its ID is still free). */
static void test_sink_failure_on_flush(void **s) {
  (void)s;
  uint8_t mem[32];
  stt_sink clock = {0};
  st_tbuf b;
  assert_int_equal(st_tbuf_init(&b, mem, sizeof mem, sink_refuses, NULL, stt_sink_clock, &clock),
                   ST_ENC_OK);
  st_strtab t;
  assert_int_equal(st_strtab_init(&t, NULL), ST_ENC_OK);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK); /* 29 left: a 9-byte string needs 30 */
  uint64_t id = 99;
  assert_int_equal(st_strtab_intern(&t, &b, 0, "123456789", 9, &id), ST_ENC_E_SINK);
  assert_int_equal(st_strtab_find(&t, "123456789", 9, &id), 0);
  assert_int_equal(t.next_id, 1);
  assert_int_equal(t.written, 0);
  st_strtab_free(&t);
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
      cmocka_unit_test(test_fresh_table),
      cmocka_unit_test(test_alloc_failure_every_call),
      cmocka_unit_test(test_hash_collisions_are_different_strings),
      cmocka_unit_test(test_id_space_exhausted),
      cmocka_unit_test(test_no_room_for_one_byte),
      cmocka_unit_test(test_declared_lengths),
      cmocka_unit_test(test_sink_failure_on_flush),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
