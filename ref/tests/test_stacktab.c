/* Stack table: IDs (0 for empty, first-seen order, dedup by content), the fixed hash against
 * FNV-1a 64 values computed outside this code, more stacks than buckets, reset, allocation
 * failure at every call, and stacks whose hashes collide. */
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_stacktab.h"

static void test_ids(void **s) {
  (void)s;
  st_stacktab t;
  assert_int_equal(st_stacktab_init(&t, NULL), ST_ENC_OK);
  uint64_t id, a[] = {1, 2}, b[] = {3}, c[] = {2, 1}, d[] = {1, 2, 3};
  assert_int_equal(st_stacktab_put(&t, a, 0, &id), ST_ENC_OK);
  assert_int_equal(id, 0); /* empty: "no stack" */
  assert_int_equal(st_stacktab_put(&t, a, 2, &id), ST_ENC_OK);
  assert_int_equal(id, 1);
  assert_int_equal(st_stacktab_put(&t, b, 1, &id), ST_ENC_OK);
  assert_int_equal(id, 2);
  assert_int_equal(st_stacktab_put(&t, a, 2, &id), ST_ENC_OK);
  assert_int_equal(id, 1);
  assert_int_equal(st_stacktab_put(&t, c, 2, &id), ST_ENC_OK); /* order matters */
  assert_int_equal(id, 3);
  assert_int_equal(st_stacktab_put(&t, d, 2, &id), ST_ENC_OK); /* same content as a */
  assert_int_equal(id, 1);
  assert_int_equal(st_stacktab_put(&t, d, 3, &id), ST_ENC_OK); /* a prefix is not equal */
  assert_int_equal(id, 4);
  assert_int_equal(st_stacktab_count(&t), 4);
  const uint64_t *pcs;
  size_t n;
  assert_int_equal(st_stacktab_get(&t, 3, &pcs, &n), 1);
  assert_int_equal(n, 2);
  assert_int_equal(pcs[0], 2);
  assert_int_equal(pcs[1], 1);
  assert_int_equal(st_stacktab_get(&t, 5, &pcs, &n), 0);
  assert_int_equal(st_stacktab_get(&t, 0, &pcs, &n), 0);
  st_stacktab_reset(&t);
  assert_int_equal(st_stacktab_put(&t, c, 2, &id), ST_ENC_OK);
  assert_int_equal(id, 1);
  st_stacktab_free(&t);
}

/* Values from Python: FNV-1a 64 over struct.pack('<Q...', pcs). */
static void test_hash_is_fnv1a_le(void **s) {
  (void)s;
  uint64_t z = 0, two[] = {0x4a1b2c, 0x401000};
  assert_true(st_stack_hash(NULL, 0) == 0xcbf29ce484222325ull);
  assert_true(st_stack_hash(&z, 1) == 0xa8c7f832281a39c5ull);
  assert_true(st_stack_hash(two, 2) == 0xc51def80eadce1baull);
  assert_int_equal(st_stack_hash(two, 2) % ST_STACK_BUCKETS, 442);
}

static void test_more_stacks_than_buckets(void **s) {
  (void)s;
  st_stacktab t;
  assert_int_equal(st_stacktab_init(&t, NULL), ST_ENC_OK);
  enum { N = 30000 };
  uint64_t id;
  for (uint64_t i = 0; i < N; i++) {
    uint64_t pcs[2] = {i * 0x9e3779b97f4a7c15ull, ~i};
    assert_int_equal(st_stacktab_put(&t, pcs, 1 + i % 2, &id), ST_ENC_OK);
    assert_int_equal(id, i + 1);
  }
  for (uint64_t i = 0; i < N; i += 3) {
    uint64_t pcs[2] = {i * 0x9e3779b97f4a7c15ull, ~i};
    assert_int_equal(st_stacktab_put(&t, pcs, 1 + i % 2, &id), ST_ENC_OK);
    assert_int_equal(id, i + 1);
  }
  assert_int_equal(st_stacktab_count(&t), N);
  st_stacktab_free(&t);
}

/* st_stacktab_init refuses a NULL table; when the allocator fails for the 8192 buckets it
 * returns ST_ENC_E_NOMEM and the table can still be freed (nothing left allocated). */
static void test_init_failure(void **s) {
  (void)s;
  assert_int_equal(st_stacktab_init(NULL, NULL), ST_ENC_E_PARAM);
  stt_alloc a;
  stt_alloc_init(&a, 1);
  st_stacktab t;
  assert_int_equal(st_stacktab_init(&t, &a.a), ST_ENC_E_NOMEM);
  assert_int_equal(a.failures, 1);
  st_stacktab_free(&t);
  assert_int_equal(a.live, 0);
  /* A second init on the same allocator works; free gives back every byte. */
  assert_int_equal(st_stacktab_init(&t, &a.a), ST_ENC_OK);
  assert_int_equal(a.live, 1);
  assert_true(a.bytes >= ST_STACK_BUCKETS * sizeof(uint32_t));
  st_stacktab_free(&t);
  assert_int_equal(a.live, 0);
  assert_int_equal(a.bytes, 0);
  assert_int_equal(a.bad_old, 0);
}

/* Every allocation of a run that grows both arrays several times fails once in turn. The put
 * that meets the failure returns ST_ENC_E_NOMEM and changes nothing: the stacks before it keep
 * their IDs and PCs, and the same put retried gets the next ID. Runs until one meets no failure;
 * free then returns every byte, with the sizes the table reported. */
