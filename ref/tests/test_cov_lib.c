/* Small library contracts not reached elsewhere: st_tbuf_set_v2's refusals and the header of
 * an experimental batch (v2 spec §3: `31 exp V(gen) V(M) V(time)` and the 10-byte size), and
 * the event-table helpers for types outside the tables. Expected bytes by hand. */
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_events.h"
#include "stacktab/st_tbuf.h"

static int sink(void *u, const uint8_t *p, size_t n) {
  stt_put(u, p, n);
  return 0;
}
static uint64_t clock5(void *u) {
  (void)u;
  return 5;
}

static void test_set_v2_refusals(void **s) {
  (void)s;
  uint8_t mem[128];
  stt_bytes out = {0};
  st_tbuf b;
  /* Below the v2 minimum (a v1 tbuf may be that small). */
  assert_int_equal(st_tbuf_init(&b, mem, ST_TBUF_MIN_CAP_V2 - 1, sink, &out, clock5, NULL), ST_ENC_OK);
  assert_int_equal(st_tbuf_set_v2(&b, 1, -1), ST_ENC_E_PARAM);
  assert_int_equal(st_tbuf_init(&b, mem, sizeof mem, sink, &out, clock5, NULL), ST_ENC_OK);
  assert_int_equal(st_tbuf_set_v2(&b, 1, -2), ST_ENC_E_PARAM);
  assert_int_equal(st_tbuf_set_v2(&b, 1, 256), ST_ENC_E_PARAM);
  assert_int_equal(st_tbuf_set_v2(&b, 1, 255), ST_ENC_OK);
  /* Not while a batch is open. */
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
  assert_int_equal(st_tbuf_set_v2(&b, 1, -1), ST_ENC_E_PARAM);
  stt_free(&out);
}

static void test_experimental_header(void **s) {
  (void)s;
  uint8_t mem[64];
  stt_bytes out = {0};
  st_tbuf b;
  assert_int_equal(st_tbuf_init(&b, mem, sizeof mem, sink, &out, clock5, NULL), ST_ENC_OK);
  assert_int_equal(st_tbuf_set_v2(&b, 3, 7), ST_ENC_OK);
  assert_int_equal(st_tbuf_flush(&b, 9), ST_ENC_OK);
  st_tbuf_byte(&b, 0xaa);
  assert_int_equal(st_tbuf_finish(&b), ST_ENC_OK);
  /* 31 07 V(gen 3) V(M 9) V(time 5), the payload length 1 in 10 bytes, the payload. */
  static const uint8_t want[] = {0x31, 0x07, 0x03, 0x09, 0x05, 0x81, 0x80, 0x80, 0x80,
                                 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0xaa};
  assert_int_equal(out.len, sizeof want);
  assert_memory_equal(out.p, want, sizeof want);
  stt_free(&out);
}

static void test_event_helpers_outside_tables(void **s) {
  (void)s;
  assert_string_equal(st_event_name(0, ST_VER_1_19), "?");
  assert_string_equal(st_event_name(ST_EV_COUNT, ST_VER_1_19), "?");
  assert_string_equal(st_event_name(ST_EV2_COUNT, ST_VER_1_23), "?");
  assert_string_equal(st_event_name(60, ST_VER_1_23), "?"); /* a hole in the v2 table */
  assert_string_equal(st_event_name(ST_EV2_GO_SWITCH, ST_VER_1_23), "GoSwitch");
  assert_int_equal(st_event_allowed(0, ST_VER_1_19), 0);
  assert_int_equal(st_event_allowed(ST_EV_COUNT, ST_VER_1_19), 0);
  assert_int_equal(st_event_allowed(ST_EV_GO_SCHED, ST_VER_1_23), 0); /* a v1 type, v2 header */
  assert_int_equal(st_event_allowed(ST_EV_GO_SCHED, ST_VER_1_19), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_set_v2_refusals),
      cmocka_unit_test(test_experimental_header),
      cmocka_unit_test(test_event_helpers_outside_tables),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
