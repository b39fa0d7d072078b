/*  fleet.h: the supervisor of one campaign's processes (campaign-fleet).

    A fleet is the broker plus the configured instances of each agent kind, read from the
    `fleet` section of the configuration:

        fleet = {
            agents = (
                { kind = "customer-health-scorer"; instances = 2; },
                { kind = "retrospective-analyzer"; instances = 1;
                  executable = "campaign-test-agent";
                  args = ["--kind", "retrospective-analyzer"]; }
            );
            restart_min_ms = 500;     restart_max_ms = 30000;
            fast_crash_ms = 10000;    give_up_after = 5;
            start_timeout_ms = 30000; stop_timeout_ms = 10000;
        };

    fleet_new validates the section (every kind must be in agents.kinds, 1..64
    instances, the executable must exist) and names file:line of a mistake. An
    executable without '/' is looked up in the directory of campaign-fleet's own binary,
    so a build tree or an install directory just works. Every process gets the
    configuration files and -o overrides campaign-fleet got; an agent also gets
    `--instance N` (1..instances). Process names are "campaign-broker" and
    "<kind>-<N>".

    fleet_run is the supervisor itself, run in the background by `campaign-fleet start`
    (control.h). It starts the broker, then the agents, with stdout and stderr appended to
    logs/<name>.log under broker.state_dir; restarts a process that exits with
    exponential back-off (restart_min_ms, doubling per consecutive fast crash, up to
    restart_max_ms) and gives up on it after give_up_after crashes each within
    fast_crash_ms of its start (state "failed"). SIGTERM/SIGINT stop the fleet (agents
    first, then the broker; SIGKILL after stop_timeout_ms each); SIGHUP re-reads log.level
    and is passed to every child; SIGUSR1 takes the restart requests appended to the
    request file (one process name, kind or "campaign-broker" a line).

    Files under broker.state_dir: campaign-fleet.pid (the supervisor's pid, flock'ed while
    it runs), fleet.status (rewritten after every change, see fleet_entry_t),
    campaign-fleet.request, logs/campaign-fleet.log and logs/<name>.log.
*/
#ifndef CAMPAIGN_FLEET_H
#define CAMPAIGN_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

typedef struct _fleet_t fleet_t;

/*  Read and check the fleet of the configuration cli loaded; the fleet passes cli's -c
    files and -o overrides on to every process. strict: also check each kind against
    agents.kinds and that every executable exists (for what starts processes; stop and
    status must still work when the configuration changed under a running fleet).
    ERR_INVALID with file:line for a mistake in the configuration, ERR_NOMEM. The fleet
    copies what it keeps (cli may reload its configuration). */
int fleet_new (cli_t *cli, bool strict, fleet_t **out, err_t *err);
void fleet_destroy (fleet_t **self_p);

/*  Settings and paths, owned by the fleet. */
const char *fleet_campaign (fleet_t *self);
const char *fleet_state_dir (fleet_t *self);
const char *fleet_pid_path (fleet_t *self);     /* state_dir/campaign-fleet.pid */
const char *fleet_status_path (fleet_t *self);  /* state_dir/fleet.status */
const char *fleet_request_path (fleet_t *self); /* state_dir/campaign-fleet.request */
const char *fleet_log_dir (fleet_t *self);      /* state_dir/logs */
int fleet_start_timeout_ms (fleet_t *self);
int fleet_stop_timeout_ms (fleet_t *self);

/*  The processes, broker first: name, agent kind (NULL for the broker), instance name
    ("1".."N"; NULL for the broker), log file. index < fleet_size. */
size_t fleet_size (fleet_t *self);
const char *fleet_name (fleet_t *self, size_t index);
const char *fleet_kind (fleet_t *self, size_t index);
const char *fleet_instance (fleet_t *self, size_t index);
const char *fleet_log_path (fleet_t *self, size_t index);

/*  True if target names processes of this fleet: a process name, an agent kind, or
    "campaign-broker". */
bool fleet_targets (fleet_t *self, const char *target);
/*  True if the process at index is one of target's. */
bool fleet_matches (fleet_t *self, size_t index, const char *target);

/*  Run the supervisor in this process until SIGTERM/SIGINT (see above). The caller has
    daemonized, created state_dir and holds the pid file's lock on lock_fd; fleet_run
    writes its pid there, sends its stdout/stderr to logs/campaign-fleet.log and opens
    the log, starts every process, then writes "ok\n" to ready_fd (or "error: why\n")
    and closes it. Removes the pid file and closes lock_fd before it returns 0, or a
    negative ERR_* if it could not start. */
int fleet_run (fleet_t *self, cli_t *cli, int lock_fd, int ready_fd);

/*  One line of the status file: "name pid started_at_ms restarts state last_exit",
    separated by single spaces, after a '#' comment line. pid is 0 when the process is
    not running; started_at_ms is wall-clock milliseconds of the last start (0: never);
    state is running, backoff (waiting to restart), restarting (asked to), failed
    (given up), stopping or stopped; last_exit is "-", "exit:N" or "signal:N". */
typedef struct {
    char name[256];
    int pid;
    int64_t started_ms;
    int restarts;
    char state[16];
    char last_exit[32];
} fleet_entry_t;

/*  Parse the status file at path. *entries (free() it) and *count on success; ERR_IO
    if it cannot be read, ERR_PARSE with path:line for a malformed line. */
int fleet_status_read (const char *path, fleet_entry_t **entries, size_t *count, err_t *err);

/*  The entry named name in entries, or NULL. */
const fleet_entry_t *fleet_entry_find (const fleet_entry_t *entries, size_t count,
                                       const char *name);

#endif
