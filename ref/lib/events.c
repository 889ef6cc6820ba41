#include "stacktab/st_events.h"

#include <string.h>

/* From the Go 1.19 parser's EventDescriptions: nargs counts the timestamp delta and the stack
 * ID where the event has them (its argNum for versions >= 1007). */
static const st_event_desc k_events[ST_EV_COUNT] = {
  [ST_EV_NONE] = {"None", 0, 0, 0, 0},
  [ST_EV_BATCH] = {"Batch", 2, 0, 0, 1005},
  [ST_EV_FREQUENCY] = {"Frequency", 1, 0, 0, 1005},
  [ST_EV_STACK] = {"Stack", 0, 0, 0, 1005},
  [ST_EV_GOMAXPROCS] = {"Gomaxprocs", 3, 1, 1, 1005},
  [ST_EV_PROC_START] = {"ProcStart", 2, 1, 0, 1005},
  [ST_EV_PROC_STOP] = {"ProcStop", 1, 1, 0, 1005},
  [ST_EV_GC_START] = {"GCStart", 3, 1, 1, 1005},
  [ST_EV_GC_DONE] = {"GCDone", 1, 1, 0, 1005},
  [ST_EV_GC_STW_START] = {"GCSTWStart", 2, 1, 0, 1005},
  [ST_EV_GC_STW_DONE] = {"GCSTWDone", 1, 1, 0, 1005},
  [ST_EV_GC_SWEEP_START] = {"GCSweepStart", 2, 1, 1, 1005},
  [ST_EV_GC_SWEEP_DONE] = {"GCSweepDone", 3, 1, 0, 1005},
  [ST_EV_GO_CREATE] = {"GoCreate", 4, 1, 1, 1005},
  [ST_EV_GO_START] = {"GoStart", 3, 1, 0, 1005},
  [ST_EV_GO_END] = {"GoEnd", 1, 1, 0, 1005},
  [ST_EV_GO_STOP] = {"GoStop", 2, 1, 1, 1005},
  [ST_EV_GO_SCHED] = {"GoSched", 2, 1, 1, 1005},
  [ST_EV_GO_PREEMPT] = {"GoPreempt", 2, 1, 1, 1005},
  [ST_EV_GO_SLEEP] = {"GoSleep", 2, 1, 1, 1005},
  [ST_EV_GO_BLOCK] = {"GoBlock", 2, 1, 1, 1005},
  [ST_EV_GO_UNBLOCK] = {"GoUnblock", 4, 1, 1, 1005},
  [ST_EV_GO_BLOCK_SEND] = {"GoBlockSend", 2, 1, 1, 1005},
  [ST_EV_GO_BLOCK_RECV] = {"GoBlockRecv", 2, 1, 1, 1005},
  [ST_EV_GO_BLOCK_SELECT] = {"GoBlockSelect", 2, 1, 1, 1005},
  [ST_EV_GO_BLOCK_SYNC] = {"GoBlockSync", 2, 1, 1, 1005},
  [ST_EV_GO_BLOCK_COND] = {"GoBlockCond", 2, 1, 1, 1005},
  [ST_EV_GO_BLOCK_NET] = {"GoBlockNet", 2, 1, 1, 1005},
  [ST_EV_GO_SYSCALL] = {"GoSysCall", 2, 1, 1, 1005},
  [ST_EV_GO_SYS_EXIT] = {"GoSysExit", 4, 1, 0, 1005},
  [ST_EV_GO_SYS_BLOCK] = {"GoSysBlock", 1, 1, 0, 1005},
  [ST_EV_GO_WAITING] = {"GoWaiting", 2, 1, 0, 1005},
  [ST_EV_GO_IN_SYSCALL] = {"GoInSyscall", 2, 1, 0, 1005},
  [ST_EV_HEAP_ALLOC] = {"HeapAlloc", 2, 1, 0, 1005},
  [ST_EV_HEAP_GOAL] = {"HeapGoal", 2, 1, 0, 1005},
  [ST_EV_TIMER_GOROUTINE] = {"TimerGoroutine", 1, 0, 0, 1005},
  [ST_EV_FUTILE_WAKEUP] = {"FutileWakeup", 1, 1, 0, 1005},
  [ST_EV_STRING] = {"String", 0, 0, 0, 1007},
  [ST_EV_GO_START_LOCAL] = {"GoStartLocal", 2, 1, 0, 1007},
  [ST_EV_GO_UNBLOCK_LOCAL] = {"GoUnblockLocal", 3, 1, 1, 1007},
  [ST_EV_GO_SYS_EXIT_LOCAL] = {"GoSysExitLocal", 3, 1, 0, 1007},
  [ST_EV_GO_START_LABEL] = {"GoStartLabel", 4, 1, 0, 1008},
  [ST_EV_GO_BLOCK_GC] = {"GoBlockGC", 2, 1, 1, 1008},
  [ST_EV_GC_MARK_ASSIST_START] = {"GCMarkAssistStart", 2, 1, 1, 1009},
  [ST_EV_GC_MARK_ASSIST_DONE] = {"GCMarkAssistDone", 1, 1, 0, 1009},
  [ST_EV_USER_TASK_CREATE] = {"UserTaskCreate", 5, 1, 1, 1011},
  [ST_EV_USER_TASK_END] = {"UserTaskEnd", 3, 1, 1, 1011},
  [ST_EV_USER_REGION] = {"UserRegion", 5, 1, 1, 1011},
  [ST_EV_USER_LOG] = {"UserLog", 4, 1, 1, 1011},
  [ST_EV_CPU_SAMPLE] = {"CPUSample", 5, 1, 1, 1019},
};

const st_event_desc *st_event_describe(unsigned t) {
  return t < ST_EV_COUNT ? &k_events[t] : NULL;
}

const char *st_event_name(unsigned t, int version) {
  if (st_version_format(version) == 2) {
    const st_event2_desc *d = st_event2_describe(t);
    return d ? d->name : "?";
  }
  if (t == 0 || t >= ST_EV_COUNT) return "?";
  if (version >= ST_VER_1_21 && t == ST_EV_GC_STW_START) return "STWStart";
  if (version >= ST_VER_1_21 && t == ST_EV_GC_STW_DONE) return "STWDone";
  return k_events[t].name;
}

int st_event_allowed(unsigned t, int version) {
  return st_version_format(version) == 1 && t > 0 && t < ST_EV_COUNT &&
         version >= k_events[t].min_ver;
}

int st_header_put(uint8_t out[ST_HEADER_SIZE], int version) {
  const char *s;
  switch (version) {
    case ST_VER_1_11: s = "go 1.11 trace"; break;
    case ST_VER_1_19: s = "go 1.19 trace"; break;
    case ST_VER_1_21: s = "go 1.21 trace"; break;
    case ST_VER_1_22: s = "go 1.22 trace"; break;
    case ST_VER_1_23: s = "go 1.23 trace"; break;
    case ST_VER_1_25: s = "go 1.25 trace"; break;
    default: return -1;
  }
  memset(out, 0, ST_HEADER_SIZE);
  /* The header is a fixed 16-byte zero-padded field, not a C string: no terminator wanted. */
  memcpy(out, s, strlen(s)); /* NOLINT(bugprone-not-null-terminated-result) */
  return 0;
}
