/* Placeholder until the encoder lands (the encoder's author replaces this file). */
#include <stdio.h>

#include "cli.h"

int st_cmd_encode(int argc, char **argv) {
  (void)argc;
  (void)argv;
  fprintf(stderr, "stacktab encode: not built yet\n");
  return ST_EXIT_USAGE;
}
