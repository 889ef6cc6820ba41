/* The event tables: v1 (Go 1.11-1.21) and v2 (Go 1.22+): names, argument counts, which
 * arguments are stack and string IDs. A trace's version (from its header) picks the table. */
#ifndef ST_EVENTS_H
#define ST_EVENTS_H

#include "stacktab/st_export.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Event type numbers, as on the wire (low 6 bits of the first byte). */
enum {
  ST_EV_NONE = 0, ST_EV_BATCH = 1, ST_EV_FREQUENCY = 2, ST_EV_STACK = 3, ST_EV_GOMAXPROCS = 4,
  ST_EV_PROC_START = 5, ST_EV_PROC_STOP = 6, ST_EV_GC_START = 7, ST_EV_GC_DONE = 8,
  ST_EV_GC_STW_START = 9, ST_EV_GC_STW_DONE = 10, ST_EV_GC_SWEEP_START = 11,
  ST_EV_GC_SWEEP_DONE = 12, ST_EV_GO_CREATE = 13, ST_EV_GO_START = 14, ST_EV_GO_END = 15,
  ST_EV_GO_STOP = 16, ST_EV_GO_SCHED = 17, ST_EV_GO_PREEMPT = 18, ST_EV_GO_SLEEP = 19,
  ST_EV_GO_BLOCK = 20, ST_EV_GO_UNBLOCK = 21, ST_EV_GO_BLOCK_SEND = 22, ST_EV_GO_BLOCK_RECV = 23,
  ST_EV_GO_BLOCK_SELECT = 24, ST_EV_GO_BLOCK_SYNC = 25, ST_EV_GO_BLOCK_COND = 26,
  ST_EV_GO_BLOCK_NET = 27, ST_EV_GO_SYSCALL = 28, ST_EV_GO_SYS_EXIT = 29, ST_EV_GO_SYS_BLOCK = 30,
  ST_EV_GO_WAITING = 31, ST_EV_GO_IN_SYSCALL = 32, ST_EV_HEAP_ALLOC = 33, ST_EV_HEAP_GOAL = 34,
  ST_EV_TIMER_GOROUTINE = 35, ST_EV_FUTILE_WAKEUP = 36, ST_EV_STRING = 37,
  ST_EV_GO_START_LOCAL = 38, ST_EV_GO_UNBLOCK_LOCAL = 39, ST_EV_GO_SYS_EXIT_LOCAL = 40,
  ST_EV_GO_START_LABEL = 41, ST_EV_GO_BLOCK_GC = 42, ST_EV_GC_MARK_ASSIST_START = 43,
  ST_EV_GC_MARK_ASSIST_DONE = 44, ST_EV_USER_TASK_CREATE = 45, ST_EV_USER_TASK_END = 46,
  ST_EV_USER_REGION = 47, ST_EV_USER_LOG = 48, ST_EV_CPU_SAMPLE = 49,
  ST_EV_COUNT = 50
};

/* Trace format versions, as Go's parser numbers them (major*1000 + minor). 1.11-1.21 are the
 * v1 format, 1.22 and later the v2 format (Go 1.24 writes "go 1.23 trace"). */
enum {
  ST_VER_1_11 = 1011, ST_VER_1_19 = 1019, ST_VER_1_21 = 1021,
  ST_VER_1_22 = 1022, ST_VER_1_23 = 1023, ST_VER_1_25 = 1025
};

/* The format of a version: 1 (v1), 2 (v2), or 0 for a version stacktab does not support. */
ST_API int st_version_format(int version);

