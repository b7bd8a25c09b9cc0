// Callgrind client requests as plain functions. The requests in <valgrind/callgrind.h> are
// inline-assembly macros that Swift cannot import; outside valgrind they cost a few
// instructions. Without valgrind's headers at build time every function is a stub and
// sg_cg_compiled_in() returns 0, so the package still builds (e.g. on Debian trixie without
// the valgrind package).
#ifndef SANDGLASS_CALLGRIND_H
#define SANDGLASS_CALLGRIND_H

#ifdef __cplusplus
extern "C" {
#endif

/// 1 if this build carries real client requests (valgrind headers were found), else 0.
int sg_cg_compiled_in(void);
/// 1 if the process runs under valgrind (any tool), else 0.
int sg_cg_running(void);
/// Starts collecting events; idempotent.
void sg_cg_start(void);
/// Stops collecting events; idempotent.
void sg_cg_stop(void);
/// Zeroes the current costs.
void sg_cg_zero(void);
/// Writes the costs collected since the last dump to a new file, labelled `name`, and zeroes them.
void sg_cg_dump(const char *name);

#ifdef __cplusplus
}
#endif
#endif
