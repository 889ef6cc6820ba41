/* stacktab stats for v2 traces (Go 1.22+): figures per generation and for the whole file. */
#ifndef ST_STATS_V2_H
#define ST_STATS_V2_H

#include "stacktab/st_decode.h"

typedef struct st_stats_v2 st_stats_v2;

/* A zeroed context, or NULL when memory ran out. */
st_stats_v2 *st_stats_v2_new(void);
/* The version of the v2 events seen, 0 before the first. */
int st_stats_v2_version(const st_stats_v2 *s);
void st_stats_v2_event(st_stats_v2 *s, const st_event *ev);
/* Prints the report (after the last event) to stdout. */
void st_stats_v2_print(st_stats_v2 *s, const char *path, uint64_t buf_size);
void st_stats_v2_free(st_stats_v2 *s);

#endif
