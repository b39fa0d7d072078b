/*  health_bench: accounts scored per second by the health model in this process, and by
    two customer-health-scorer instances through the real broker (issue 4).

    The baseline is the same model, the same accounts, in one thread of this process:
    what the fleet adds is the wire, the batching, the durable store and the second
    instance. The ratio (fleet / in-process) is the figure to read; the target is 0.5.
    Peak memory (VmHWM) of every process is printed beside it.

    Usage: campaign-health-bench [--accounts N] [--quick]   (default 1,000,000; quick 100,000)
*/
#include "test_support.h"

#include "calendar.h"
#include "health.h"
#include "records.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static bool
s_scored (const Campaign__Snapshot *snap, void *arg)
{
    uint64_t scored = 0;
    for (size_t i = 0; i < snap->n_health_bands; i++)
        scored += snap->health_bands[i]->count;
    return scored >= *(uint64_t *)arg;
}

int
main (int argc, char **argv)
{
    int accounts = ts_bench_accounts (argc, argv, "campaign-health-bench");
    if (accounts < 0)
        return 2;
    ts_broker_t broker;
    /*  One import message of the whole portfolio: the size limit must hold it. */
    if (ts_broker_start (&broker, "broker = { max_message_bytes = 1000000000; };\n"
                                  "agents = { heartbeat_ms = 1000; capacity = 2; };\n"
                                  "log = { level = \"warn\"; };\n")) {
        fprintf (stderr, "broker did not start\n");
        return 1;
    }
    char *portfolio = ts_write_portfolio (broker.dir, accounts);

    /*  In-process baseline: the model over every account, one thread. */
    err_t err;
    Campaign__ImportPortfolio *records = NULL;
    conf_t *conf = conf_new ();
    health_model_t *model = NULL;
    if (records_load_accounts (portfolio, &records, &err) ||
        conf_load_file (conf, broker.base, &err) || health_model_load (conf, &model, &err)) {
        fprintf (stderr, "%s\n", err.msg);
        return 1;
    }
    int32_t today;
    date_parse ("2026-10-05", &today);
    long long start = ts_now_ms ();
    for (size_t i = 0; i < records->n_accounts; i++) {
        Campaign__AccountHealth *health = NULL;
        if (health_score (model, records->accounts[i], today, &health, &err) == 0)
            campaign__account_health__free_unpacked (health, NULL);
    }
    double local_s = (ts_now_ms () - start) / 1000.0;
    double local_rate = accounts / local_s;
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    long self_kib = usage.ru_maxrss;
    campaign__import_portfolio__free_unpacked (records, NULL);
    health_model_destroy (&model);
    conf_destroy (&conf);

    /*  The fleet: import, then two scorers share the batches; timed from the import's
        acknowledgement until every account's score is stored. */
    pid_t scorers[2] = {ts_agent_spawn (&broker, "customer-health-scorer", "bench-1"),
                        ts_agent_spawn (&broker, "customer-health-scorer", "bench-2")};
    long long import_start = ts_now_ms ();
    int rc = ts_tool (&broker, NULL, NULL, "campaign-submit", "-o", "client.timeout_ms=600000",
                      "import-portfolio", portfolio, NULL);
    double import_s = (ts_now_ms () - import_start) / 1000.0;
    long long fleet_start = ts_now_ms ();
    uint64_t all = (uint64_t)accounts;
    int waited = rc == 0 ? ts_wait_snapshot (&broker, 1800000, s_scored, &all) : -1;
    double fleet_s = (ts_now_ms () - fleet_start) / 1000.0;
    long broker_kib = ts_peak_kib (broker.pid);
    long scorer_kib[2] = {ts_peak_kib (scorers[0]), ts_peak_kib (scorers[1])};
    for (int i = 0; i < 2; i++)
        ts_stop (scorers[i], 10000);

    printf ("health scoring, %d accounts\n", accounts);
    printf ("  in-process     %10.0f accounts/s  (%.2f s, peak %ld MiB)\n", local_rate, local_s,
            self_kib / 1024);
    printf ("  import         %10.2f s through campaign-submit (not in the ratio)\n", import_s);
    if (waited == 0) {
        double fleet_rate = accounts / fleet_s;
        printf ("  fleet (2)      %10.0f accounts/s  (%.2f s; peak broker %ld MiB, scorers %ld "
                "and %ld MiB)\n",
                fleet_rate, fleet_s, broker_kib / 1024, scorer_kib[0] / 1024,
                scorer_kib[1] / 1024);
        printf ("health scoring: fleet %.0f/s vs in-process %.0f/s = %.2f (target 0.5)\n",
                fleet_rate, local_rate, fleet_rate / local_rate);
    } else
        printf ("  fleet run did not finish (import exit %d)\n", rc);
    free (portfolio);
    ts_broker_cleanup (&broker);
    return waited == 0 ? 0 : 1;
}
