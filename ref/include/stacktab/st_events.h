/* The v1 event table (Go 1.11-1.21): names, argument counts, which argument is a stack ID. */
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

/* Trace format versions, as Go's parser numbers them (major*1000 + minor). */
enum { ST_VER_1_11 = 1011, ST_VER_1_19 = 1019, ST_VER_1_21 = 1021 };

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

/* Name of event t as the given version's tools call it ("?" for an unknown type). */
ST_API const char *st_event_name(unsigned t, int version);

/* 1 when event t may appear in a trace of `version`. */
ST_API int st_event_allowed(unsigned t, int version);

/* Writes the 16 header bytes for version (1011, 1019 or 1021); returns 0, or -1 if unsupported. */
ST_API int st_header_put(uint8_t out[ST_HEADER_SIZE], int version);

#ifdef __cplusplus
}
#endif
#endif
