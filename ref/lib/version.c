#include "stacktab/st_version.h"

const char *st_version(void) { return ST_VERSION_STRING; }

int st_version_number(void) { return ST_VERSION_NUMBER; }
