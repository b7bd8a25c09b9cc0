#include "sandglass_callgrind.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define SG_HAVE_CALLGRIND 1
#endif
#endif

#ifdef SG_HAVE_CALLGRIND

/// Callgrind only offers a toggle; this remembers its state so start/stop are idempotent.
/// The measured code runs on one thread under the sim backend, so no atomics are needed.
static int sg_collecting = 0;

int sg_cg_compiled_in(void) { return 1; }
int sg_cg_running(void) { return RUNNING_ON_VALGRIND ? 1 : 0; }

void sg_cg_start(void) {
    if (!sg_collecting) {
        CALLGRIND_TOGGLE_COLLECT;
        sg_collecting = 1;
    }
}

void sg_cg_stop(void) {
    if (sg_collecting) {
        CALLGRIND_TOGGLE_COLLECT;
        sg_collecting = 0;
    }
}

void sg_cg_zero(void) { CALLGRIND_ZERO_STATS; }
void sg_cg_dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }

#else

int sg_cg_compiled_in(void) { return 0; }
int sg_cg_running(void) { return 0; }
void sg_cg_start(void) {}
void sg_cg_stop(void) {}
void sg_cg_zero(void) {}
void sg_cg_dump(const char *name) { (void)name; }

#endif