enum { NSTACKS = 300 };
static void stack_pcs(uint64_t i, uint64_t pcs[3]) {
  pcs[0] = 0x400000 + i;
  pcs[1] = 0x500000 + i * 7;
  pcs[2] = 0x600000 ^ i;
}
static void test_alloc_failure_every_call(void **s) {
  (void)s;
  for (long fail_at = 1;; fail_at++) {
    stt_alloc a;
    stt_alloc_init(&a, fail_at);
    st_stacktab t;
    st_enc_status st = st_stacktab_init(&t, &a.a);
    if (st == ST_ENC_E_NOMEM) {
      st_stacktab_free(&t);
      assert_int_equal(a.live, 0);
      continue;
    }
    assert_int_equal(st, ST_ENC_OK);
    int nomem = 0;
    for (uint64_t i = 0; i < NSTACKS; i++) {
      uint64_t pcs[3], id = 0;
      stack_pcs(i, pcs);
      size_t n = 1 + i % 3; /* 1, 2 or 3 PCs */
      st = st_stacktab_put(&t, pcs, n, &id);
      if (st == ST_ENC_E_NOMEM) {
        nomem++;
        assert_int_equal(st_stacktab_count(&t), i);
        assert_int_equal(st_stacktab_put(&t, pcs, n, &id), ST_ENC_OK);
      }
      assert_int_equal(id, i + 1);
    }
    assert_int_equal(nomem, a.failures);
    assert_int_equal(st_stacktab_count(&t), NSTACKS);
    for (uint64_t i = 0; i < NSTACKS; i++) {
      uint64_t want[3], id;
      const uint64_t *pcs;
      size_t n;
      stack_pcs(i, want);
      assert_int_equal(st_stacktab_get(&t, i + 1, &pcs, &n), 1);
      assert_int_equal(n, 1 + i % 3);
      assert_memory_equal(pcs, want, n * sizeof *pcs);
      assert_int_equal(st_stacktab_put(&t, want, n, &id), ST_ENC_OK); /* found, not added */
      assert_int_equal(id, i + 1);
    }
    st_stacktab_free(&t);
    assert_int_equal(a.live, 0);
    assert_int_equal(a.bytes, 0);
    assert_int_equal(a.bad_old, 0);
    if (a.failures == 0) {
      /* Buckets, then the two arrays from 64 entries doubling: 300 records (64 -> 512) and
       * 600 PCs (64 -> 1024) take at least 1 + 4 + 5 allocations. */
      assert_true(fail_at > 10);
      break;
    }
  }
}

/* Stacks whose hashes are equal must still be told apart by their PCs. The pairs below collide
 * under FNV-1a 64 (found with a distinguished-point search outside this code, checked with
 * Python: FNV-1a 64 over struct.pack('<Q...', pcs)):
 *   {0x8d31a72cfaab029e} and {0x0123456789abcdef, 0x2286e10c39847979}: 0xc67d37029bfe351b;
 *   {0x601d2ece2202bdc2} and {0xd5c61dc3d4ef06f4}: 0x5c3165ef30632025 (same length). */
static void test_hash_collisions_are_different_stacks(void **s) {
  (void)s;
  const struct {
    uint64_t a[2];
    size_t na;
    uint64_t b[2];
    size_t nb;
    uint64_t hash;
  } cases[] = {
      {{0x8d31a72cfaab029eull}, 1, {0x0123456789abcdefull, 0x2286e10c39847979ull}, 2,
       0xc67d37029bfe351bull},
      {{0x601d2ece2202bdc2ull}, 1, {0xd5c61dc3d4ef06f4ull}, 1, 0x5c3165ef30632025ull},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_true(st_stack_hash(cases[i].a, cases[i].na) == cases[i].hash);
    assert_true(st_stack_hash(cases[i].b, cases[i].nb) == cases[i].hash);
    /* Either order: the second one walks past the first in their common bucket. */
    for (int order = 0; order < 2; order++) {
      st_stacktab t;
      assert_int_equal(st_stacktab_init(&t, NULL), ST_ENC_OK);
      const uint64_t *p1 = order ? cases[i].b : cases[i].a, *p2 = order ? cases[i].a : cases[i].b;
      size_t n1 = order ? cases[i].nb : cases[i].na, n2 = order ? cases[i].na : cases[i].nb;
      uint64_t id1, id2, again;
      assert_int_equal(st_stacktab_put(&t, p1, n1, &id1), ST_ENC_OK);
      assert_int_equal(st_stacktab_put(&t, p2, n2, &id2), ST_ENC_OK);
      assert_int_equal(id1, 1);
      assert_int_equal(id2, 2);
      assert_int_equal(st_stacktab_put(&t, p1, n1, &again), ST_ENC_OK);
      assert_int_equal(again, 1);
      assert_int_equal(st_stacktab_put(&t, p2, n2, &again), ST_ENC_OK);
      assert_int_equal(again, 2);
      const uint64_t *pcs;
      size_t n;
      assert_int_equal(st_stacktab_get(&t, 2, &pcs, &n), 1);
      assert_int_equal(n, n2);
      assert_memory_equal(pcs, p2, n2 * sizeof *pcs);
      st_stacktab_free(&t);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids),
      cmocka_unit_test(test_hash_is_fnv1a_le),
      cmocka_unit_test(test_more_stacks_than_buckets),
      cmocka_unit_test(test_init_failure),
      cmocka_unit_test(test_alloc_failure_every_call),
      cmocka_unit_test(test_hash_collisions_are_different_stacks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
