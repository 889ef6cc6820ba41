/* Linked into the CLI only in sanitizer builds (ST_SANITIZE). The CLI checks every allocation
 * and answers a failed one with "out of memory" and exit 2; by default AddressSanitizer aborts
 * on a request it cannot meet instead of returning NULL, which would make that path differ
 * from a normal build. ASAN_OPTIONS from the environment still override this.
 * The reserved name is the hook AddressSanitizer looks up; it cannot be spelled otherwise. */
// NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
const char *__asan_default_options(void);
// NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
