/* Rule IDs: every rejection (and warning) the decoder reports names one of these. The
 * strings returned by st_rule_id are stable: tools and the conformance suite match on them.
 * The table with each rule's meaning is in conformance/RULES.md. */
#ifndef ST_RULES_H
#define ST_RULES_H

#include "stacktab/st_export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  ST_RULE_NONE = 0,
  /* header */
  ST_RULE_HDR_BAD,              /* the 16 bytes are not "go 1.N trace" */
  ST_RULE_HDR_UNSUPPORTED,      /* a trace header of a version other than 1.11, 1.19, 1.21 */
  ST_RULE_HDR_REPEATED,         /* a second trace header inside the file (concatenated traces) */
  /* framing */
  ST_RULE_TRUNCATED,            /* the input ends inside the header or an event */
  ST_RULE_VARINT_OVERLONG,      /* a varint longer than 10 bytes */
  ST_RULE_VARINT_OVERFLOW,      /* a 10-byte varint whose 10th byte is above 1 */
  ST_RULE_EVENT_UNKNOWN,        /* event type 0, >= 50, or newer than the header's version */
  ST_RULE_EVENT_NARGS,          /* wrong number of arguments for the event type */
  ST_RULE_EVENT_LENGTH,         /* length-prefixed args do not end exactly at the length */
  ST_RULE_BATCH_MISSING,        /* an event before the first EvBatch */
  ST_RULE_BATCH_TOO_LARGE,      /* a batch longer than the writer's buffer capacity */
  /* strings */
  ST_RULE_STRING_ID_ZERO,       /* EvString with ID 0 */
  ST_RULE_STRING_DUP_ID,        /* EvString whose ID is already defined */
  ST_RULE_STRING_EMPTY,         /* EvString of length 0 */
  ST_RULE_STRING_TOO_LONG,      /* a string (EvString, UserLog message) over 1e6 bytes */
  /* stacks */
  ST_RULE_STACK_NFRAMES,        /* EvStack frame count does not match its arguments */
  ST_RULE_STACK_TOO_DEEP,       /* EvStack with more than 1000 frames */
  ST_RULE_STACK_FORM,           /* EvStack not written in the length-prefixed form */
  ST_RULE_STACK_ID_ZERO,        /* EvStack with ID 0 */
  ST_RULE_STACK_DUP_ID,         /* EvStack whose ID is already defined */
  ST_RULE_STACK_STRING_UNDEFINED, /* a frame names a string ID not defined earlier */
  ST_RULE_STACK_UNDEFINED,      /* an event refers to a stack ID the trace never defines */
  /* frequency */
  ST_RULE_FREQ_MISSING,         /* no EvFrequency in the trace */
  ST_RULE_FREQ_INVALID,         /* EvFrequency of 0 or negative as int64 */
  /* resources (caller-set limits) */
  ST_RULE_LIMIT_STRINGS,        /* the string table outgrew its limit */
  ST_RULE_LIMIT_STACKS,         /* the stack-ID table outgrew its limit */
  /* warnings */
  ST_RULE_LEN_OVER_2048,        /* a length-prefixed event over 2048 bytes (Go 1.22+ refuses it) */
  /* v2 (Go 1.22+) framing, generations and tables */
  ST_RULE_BATCH_EXPECTED,       /* a v2 batch does not start with 01 (or 31 from Go 1.23) */
  ST_RULE_BATCH_SIZE,           /* a v2 batch's size field is over 65536 */
  ST_RULE_BATCH_OVERRUN,        /* a record runs past the end of its v2 batch */
  ST_RULE_BATCH_RECORD,         /* a strings/stacks/CPU/sync batch holds a record of another type */
  ST_RULE_BATCH_TRAILING,       /* bytes after the frequency in a v2 frequency batch */
  ST_RULE_GEN_ZERO,             /* a v2 batch of generation 0 */
  ST_RULE_GEN_ORDER,            /* a v2 batch neither of the current generation nor the next */
  ST_RULE_GEN_NO_EVENTS,        /* a v2 generation without any timed event */
  ST_RULE_FREQ_REPEATED,        /* two frequency (or sync) batches in one v2 generation */
  ST_RULE_STRING_UNDEFINED,     /* a v2 event names a string ID its generation never defines */
  ST_RULE_CPU_STACK_UNDEFINED,  /* a v2 CPU sample names a stack ID its generation never defines */
  ST_RULE_COUNT
} st_rule;

typedef enum { ST_SEV_ERROR = 0, ST_SEV_WARNING = 1 } st_severity;

typedef struct {
  const char *id;        /* stable ID, e.g. "VARINT-OVERFLOW" */
  st_severity severity;
  unsigned char strict_only; /* 1: checked in strict mode only for v1 traces; go mode accepts
                              * as Go 1.19 does */
  unsigned char fatal;       /* 1: decoding always stops there. 0: it goes on after the
                              * event, except when the event's length is more than any valid
                              * reading allows (STACK-NFRAMES, STACK-TOO-DEEP on a length over
                              * 40020 bytes): then there is no event end to go on from */
  unsigned char strict_only_v2; /* the same for v2 traces (go mode = Go 1.23's reader) */
  const char *summary;   /* one line: what the rule requires */
} st_rule_desc;

ST_API const st_rule_desc *st_rule_describe(st_rule r);
ST_API const char *st_rule_id(st_rule r);
/* 1 when rule r is checked in strict mode only for traces of the given format (1 or 2). */
ST_API int st_rule_strict_only(st_rule r, int format);
/* The rule whose ID is `id`, or ST_RULE_NONE. */
ST_API st_rule st_rule_lookup(const char *id);

#ifdef __cplusplus
}
#endif
#endif
