/* A program outside stacktab's tree, built against an installed stacktab (install_test.sh):
 * decodes a trace with st_decoder and prints its event count, as `stacktab stats` counts
 * them. usage: consumer TRACE. Exit 0 valid, 1 invalid, 2 error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stacktab/st_decode.h>
#include <stacktab/st_version.h>

#if ST_VERSION_NUMBER < 200
#error "stacktab 0.2 or later is needed"
#endif

static void count_event(void *user, const st_event *ev) {
  (void)ev;
  ++*(unsigned long long *)user;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fputs("usage: consumer TRACE\n", stderr);
    return 2;
  }
  /* The headers and the library linked must be the same release. */
  if (strcmp(st_version(), ST_VERSION_STRING) != 0) {
    fprintf(stderr, "consumer: headers %s, library %s\n", ST_VERSION_STRING, st_version());
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    perror(argv[1]);
    return 2;
  }
  unsigned long long events = 0;
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.on_event = count_event;
  cfg.user = &events;
  st_decoder d;
  if (st_decoder_init(&d, &cfg) != ST_OK) {
    fclose(f);
    return 2;
  }
  static unsigned char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) st_decoder_push(&d, buf, n);
  fclose(f);
  st_status s = st_decoder_finish(&d);
  st_decoder_free(&d);
  printf("%llu\n", events);
  return s == ST_OK ? 0 : 1;
}