/* v2 event types, as on the wire (the whole first byte). */
enum {
  ST_EV2_NONE = 0, ST_EV2_EVENT_BATCH = 1, ST_EV2_STACKS = 2, ST_EV2_STACK = 3,
  ST_EV2_STRINGS = 4, ST_EV2_STRING = 5, ST_EV2_CPU_SAMPLES = 6, ST_EV2_CPU_SAMPLE = 7,
  ST_EV2_FREQUENCY = 8, ST_EV2_PROCS_CHANGE = 9, ST_EV2_PROC_START = 10, ST_EV2_PROC_STOP = 11,
  ST_EV2_PROC_STEAL = 12, ST_EV2_PROC_STATUS = 13, ST_EV2_GO_CREATE = 14,
  ST_EV2_GO_CREATE_SYSCALL = 15, ST_EV2_GO_START = 16, ST_EV2_GO_DESTROY = 17,
  ST_EV2_GO_DESTROY_SYSCALL = 18, ST_EV2_GO_STOP = 19, ST_EV2_GO_BLOCK = 20,
  ST_EV2_GO_UNBLOCK = 21, ST_EV2_GO_SYSCALL_BEGIN = 22, ST_EV2_GO_SYSCALL_END = 23,
  ST_EV2_GO_SYSCALL_END_BLOCKED = 24, ST_EV2_GO_STATUS = 25, ST_EV2_STW_BEGIN = 26,
  ST_EV2_STW_END = 27, ST_EV2_GC_ACTIVE = 28, ST_EV2_GC_BEGIN = 29, ST_EV2_GC_END = 30,
  ST_EV2_GC_SWEEP_ACTIVE = 31, ST_EV2_GC_SWEEP_BEGIN = 32, ST_EV2_GC_SWEEP_END = 33,
  ST_EV2_GC_MARK_ASSIST_ACTIVE = 34, ST_EV2_GC_MARK_ASSIST_BEGIN = 35,
  ST_EV2_GC_MARK_ASSIST_END = 36, ST_EV2_HEAP_ALLOC = 37, ST_EV2_HEAP_GOAL = 38,
  ST_EV2_GO_LABEL = 39, ST_EV2_USER_TASK_BEGIN = 40, ST_EV2_USER_TASK_END = 41,
  ST_EV2_USER_REGION_BEGIN = 42, ST_EV2_USER_REGION_END = 43, ST_EV2_USER_LOG = 44,
  ST_EV2_GO_SWITCH = 45, ST_EV2_GO_SWITCH_DESTROY = 46, ST_EV2_GO_CREATE_BLOCKED = 47,
  ST_EV2_GO_STATUS_STACK = 48, ST_EV2_EXPERIMENTAL_BATCH = 49, ST_EV2_SYNC = 50,
  ST_EV2_CLOCK_SNAPSHOT = 51,
  ST_EV2_EXP_FIRST = 128, ST_EV2_EXP_LAST = 136, /* experiment 1 (AllocFree): Span ... */
  ST_EV2_COUNT = 137
};

/* Most frames a v2 EvStack may have, and the longest v2 string. */
#define ST_V2_MAX_FRAMES 128u
#define ST_V2_MAX_STRING_LEN 1024u
/* Largest batch payload Go's v2 reader accepts, and the 64-bit runtime's buffer (header and
 * payload together never exceed it). */
#define ST_V2_MAX_BATCH_PAYLOAD 65536u
#define ST_V2_DEFAULT_BUF_SIZE 65504u

typedef struct {
  const char *name;     /* Go's name: "EventBatch", "GoCreate", "Span", ... */
  uint8_t nargs;        /* varints after the type byte, dt included (structural records: 0) */
  uint8_t timed;        /* 1: an event of event batches (its first argument is dt) */
  uint8_t stack_args;   /* bit i set: argument i is a stack ID */
  uint8_t string_args;  /* bit i set: argument i is a string ID */
  uint16_t min_ver;     /* first version whose runtime writes it (1022, 1023, 1025) */
} st_event2_desc;

/* Descriptor of v2 event type t, or NULL for a number with no event. */
ST_API const st_event2_desc *st_event2_describe(unsigned t);

/* Header bytes are exactly 16: "go 1.NN trace" padded with NULs. */
#define ST_HEADER_SIZE 16u

typedef struct {
  const char *name;   /* Go's name without "Ev": "Batch", "GoCreate", ... */
  uint8_t nargs;      /* varints the reader expects, timestamp delta included (Go's argNum) */
  uint8_t has_ts;     /* 1 when the first argument is a timestamp delta */
  uint8_t has_stack;  /* 1 when the last argument is a stack ID */
  uint16_t min_ver;   /* first format version that has the event */
} st_event_desc;

/* Descriptor of event type t (0..ST_EV_COUNT-1), or NULL. Stack and String have nargs 0: their
 * layouts are special. Go 1.21 names 9 and 10 "STWStart"/"STWDone": see st_event_name. */
ST_API const st_event_desc *st_event_describe(unsigned t);

/* Name of event t as the given version's tools call it ("?" for an unknown type); for a v2
 * version, the v2 name. */
ST_API const char *st_event_name(unsigned t, int version);

/* 1 when v1 event t may appear in a trace of v1 `version` (0 for every v2 version). */
ST_API int st_event_allowed(unsigned t, int version);

/* Writes the 16 header bytes for version (1011, 1019, 1021, 1022, 1023 or 1025); returns 0, or
 * -1 if unsupported. */
ST_API int st_header_put(uint8_t out[ST_HEADER_SIZE], int version);

#ifdef __cplusplus
}
#endif
#endif
