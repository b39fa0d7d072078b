/*  test_support.h: what every Criterion suite of the project shares.

    TS_SUITE(name) declares a suite whose teardown runs LeakSanitizer in the test's own
    worker process (in the sanitizer build): Criterion 2.4.1 otherwise reports a test
    that leaks as passing. A leak aborts the worker, so the run fails and names the test.

    The process helpers start the real executables (from the build's bin/ directory) in
    a temporary directory and wait for them with a bound, never by sleeping.
*/
#ifndef CAMPAIGN_TEST_SUPPORT_H
#define CAMPAIGN_TEST_SUPPORT_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

void ts_leak_check (void);

#define TS_SUITE(name, ...) TestSuite (name, .fini = ts_leak_check, ##__VA_ARGS__)

/*  A fresh directory under $TMPDIR (or /tmp); free with ts_tempdir_remove, which also
    deletes everything in it and frees the string. */
char *ts_tempdir (void);
void ts_tempdir_remove (char **dir_p);

/*  Path of a bundled test data file (tests/data/NAME); static buffer per call site
    is not used: the result is malloc'd, free it. */
char *ts_data_path (const char *name);

/*  Write text to dir/name; returns the malloc'd path. */
char *ts_write_file (const char *dir, const char *name, const char *text);

/*  Read a whole file (NUL-terminated, malloc'd), NULL if unreadable. */
char *ts_read_file (const char *path);

/*  Path of a built executable (bin/NAME), malloc'd. */
char *ts_bin (const char *name);

/*  Start argv[0] (a path) with argv; stdout and stderr go to log_path (appended) if not
    NULL. Returns the pid, or -1. */
pid_t ts_spawn (char *const argv[], const char *log_path);

/*  Wait up to timeout_ms for pid to exit; returns its exit code, 128+signal if killed by
    a signal, or -1 on timeout (the process is left running). */
int ts_wait (pid_t pid, int timeout_ms);

/*  SIGTERM, wait up to timeout_ms, then SIGKILL and reap. Returns what ts_wait gave. */
int ts_stop (pid_t pid, int timeout_ms);

/*  Run argv to completion (bounded by timeout_ms, killed after), capturing stdout into
    a malloc'd string (*out may be NULL if not wanted) and stderr into *err_out likewise.
    Returns the exit code, or -1 on timeout. */
int ts_run (char *const argv[], int timeout_ms, char **out, char **err_out);

/*  Milliseconds on a monotonic clock. */
long long ts_now_ms (void);

#endif
