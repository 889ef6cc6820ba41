/* The v2 event table (Go 1.22+), from the go122 event specs of Go 1.22/1.23 and the Go 1.25
 * tracev2 table (go-trace-v2.md §4.3). Argument masks: bit i = argument i (dt is argument 0). */
#include "stacktab/st_events.h"

#include <stddef.h>

#define B(i) (uint8_t)(1u << (i))

static const st_event2_desc k_events2[ST_EV2_COUNT] = {
  [ST_EV2_EVENT_BATCH] = {"EventBatch", 0, 0, 0, 0, 1022},
  [ST_EV2_STACKS] = {"Stacks", 0, 0, 0, 0, 1022},
  [ST_EV2_STACK] = {"Stack", 0, 0, 0, 0, 1022},
  [ST_EV2_STRINGS] = {"Strings", 0, 0, 0, 0, 1022},
  [ST_EV2_STRING] = {"String", 0, 0, 0, 0, 1022},
  [ST_EV2_CPU_SAMPLES] = {"CPUSamples", 0, 0, 0, 0, 1022},
  [ST_EV2_CPU_SAMPLE] = {"CPUSample", 5, 0, B(4), 0, 1022},
  [ST_EV2_FREQUENCY] = {"Frequency", 1, 0, 0, 0, 1022},
  [ST_EV2_PROCS_CHANGE] = {"ProcsChange", 3, 1, B(2), 0, 1022},
  [ST_EV2_PROC_START] = {"ProcStart", 3, 1, 0, 0, 1022},
  [ST_EV2_PROC_STOP] = {"ProcStop", 1, 1, 0, 0, 1022},
  [ST_EV2_PROC_STEAL] = {"ProcSteal", 4, 1, 0, 0, 1022},
  [ST_EV2_PROC_STATUS] = {"ProcStatus", 3, 1, 0, 0, 1022},
  [ST_EV2_GO_CREATE] = {"GoCreate", 4, 1, B(2) | B(3), 0, 1022},
  [ST_EV2_GO_CREATE_SYSCALL] = {"GoCreateSyscall", 2, 1, 0, 0, 1022},
  [ST_EV2_GO_START] = {"GoStart", 3, 1, 0, 0, 1022},
  [ST_EV2_GO_DESTROY] = {"GoDestroy", 1, 1, 0, 0, 1022},
  [ST_EV2_GO_DESTROY_SYSCALL] = {"GoDestroySyscall", 1, 1, 0, 0, 1022},
  [ST_EV2_GO_STOP] = {"GoStop", 3, 1, B(2), B(1), 1022},
  [ST_EV2_GO_BLOCK] = {"GoBlock", 3, 1, B(2), B(1), 1022},
  [ST_EV2_GO_UNBLOCK] = {"GoUnblock", 4, 1, B(3), 0, 1022},
  [ST_EV2_GO_SYSCALL_BEGIN] = {"GoSyscallBegin", 3, 1, B(2), 0, 1022},
  [ST_EV2_GO_SYSCALL_END] = {"GoSyscallEnd", 1, 1, 0, 0, 1022},
  [ST_EV2_GO_SYSCALL_END_BLOCKED] = {"GoSyscallEndBlocked", 1, 1, 0, 0, 1022},
  [ST_EV2_GO_STATUS] = {"GoStatus", 4, 1, 0, 0, 1022},
  [ST_EV2_STW_BEGIN] = {"STWBegin", 3, 1, B(2), B(1), 1022},
  [ST_EV2_STW_END] = {"STWEnd", 1, 1, 0, 0, 1022},
  [ST_EV2_GC_ACTIVE] = {"GCActive", 2, 1, 0, 0, 1022},
  [ST_EV2_GC_BEGIN] = {"GCBegin", 3, 1, B(2), 0, 1022},
  [ST_EV2_GC_END] = {"GCEnd", 2, 1, 0, 0, 1022},
  [ST_EV2_GC_SWEEP_ACTIVE] = {"GCSweepActive", 2, 1, 0, 0, 1022},
  [ST_EV2_GC_SWEEP_BEGIN] = {"GCSweepBegin", 2, 1, B(1), 0, 1022},
  [ST_EV2_GC_SWEEP_END] = {"GCSweepEnd", 3, 1, 0, 0, 1022},
  [ST_EV2_GC_MARK_ASSIST_ACTIVE] = {"GCMarkAssistActive", 2, 1, 0, 0, 1022},
  [ST_EV2_GC_MARK_ASSIST_BEGIN] = {"GCMarkAssistBegin", 2, 1, B(1), 0, 1022},
  [ST_EV2_GC_MARK_ASSIST_END] = {"GCMarkAssistEnd", 1, 1, 0, 0, 1022},
  [ST_EV2_HEAP_ALLOC] = {"HeapAlloc", 2, 1, 0, 0, 1022},
  [ST_EV2_HEAP_GOAL] = {"HeapGoal", 2, 1, 0, 0, 1022},
  [ST_EV2_GO_LABEL] = {"GoLabel", 2, 1, 0, B(1), 1022},
  [ST_EV2_USER_TASK_BEGIN] = {"UserTaskBegin", 5, 1, B(4), B(3), 1022},
  [ST_EV2_USER_TASK_END] = {"UserTaskEnd", 3, 1, B(2), 0, 1022},
  [ST_EV2_USER_REGION_BEGIN] = {"UserRegionBegin", 4, 1, B(3), B(2), 1022},
  [ST_EV2_USER_REGION_END] = {"UserRegionEnd", 4, 1, B(3), B(2), 1022},
  [ST_EV2_USER_LOG] = {"UserLog", 5, 1, B(4), B(2) | B(3), 1022},
  [ST_EV2_GO_SWITCH] = {"GoSwitch", 3, 1, 0, 0, 1023},
  [ST_EV2_GO_SWITCH_DESTROY] = {"GoSwitchDestroy", 3, 1, 0, 0, 1023},
  [ST_EV2_GO_CREATE_BLOCKED] = {"GoCreateBlocked", 4, 1, B(2) | B(3), 0, 1023},
  [ST_EV2_GO_STATUS_STACK] = {"GoStatusStack", 5, 1, B(4), 0, 1023},
  [ST_EV2_EXPERIMENTAL_BATCH] = {"ExperimentalBatch", 0, 0, 0, 0, 1023},
  [ST_EV2_SYNC] = {"Sync", 0, 0, 0, 0, 1025},
  /* Timed, but only inside a sync batch: not an event of event batches. */
  [ST_EV2_CLOCK_SNAPSHOT] = {"ClockSnapshot", 4, 0, 0, 0, 1025},
  [128] = {"Span", 4, 1, 0, 0, 1023},
  [129] = {"SpanAlloc", 4, 1, 0, 0, 1023},
  [130] = {"SpanFree", 2, 1, 0, 0, 1023},
  [131] = {"HeapObject", 3, 1, 0, 0, 1023},
  [132] = {"HeapObjectAlloc", 3, 1, 0, 0, 1023},
  [133] = {"HeapObjectFree", 2, 1, 0, 0, 1023},
  [134] = {"GoroutineStack", 3, 1, 0, 0, 1023},
  [135] = {"GoroutineStackAlloc", 3, 1, 0, 0, 1023},
  [136] = {"GoroutineStackFree", 2, 1, 0, 0, 1023},
};

const st_event2_desc *st_event2_describe(unsigned t) {
  return t < ST_EV2_COUNT && k_events2[t].name ? &k_events2[t] : NULL;
}

int st_version_format(int version) {
  switch (version) {
    case ST_VER_1_11: case ST_VER_1_19: case ST_VER_1_21: return 1;
    case ST_VER_1_22: case ST_VER_1_23: case ST_VER_1_25: return 2;
    default: return 0;
  }
}
