/* Stack table: IDs (0 for empty, first-seen order, dedup by content), the fixed hash against
 * FNV-1a 64 values computed outside this code, more stacks than buckets, reset. */
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids),
      cmocka_unit_test(test_hash_is_fnv1a_le),
      cmocka_unit_test(test_more_stacks_than_buckets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
