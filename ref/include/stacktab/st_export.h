/* ST_API: marks every public function and object of libstacktab.
 *
 * The shared library is built with hidden visibility (-fvisibility=hidden) and
 * ST_BUILDING_SHARED defined, so only what carries ST_API is exported from libstacktab.so.
 * Everywhere else (the static library, and programs using either library) ST_API is empty. */
#ifndef ST_EXPORT_H
#define ST_EXPORT_H

#if defined(ST_BUILDING_SHARED)
#if defined(_WIN32) || defined(__CYGWIN__)
#define ST_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define ST_API __attribute__((visibility("default")))
#else
#define ST_API
#endif
#else
#define ST_API
#endif

#endif
