/* Private to the whole-trace writer: what writer.c (v1) and writer_v2.c share. */
#ifndef ST_WRITER_INT_H
#define ST_WRITER_INT_H

#include "stacktab/st_writer.h"

/* The tbuf sink: hands bytes to the output and counts them. */
int stw_sink(void *user, const uint8_t *p, size_t n);
/* The tbuf clock: the time of the event being written, or the end-of-section count. */
uint64_t stw_clock(void *user);
/* Marks the writer failed when s is an error; returns s. */
st_enc_status stw_failed(st_writer *w, st_enc_status s);
void stw_saw_ticks(st_writer *w, uint64_t t);

st_enc_status stw_v2_init(st_writer *w, const uint8_t *header);
void stw_v2_free(st_writer *w);
st_enc_status stw_v2_batch(st_writer *w, uint64_t m, uint64_t ticks);
st_enc_status stw_v2_string(st_writer *w, const char *s, size_t len, uint64_t *id, int emit);
st_enc_status stw_v2_event(st_writer *w, unsigned type, uint64_t ts, const uint64_t *args,
                           size_t nargs, uint64_t *off);
st_enc_status stw_v2_finish(st_writer *w);

#endif
