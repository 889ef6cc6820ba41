/* The version of stacktab these headers belong to, and of the library actually linked. */
#ifndef ST_VERSION_H
#define ST_VERSION_H

#include "stacktab/st_export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Kept equal to project(VERSION) in the top CMakeLists.txt (CMake checks it). */
#define ST_VERSION_MAJOR 0
#define ST_VERSION_MINOR 2
#define ST_VERSION_PATCH 0
#define ST_VERSION_STRING "0.2.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons. */
#define ST_VERSION_NUMBER (ST_VERSION_MAJOR * 10000 + ST_VERSION_MINOR * 100 + ST_VERSION_PATCH)

/* The version of the library linked at run time ("0.2.0"); may differ from
 * ST_VERSION_STRING when a program runs against a newer shared library. */
ST_API const char *st_version(void);

/* ST_VERSION_NUMBER of the library linked at run time. */
ST_API int st_version_number(void);

#ifdef __cplusplus
}
#endif
#endif
