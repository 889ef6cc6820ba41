/* The lookup tables behind the public API: rule IDs (stable strings that tools match on),
 * encoder status strings, event names per version, and the decoder's scratch bound. */
#include <stdio.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_enc.h"

static void rule_ids_are_unique_and_round_trip(void **state) {
  (void)state;
  for (unsigned r = 1; r < ST_RULE_COUNT; r++) {
    const st_rule_desc *d = st_rule_describe((st_rule)r);
    assert_non_null(d->id);
    assert_true(strlen(d->summary) > 10);
    assert_int_equal(st_rule_lookup(d->id), r);
    for (unsigned q = 1; q < r; q++) assert_string_not_equal(d->id, st_rule_id((st_rule)q));
  }
  assert_int_equal(st_rule_lookup("NO-SUCH-RULE"), ST_RULE_NONE);
  assert_string_equal(st_rule_id(ST_RULE_COUNT), "NONE"); /* out of range: the NONE entry */
  /* The IDs the conformance suite and users match on, spelled out independently. */
  assert_string_equal(st_rule_id(ST_RULE_VARINT_OVERFLOW), "VARINT-OVERFLOW");
  assert_string_equal(st_rule_id(ST_RULE_STACK_STRING_UNDEFINED), "STACK-STRING-UNDEFINED");
  assert_string_equal(st_rule_id(ST_RULE_LEN_OVER_2048), "LEN-OVER-2048");
  assert_int_equal(st_rule_describe(ST_RULE_LEN_OVER_2048)->severity, ST_SEV_WARNING);
}

static void encoder_status_strings_are_distinct(void **state) {
  (void)state;
  const st_enc_status all[] = {ST_ENC_OK,    ST_ENC_E_TOO_BIG, ST_ENC_E_NOMEM, ST_ENC_E_PARAM,
                               ST_ENC_E_STATE, ST_ENC_E_SINK,  ST_ENC_E_LIMIT, ST_ENC_E_DUP};
  const size_t n = sizeof all / sizeof all[0];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < i; j++)
      assert_string_not_equal(st_enc_status_str(all[i]), st_enc_status_str(all[j]));
  assert_string_equal(st_enc_status_str((st_enc_status)42), "unknown status");
}

static void event_names_follow_the_version(void **state) {
  (void)state;
  assert_string_equal(st_event_name(ST_EV_GC_STW_START, ST_VER_1_19), "GCSTWStart");
  assert_string_equal(st_event_name(ST_EV_GC_STW_START, ST_VER_1_21), "STWStart");
  assert_string_equal(st_event_name(ST_EV_GC_STW_DONE, ST_VER_1_21), "STWDone");
  assert_string_equal(st_event_name(0, ST_VER_1_19), "?");
  assert_string_equal(st_event_name(ST_EV_COUNT, ST_VER_1_19), "?");
  assert_null(st_event_describe(ST_EV_COUNT));
  assert_false(st_event_allowed(ST_EV_CPU_SAMPLE, ST_VER_1_11));
  assert_true(st_event_allowed(ST_EV_CPU_SAMPLE, ST_VER_1_19));
  uint8_t h[ST_HEADER_SIZE];
  assert_int_equal(st_header_put(h, 1020), -1);
}

static void scratch_bound_holds_the_longest_event(void **state) {
  (void)state;
  /* A UserLog with a 1e6-byte message: 1 type byte, 10-byte length, 5 ten-byte arguments,
   * a 10-byte message length, the message. */
  assert_true(st_decode_scratch_bound() >= 1u + 10u + 50u + 10u + ST_MAX_STRING_LEN);
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.mode = (st_mode)7;
  st_decoder d;
  assert_int_equal(st_decoder_init(&d, &cfg), ST_E_PARAM);
  st_decoder_free(&d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(rule_ids_are_unique_and_round_trip),
    cmocka_unit_test(encoder_status_strings_are_distinct),
    cmocka_unit_test(event_names_follow_the_version),
    cmocka_unit_test(scratch_bound_holds_the_longest_event),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
