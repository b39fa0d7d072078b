/*  campaign-fleet: start, supervise and stop the daemons of one campaign (SPEC section 8).

    main parses the command, reads the fleet from the configuration (fleet.h) and hands
    over to the command (control.h); the supervisor itself is fleet_run. */
#include "cli.h"
#include "control.h"
#include "fleet.h"

#include <stdio.h>
#include <string.h>

static const char s_usage[] =
    "Usage: campaign-fleet [-c FILE]... [-o PATH=VALUE]... start|stop|status|restart "
    "[TARGET]\n"
    "\n"
    "Start, supervise and stop the daemons of one campaign: campaign-broker and the agent\n"
    "instances the fleet section of the configuration names.\n"
    "\n"
    "Commands:\n"
    "  start             Start a supervisor in the background. It launches the broker,\n"
    "                    then every agent instance, and keeps them running. start waits\n"
    "                    (at most fleet.start_timeout_ms) until the broker answers and\n"
    "                    every instance shows as registered, prints one line per process\n"
    "                    and exits 0. Otherwise it names what did not register, with the\n"
    "                    end of its log, and exits 1 (3 if the broker never answered),\n"
    "                    leaving the supervisor running for you to inspect or stop.\n"
    "                    Refused (exit 1) while a fleet of the campaign runs.\n"
    "  stop              Stop the fleet: the supervisor stops the agents, then the broker\n"
    "                    (SIGTERM; SIGKILL after fleet.stop_timeout_ms each), and exits.\n"
    "                    Waits until it is gone. Exit 0, also if no fleet was running.\n"
    "  status [--json]   Each process: pid, uptime, restarts, state (running, backoff,\n"
    "                    restarting, failed, stopping, stopped), last exit, registered\n"
    "                    with the broker or not. Exit 0 if the fleet runs, else 1.\n"
    "  restart           Stop, then start.\n"
    "  restart TARGET    Have the supervisor restart the processes TARGET names (an agent\n"
    "                    kind, a process such as customer-health-scorer-2, or\n"
    "                    campaign-broker; agents reconnect by themselves), also one it had\n"
    "                    given up on; wait until they run and have registered again.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE      configuration (repeatable; later files win); passed on to\n"
    "                         every process of the fleet\n"
    "  -o, --option PATH=VAL  override one setting; passed on to every process\n"
    "      --json             status: print one JSON object\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "Configuration (the fleet section; config/campaign.cfg has the default):\n"
    "  fleet.agents           ( { kind = \"K\"; instances = N; executable = \"E\";\n"
    "                         args = [\"A\", ...]; }, ... ). kind must be in agents.kinds;\n"
    "                         instances 1..64 (default 1); executable defaults to the kind,\n"
    "                         and a name without '/' is looked up beside campaign-fleet.\n"
    "                         Instance N runs as: E A... -c FILE... -o PATH=VAL...\n"
    "                         --instance N, named K-N.\n"
    "  fleet.restart_min_ms   first restart delay after a process ends (500); doubles per\n"
    "                         consecutive fast crash\n"
    "  fleet.restart_max_ms   longest restart delay (30000)\n"
    "  fleet.fast_crash_ms    an end within this of the start is a fast crash (10000)\n"
    "  fleet.give_up_after    fast crashes in a row before a process is failed (5)\n"
    "  fleet.start_timeout_ms how long start and restart wait for registration (30000)\n"
    "  fleet.stop_timeout_ms  how long a process may take to stop before SIGKILL (10000)\n"
    "Also: campaign.id, broker.endpoint, broker.state_dir, client.*, log.*.\n"
    "\n"
    "Files, under broker.state_dir:\n"
    "  campaign-fleet.pid     the supervisor's pid, locked (flock) while it runs\n"
    "  fleet.status           one line per process, rewritten on every change:\n"
    "                         name pid started_at_ms restarts state last_exit\n"
    "  logs/campaign-fleet.log, logs/campaign-broker.log, logs/KIND-N.log\n"
    "\n"
    "The supervisor: SIGTERM or SIGINT stops the fleet; SIGHUP re-reads log.level and is\n"
    "passed to every process (they reload); SIGUSR1 takes restart requests from\n"
    "campaign-fleet.request. Its processes run in the directory start was run from, so\n"
    "relative paths mean the same to all of them, and get SIGTERM if it dies.\n"
    "\n"
    "Exit codes: 0 ok, 1 failed or refused (already running; not running, for status and\n"
    "restart TARGET; not registered in time), 2 usage (also an unknown TARGET),\n"
    "3 broker unreachable (start: it never answered), 4 configuration error.\n";

static int
s_exit_code (int rc)
{
    switch (rc) {
    case 0: return CLI_EXIT_OK;
    case ERR_USAGE: return CLI_EXIT_USAGE;
    case ERR_UNREACHABLE: return CLI_EXIT_UNREACHABLE;
    case ERR_INVALID: return CLI_EXIT_CONFIG;
    default: return CLI_EXIT_REJECTED;
    }
}

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    const char *command = NULL, *target = NULL;
    bool json = false;
    for (int i = 0; i < cli.argc; i++) {
        const char *arg = cli.argv[i];
        if (strcmp (arg, "--json") == 0)
            json = true;
        else if (!command)
            command = arg;
        else if (!target && strcmp (command, "restart") == 0 && arg[0] != '-')
            target = arg;
        else {
            rc = cli_usage_error (&cli, "unexpected argument '%s'", arg);
            cli_end (&cli);
            return rc;
        }
    }
    bool start = command && strcmp (command, "start") == 0;
    bool restart = command && strcmp (command, "restart") == 0;
    if (!command || !(start || restart || strcmp (command, "stop") == 0 ||
                      strcmp (command, "status") == 0)) {
        rc = command ? cli_usage_error (&cli, "unknown command '%s'", command)
                     : cli_usage_error (&cli, "a command is needed: start, stop, status or "
                                              "restart");
        cli_end (&cli);
        return rc;
    }
    err_t err;
    fleet_t *fleet = NULL;
    /*  Only what starts processes needs the strict checks. */
    rc = fleet_new (&cli, start || (restart && !target), &fleet, &err);
    if (rc) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    if (start)
        rc = control_start (fleet, &cli, &err);
    else if (restart)
        rc = control_restart (fleet, &cli, target, &err);
    else if (strcmp (command, "stop") == 0)
        rc = control_stop (fleet, &cli, &err);
    else
        rc = control_status (fleet, &cli, json, &err);
    if (rc)
        fprintf (stderr, "%s: %s\n", cli.program, err.msg);
    fleet_destroy (&fleet);
    cli_end (&cli);
    return s_exit_code (rc);
}
