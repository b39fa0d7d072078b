/*  campaign-broker: owns one campaign (see broker.h). main only parses, configures,
    hands over and maps the outcome to an exit code. */
#include "broker.h"
#include "cli.h"
#include "log.h"
#include "signals.h"

#include <stdio.h>

static const char s_usage[] =
    "Usage: campaign-broker [-c FILE]... [-o PATH=VALUE]...\n"
    "\n"
    "Run the broker of one expansion campaign: the ROUTER socket agents and tools talk\n"
    "to (broker.endpoint), the status topic (broker.status_endpoint), and the durable\n"
    "store, pid file and lock under broker.state_dir. Runs in the foreground and logs to\n"
    "stderr (log.syslog = true for syslog).\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE      configuration file; repeat to layer (later files win)\n"
    "  -o, --option PATH=VAL  override one setting, e.g. -o broker.state_dir=/tmp/x\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "Signals: SIGTERM/SIGINT stop cleanly; SIGHUP re-reads the configuration files and\n"
    "applies log.level.\n"
    "\n"
    "Exit codes: 0 stopped cleanly, 1 runtime failure (store, sockets, another broker\n"
    "already runs this campaign), 2 usage, 4 configuration error.\n";

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    if (cli.argc > 0) {
        rc = cli_usage_error (&cli, "unexpected argument '%s'", cli.argv[0]);
        cli_end (&cli);
        return rc;
    }
    err_t err;
    if (cli_open_log (&cli, &err)) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    signals_install ();
    broker_t *broker = NULL;
    rc = broker_new (cli.conf, &broker, &err);
    if (rc) {
        log_error ("%s", err.msg);
        cli_end (&cli);
        return rc == ERR_INVALID ? CLI_EXIT_CONFIG : CLI_EXIT_REJECTED;
    }
    while ((rc = broker_run (broker)) == 1) {
        if (cli_reload (&cli, &err) || cli_open_log (&cli, &err))
            log_error ("SIGHUP: configuration not reloaded: %s", err.msg);
        else /* warn, so the line shows whatever the new level is */
            log_warn ("SIGHUP: configuration reloaded (log level %s)",
                      log_level_name (log_get_level ()));
    }
    broker_destroy (&broker);
    cli_end (&cli);
    log_close ();
    return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_REJECTED;
}
