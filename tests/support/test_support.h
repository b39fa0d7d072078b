/*  test_support.h: what every Criterion suite of the project shares.

    TS_SUITE(name) declares a suite whose teardown kills whatever the test started and
    did not stop (a failed assertion leaves a test at once), then runs LeakSanitizer in
    the test's own worker process (in the sanitizer build): Criterion 2.4.1 otherwise
    reports a test that leaks as passing. A leak aborts the worker, so the run fails and
    names the test.

    The process helpers start the real executables (from the build's bin/ directory) in
    a temporary directory and wait for them with a bound, never by sleeping.
*/
#ifndef CAMPAIGN_TEST_SUPPORT_H
#define CAMPAIGN_TEST_SUPPORT_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

void ts_leak_check (void);

#define TS_SUITE(name, ...) TestSuite (name, .fini = ts_leak_check, ##__VA_ARGS__)

/*  The seed's activities from week 2 on, without gates or tasks: the rest of a plan a
    test writes after its own week-1 activity, e.g.
    "activities = (\n" "  { ... weeks = [1, 1]; },\n" TS_ACTIVITIES_FROM_WEEK_2 ");\n" */
#define TS_ACTIVITIES_FROM_WEEK_2                                                              \
    "  { name = \"campaign design\"; weeks = [2, 2]; },\n"                                     \
    "  { name = \"qualification and outreach\"; weeks = [3, 4]; },\n"                          \
    "  { name = \"demonstrations and value selling\"; weeks = [5, 7]; },\n"                    \
    "  { name = \"negotiation and close\"; weeks = [8, 10]; },\n"                              \
    "  { name = \"performance analysis\"; weeks = [11, 11]; },\n"                              \
    "  { name = \"retrospective\"; weeks = [12, 12]; }\n"

/*  A fresh directory under $TMPDIR (or /tmp); free with ts_tempdir_remove, which also
    deletes everything in it and frees the string. */
char *ts_tempdir (void);
void ts_tempdir_remove (char **dir_p);

/*  Path of a bundled test data file (tests/data/NAME); static buffer per call site
    is not used: the result is malloc'd, free it. */
char *ts_data_path (const char *name);

/*  Write text to dir/name; returns the malloc'd path. */
char *ts_write_file (const char *dir, const char *name, const char *text);

/*  A configuration loaded from text written to a scratch file NAME (the name error
    messages show); asserts that it parses. conf_destroy it. */
conf_t *ts_conf (const char *name, const char *text);

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

/*  Wait (bounded) until the file at path contains needle: for log lines and the output
    of a follower. Returns true if it did. */
bool ts_wait_file_contains (const char *path, const char *needle, int timeout_ms);

/*  Write dir/accounts.csv: n valid accounts (A-00000...), varied enough to land in
    every health band; deterministic. Returns the malloc'd path. */
char *ts_write_portfolio (const char *dir, int n);

/*  Milliseconds on a monotonic clock. */
long long ts_now_ms (void);

#endif

/* --------------------------------------------------------------------------
   A real broker in a temporary directory, for integration tests. */

#include "wire.h"

typedef struct {
    char *dir;    /* temp dir: config, ipc sockets, state/ */
    char *base;   /* the bundled config/campaign.cfg: the plan every test runs */
    char *config; /* this broker's layer over it: endpoints, dirs, kinds, timings */
    char *extra;  /* optional second layer (NULL if none) */
    char *log;    /* broker's stderr */
    pid_t pid;
} ts_broker_t;

/*  Layer a configuration over the bundled config/campaign.cfg (campaign
    "test-campaign", simulated clock from 2026-10-05, ipc endpoints in the temp dir, the
    four agent kinds plus test-worker and test-other, heartbeat 100 ms, short client
    timeouts, the retro window open all campaign long) plus an optional extra layer, start the
   broker and wait (bounded) until it answers a snapshot. 0 or -1. */
int ts_broker_start (ts_broker_t *broker, const char *extra_config);

/*  Start the broker again on the same directory and configuration, wait until ready. */
int ts_broker_restart (ts_broker_t *broker);

/*  Send sig and reap the broker (bounded). Returns ts_wait's code. */
int ts_broker_signal (ts_broker_t *broker, int sig);

/*  Stop the broker (if running) and remove the directory. */
void ts_broker_cleanup (ts_broker_t *broker);

/*  Append "-c base -c config [-c extra]" to argv at *n (room for 6). */
void ts_config_argv (ts_broker_t *broker, char **argv, int *n);

/*  Run a tool (bin/NAME) with the configuration layers and the NULL-terminated args;
    captures stdout/stderr like ts_run (either may be NULL). Returns the exit code. */
int ts_tool (ts_broker_t *broker, char **out, char **err_out, const char *name, ...);

/*  Run bin/NAME with the lead arguments (NULL-terminated; NULL for none), then the
    NULL-terminated args, bounded at 60 s; as ts_run. */
int ts_program (const char *name, char *const *lead, char **out, char **err_out, ...);

/*  Start a test agent of kind with instance name; its log goes to
    dir/campaign-test-agent-NAME.log. */
pid_t ts_agent_start (ts_broker_t *broker, const char *kind, const char *instance);

/*  Start the real agent executable bin/NAME with the broker's configuration layers as
    --instance instance; its log goes to dir/NAME-INSTANCE.log. */
pid_t ts_agent_spawn (ts_broker_t *broker, const char *name, const char *instance);

/*  A benchmark's portfolio size from `[--accounts N] [--quick]` (default 1,000,000,
    quick 100,000); -1 after printing a usage line for program on a bad argument. */
int ts_bench_accounts (int argc, char **argv, const char *program);

/*  Peak resident memory (VmHWM) of a live process in KiB, or -1. */
long ts_peak_kib (pid_t pid);

/*  Ask the broker for a snapshot from this process. 0 with *reply (wire_free it), or
    -1 if it did not answer within timeout_ms. */
int ts_snapshot (ts_broker_t *broker, int timeout_ms, wire_envelope_t **reply);

/*  Wait (polling snapshots, bounded by timeout_ms) until predicate(snapshot, arg) is
    true. Returns 0, or -1 on timeout. */
typedef bool (ts_snapshot_fn) (const Campaign__Snapshot *snapshot, void *arg);
int ts_wait_snapshot (ts_broker_t *broker, int timeout_ms, ts_snapshot_fn *predicate,
                      void *arg);

/*  The endpoint strings of this broker (static per broker dir, malloc'd). */
char *ts_broker_endpoint (ts_broker_t *broker);
char *ts_status_endpoint (ts_broker_t *broker);
