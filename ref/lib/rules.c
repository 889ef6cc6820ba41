#include "stacktab/st_rules.h"

#include <string.h>

static const st_rule_desc k_rules[ST_RULE_COUNT] = {
  [ST_RULE_NONE] = {"NONE", ST_SEV_ERROR, 0, 0, 0,
    "no rule"},
  [ST_RULE_HDR_BAD] = {"HDR-BAD", ST_SEV_ERROR, 0, 1, 0,
    "the file starts with a 16-byte header \"go 1.N trace\" padded with NULs"},
  [ST_RULE_HDR_UNSUPPORTED] = {"HDR-UNSUPPORTED", ST_SEV_ERROR, 0, 1, 0,
    "the header's version is 1.11, 1.19 or 1.21 (v1) or 1.22, 1.23 or 1.25 (v2)"},
  [ST_RULE_HDR_REPEATED] = {"HDR-REPEATED", ST_SEV_ERROR, 0, 1, 0,
    "one trace per file: no second header (traces of several Start/Stop cycles concatenated)"},
  [ST_RULE_TRUNCATED] = {"TRUNCATED", ST_SEV_ERROR, 0, 1, 0,
    "the input does not end inside the header or an event"},
  [ST_RULE_VARINT_OVERLONG] = {"VARINT-OVERLONG", ST_SEV_ERROR, 0, 1, 0,
    "a varint is at most 10 bytes long"},
  [ST_RULE_VARINT_OVERFLOW] = {"VARINT-OVERFLOW", ST_SEV_ERROR, 1, 0, 0,
    "the 10th byte of a varint is 0 or 1 (no bits past 64)"},
  [ST_RULE_EVENT_UNKNOWN] = {"EVENT-UNKNOWN", ST_SEV_ERROR, 0, 1, 0,
    "the event type is known to the header's version"},
  [ST_RULE_EVENT_NARGS] = {"EVENT-NARGS", ST_SEV_ERROR, 0, 0, 0,
    "an event has the number of arguments its type defines"},
  [ST_RULE_EVENT_LENGTH] = {"EVENT-LENGTH", ST_SEV_ERROR, 0, 1, 0,
    "the arguments of a length-prefixed event end exactly at its length"},
  [ST_RULE_BATCH_MISSING] = {"BATCH-MISSING", ST_SEV_ERROR, 1, 0, 0,
    "every event after the header belongs to a batch (EvBatch comes first)"},
  [ST_RULE_BATCH_TOO_LARGE] = {"BATCH-TOO-LARGE", ST_SEV_ERROR, 1, 0, 1,
    "a batch is no longer than the writer's buffer capacity (v1: 64488 bytes, v2: 65504 "
    "bytes with its header, by default)"},
  [ST_RULE_STRING_ID_ZERO] = {"STRING-ID-ZERO", ST_SEV_ERROR, 0, 0, 0,
    "EvString IDs are not 0 (0 is the empty string, never written)"},
  [ST_RULE_STRING_DUP_ID] = {"STRING-DUP-ID", ST_SEV_ERROR, 0, 0, 0,
    "each string ID is defined once"},
  [ST_RULE_STRING_EMPTY] = {"STRING-EMPTY", ST_SEV_ERROR, 0, 0, 0,
    "EvString has a length of at least 1"},
  [ST_RULE_STRING_TOO_LONG] = {"STRING-TOO-LONG", ST_SEV_ERROR, 0, 1, 0,
    "a string is at most 1000000 bytes (v2: 1024)"},
  [ST_RULE_STACK_NFRAMES] = {"STACK-NFRAMES", ST_SEV_ERROR, 0, 0, 0,
    "EvStack has 2 + 4 x frames arguments"},
  [ST_RULE_STACK_TOO_DEEP] = {"STACK-TOO-DEEP", ST_SEV_ERROR, 0, 0, 0,
    "EvStack has at most 1000 frames (v2: 128)"},
  [ST_RULE_STACK_FORM] = {"STACK-FORM", ST_SEV_ERROR, 1, 0, 0,
    "EvStack is length-prefixed (argument-count field 3)"},
  [ST_RULE_STACK_ID_ZERO] = {"STACK-ID-ZERO", ST_SEV_ERROR, 1, 0, 0,
    "EvStack IDs are not 0 (0 means no stack)"},
  [ST_RULE_STACK_DUP_ID] = {"STACK-DUP-ID", ST_SEV_ERROR, 1, 0, 0,
    "each stack ID is defined once"},
  [ST_RULE_STACK_STRING_UNDEFINED] = {"STACK-STRING-UNDEFINED", ST_SEV_ERROR, 1, 0, 0,
    "every string ID an EvStack frame uses is defined earlier in the file (v2: anywhere in "
    "its generation)"},
  [ST_RULE_STACK_UNDEFINED] = {"STACK-UNDEFINED", ST_SEV_ERROR, 1, 0, 0,
    "every nonzero stack ID an event refers to is defined by an EvStack in the file (v2: in "
    "its generation)"},
  [ST_RULE_FREQ_MISSING] = {"FREQ-MISSING", ST_SEV_ERROR, 1, 0, 0,
    "the trace has an EvFrequency event (v2: every generation has a frequency or sync "
    "batch)"},
  [ST_RULE_FREQ_INVALID] = {"FREQ-INVALID", ST_SEV_ERROR, 1, 0, 1,
    "EvFrequency is above 0 (as a signed 64-bit value)"},
  [ST_RULE_LIMIT_STRINGS] = {"LIMIT-STRINGS", ST_SEV_ERROR, 0, 1, 0,
    "the string table stays within the decoder's limit (count and bytes; v2: per "
    "generation)"},
  [ST_RULE_LIMIT_STACKS] = {"LIMIT-STACKS", ST_SEV_ERROR, 0, 1, 0,
    "the number of stack IDs stays within the decoder's limit (v2: per generation)"},
  [ST_RULE_LEN_OVER_2048] = {"LEN-OVER-2048", ST_SEV_WARNING, 0, 0, 0,
    "length-prefixed events are at most 2048 bytes long (Go 1.22+ readers refuse longer)"},
  [ST_RULE_BATCH_EXPECTED] = {"BATCH-EXPECTED", ST_SEV_ERROR, 0, 1, 0,
    "every v2 batch starts with 01 (EventBatch) or, from Go 1.23, 31 (ExperimentalBatch)"},
  [ST_RULE_BATCH_SIZE] = {"BATCH-SIZE", ST_SEV_ERROR, 0, 1, 0,
    "a v2 batch's size field is at most 65536"},
  [ST_RULE_BATCH_OVERRUN] = {"BATCH-OVERRUN", ST_SEV_ERROR, 0, 1, 0,
    "every record of a v2 batch ends inside the batch's size"},
  [ST_RULE_BATCH_RECORD] = {"BATCH-RECORD", ST_SEV_ERROR, 0, 1, 0,
    "a v2 strings, stacks, CPU-sample or sync batch holds only records of its kind"},
  [ST_RULE_BATCH_TRAILING] = {"BATCH-TRAILING", ST_SEV_ERROR, 1, 0, 1,
    "a v2 frequency batch holds the frequency and nothing after it"},
  [ST_RULE_GEN_ZERO] = {"GEN-ZERO", ST_SEV_ERROR, 0, 1, 0,
    "v2 generation numbers are not 0"},
  [ST_RULE_GEN_ORDER] = {"GEN-ORDER", ST_SEV_ERROR, 0, 1, 0,
    "a v2 batch belongs to the current generation or the next one (contiguous, ascending)"},
  [ST_RULE_GEN_NO_EVENTS] = {"GEN-NO-EVENTS", ST_SEV_ERROR, 0, 0, 0,
    "every v2 generation has at least one timed event"},
  [ST_RULE_FREQ_REPEATED] = {"FREQ-REPEATED", ST_SEV_ERROR, 0, 0, 0,
    "a v2 generation has one frequency (Go 1.22/1.23) or sync (Go 1.25) batch, not more"},
  [ST_RULE_STRING_UNDEFINED] = {"STRING-UNDEFINED", ST_SEV_ERROR, 0, 0, 0,
    "every nonzero string ID a v2 event refers to is defined in its generation"},
  [ST_RULE_CPU_STACK_UNDEFINED] = {"CPU-STACK-UNDEFINED", ST_SEV_ERROR, 1, 0, 1,
    "every nonzero stack ID of a v2 CPU sample is defined in its generation (Go's reader does "
    "not check it, then crashes)"},
};

const st_rule_desc *st_rule_describe(st_rule r) {
  return (unsigned)r < ST_RULE_COUNT ? &k_rules[r] : &k_rules[ST_RULE_NONE];
}

const char *st_rule_id(st_rule r) { return st_rule_describe(r)->id; }

int st_rule_strict_only(st_rule r, int format) {
  const st_rule_desc *d = st_rule_describe(r);
  return format == 2 ? d->strict_only_v2 : d->strict_only;
}

st_rule st_rule_lookup(const char *id) {
  for (unsigned r = 1; r < ST_RULE_COUNT; r++)
    if (strcmp(k_rules[r].id, id) == 0) return (st_rule)r;
  return ST_RULE_NONE;
}
