/*  control.h: the operator's commands of campaign-fleet (start, stop, status, restart).

    They run in the foreground and talk to the supervisor (fleet.h) through its files
    under broker.state_dir and signals: the pid file's lock says whether a fleet runs,
    the status file what each process does, and a snapshot from the broker whether each
    agent instance has registered (kind and instance in the snapshot's agents, state
    ready or busy, heard from since that process started).

    Each returns 0 or a negative ERR_* with err filled: ERR_STATE refused (a fleet
    already runs; none runs, for status and restart KIND), ERR_TIMEOUT (not everything
    registered in time; the supervisor stays up), ERR_UNREACHABLE (the broker never
    answered), ERR_USAGE (restart of something not in the fleet), ERR_IO and ERR_NOMEM.
    Results go to stdout; what went wrong in detail (logs' tails) to stderr.
*/
#ifndef CAMPAIGN_CONTROL_H
#define CAMPAIGN_CONTROL_H

#include <stdbool.h>

#include "cli.h"
#include "fleet.h"

/*  Start a supervisor in the background and wait until the fleet has registered.
    The supervisor's own process never returns from here: it exits when the fleet
    stops. */
int control_start (fleet_t *fleet, cli_t *cli, err_t *err);

/*  Stop the running fleet and wait until its supervisor is gone; 0 also when none
    runs. */
int control_stop (fleet_t *fleet, cli_t *cli, err_t *err);

/*  Print each process; ERR_STATE if the fleet is not running (the last known state is
    still printed). json: one JSON object. */
int control_status (fleet_t *fleet, cli_t *cli, bool json, err_t *err);

/*  target NULL: stop (if running), then start. Otherwise ask the supervisor to restart
    the processes target names (a kind, a process name or "campaign-broker") and wait
    until they run and have registered again. */
int control_restart (fleet_t *fleet, cli_t *cli, const char *target, err_t *err);

#endif
