/*  campaign-sim: the people of a campaign, simulated (SPEC sections 1 and 8, issue 8).

    Parses the options, loads the configuration and campaign-gen's data, hands over to
    the simulator (sim.c) and maps the result to an exit code. */
#include "cli.h"
#include "signals.h"
#include "sim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: campaign-sim [-c FILE]... [-o PATH=VALUE]... [--seed N] [--data DIR] [--quiet]\n"
    "\n"
    "Play every person of a campaign (operator, leadership, CSMs, AEs, marketing, product)\n"
    "against a running fleet for the whole 12 weeks on the simulated clock: imports in\n"
    "week 1, targets in week 2 (and whenever a gate waits for them), discovery notes in\n"
    "weeks 3-4, stage changes and outcomes along the plays' timelines in weeks 5-10 (won\n"
    "with the ground truth's probability), handoff acknowledgements, retrospective input\n"
    "in week 12. A gate that holds with nothing people can supply is overridden by\n"
    "leadership, with the failing criteria as the reason. Between steps it waits until\n"
    "the agents' tasks are done, then advances the clock one week. Prints a summary.\n"
    "\n"
    "The same seed on a fresh campaign gives the same campaign; every submission carries a\n"
    "message id derived from the seed, the campaign and the action, so running again\n"
    "against the same state applies nothing twice.\n"
    "\n"
    "Options:\n"
    "      --seed N           the simulation's seed (default 1)\n"
    "      --data DIR         campaign-gen's output: accounts.csv, roster.csv, truth.csv\n"
    "                         and (optional) history.csv (default ./data)\n"
    "      --quiet            print only the summary\n"
    "  -c, --config FILE      configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VAL  override one setting\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "Settings used: broker.endpoint, broker.status_endpoint, campaign.id, campaign.weeks,\n"
    "client.timeout_ms, client.retries, and optionally sim.poll_ms (150), "
    "sim.settle_timeout_ms\n"
    "(600000), sim.in_flight (16 submissions at a time), "
    "sim.targets.{arr_goal, conversion, deals,\n"
    "investment} per 1,500 accounts (400000, 0.4, 25, 60000).\n"
    "\n"
    "Exit codes: 0 the campaign reached its retrospective, 1 it could not be completed\n"
    "(the message says why and in which week), 2 usage, 3 broker unreachable,\n"
    "4 configuration or data error.\n";

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    sim_options_t options = {.data_dir = "data", .seed = 1, .quiet = false};
    for (int i = 0; i < cli.argc; i++) {
        if (strcmp (cli.argv[i], "--quiet") == 0)
            options.quiet = true;
        else if (strcmp (cli.argv[i], "--data") == 0 && i + 1 < cli.argc)
            options.data_dir = cli.argv[++i];
        else if (strcmp (cli.argv[i], "--seed") == 0 && i + 1 < cli.argc) {
            unsigned long long seed;
            if (cli_whole_number (cli.argv[++i], 0, UINT64_MAX, &seed))
                options.seed = seed;
            else {
                rc = cli_usage_error (&cli, "--seed '%s' is not a whole number", cli.argv[i]);
                cli_end (&cli);
                return rc;
            }
        } else {
            rc = cli_usage_error (&cli, "unexpected argument '%s'", cli.argv[i]);
            cli_end (&cli);
            return rc;
        }
    }
    err_t err;
    sim_t *sim = NULL;
    rc = sim_new (cli.conf, &options, &sim, &err);
    if (rc) {
        fprintf (stderr, "%s: %s\n", cli.program, err.msg);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    signals_install ();
    rc = sim_run (sim, &err);
    if (rc)
        fprintf (stderr, "%s: %s\n", cli.program, err.msg);
    sim_print_summary (sim, stdout);
    sim_destroy (&sim);
    cli_end (&cli);
    if (rc == ERR_UNREACHABLE)
        return CLI_EXIT_UNREACHABLE;
    return rc ? CLI_EXIT_REJECTED : CLI_EXIT_OK;
}
