/*  identifier_bench: the week-1 portfolio scan (propensity per play, whitespace per
    type) in this process, and by two expansion-opportunity-identifier instances through
    the real broker (issue 5, item 9).

    The baseline runs the same model and catalogue over the same accounts in one thread
    of this process. The fleet is timed from the moment every health.portfolio batch is
    done (the scan waits for them) until every identifier.portfolio_scan batch is done,
    watched through the snapshot's gate criteria. The ratio (fleet / in-process) is the
    figure to read; the target is 0.5. Peak memory (VmHWM) of each process is printed.

    Usage: campaign-identifier-bench [--accounts N] [--quick]  (default 1,000,000; 100,000)
*/
#include "test_support.h"

#include "propensity.h"
#include "records.h"
#include "whitespace.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

static bool
s_criterion_met (const Campaign__Snapshot *snap, void *arg)
{
    for (size_t i = 0; i < snap->n_gate; i++)
        if (strcmp (snap->gate[i]->name, (const char *)arg) == 0)
            return snap->gate[i]->met;
    return false;
}

int
main (int argc, char **argv)
{
    int accounts = ts_bench_accounts (argc, argv, "campaign-identifier-bench");
    if (accounts < 0)
        return 2;
    ts_broker_t broker;
    if (ts_broker_start (&broker, "agents = { heartbeat_ms = 1000; capacity = 2; };\n"
                                  "log = { level = \"warn\"; };\n")) {
        fprintf (stderr, "broker did not start\n");
        return 1;
    }
    char *portfolio = ts_write_portfolio (broker.dir, accounts);

    /*  In-process: the scan's arithmetic over every account, one thread. */
    err_t err;
    Campaign__ImportPortfolio *records = NULL;
    conf_t *conf = conf_new ();
    propensity_model_t *model = NULL;
    whitespace_t *whitespace = NULL;
    if (records_load_accounts (portfolio, &records, &err) ||
        conf_load_file (conf, broker.base, &err) ||
        propensity_model_load (conf, &model, &err) ||
        whitespace_load (conf, &whitespace, &err)) {
        fprintf (stderr, "%s\n", err.msg);
        return 1;
    }
    long long start = ts_now_ms ();
    size_t opportunities = 0;
    for (size_t i = 0; i < records->n_accounts; i++) {
        const Campaign__Account *account = records->accounts[i];
        double x[PROP_FEATURES];
        propensity_account_features (account, whitespace_adjacent_modules (whitespace, account),
                                     x);
        whitespace_potential_t ws;
        whitespace_potential (whitespace, account, NULL, 0, &ws);
        for (int t = 0; t < WS_TYPES; t++) {
            propensity_t score;
            propensity_score (model, (propensity_play_t)t, x, &score);
            opportunities += ws.arr[t] > 0;
        }
    }
    double local_s = (ts_now_ms () - start) / 1000.0;
    double local_rate = accounts / local_s;
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    campaign__import_portfolio__free_unpacked (records, NULL);
    propensity_model_destroy (&model);
    whitespace_destroy (&whitespace);
    conf_destroy (&conf);

    /*  The fleet: two scorers, two identifiers, a stand-in segmentation analyst. */
    pid_t pids[4] = {ts_agent_spawn (&broker, "customer-health-scorer", "1"),
                     ts_agent_spawn (&broker, "customer-health-scorer", "2"),
                     ts_agent_spawn (&broker, "expansion-opportunity-identifier", "1"),
                     ts_agent_spawn (&broker, "expansion-opportunity-identifier", "2")};
    pid_t segmentation = ts_agent_start (&broker, "customer-segmentation-analyst", "standin");
    long long import_start = ts_now_ms ();
    int rc = ts_tool (&broker, NULL, NULL, "campaign-submit", "-o", "client.timeout_ms=600000",
                      "import-portfolio", portfolio, NULL);
    double import_s = (ts_now_ms () - import_start) / 1000.0;
    int waited = rc ? -1
                    : ts_wait_snapshot (&broker, 1800000, s_criterion_met,
                                        "tasks_done:health.portfolio");
    long long scan_start = ts_now_ms ();
    if (!waited)
        waited = ts_wait_snapshot (&broker, 1800000, s_criterion_met,
                                   "tasks_done:identifier.portfolio_scan");
    double fleet_s = (ts_now_ms () - scan_start) / 1000.0;
    long peak[4];
    for (int i = 0; i < 4; i++)
        peak[i] = ts_peak_kib (pids[i]);
    long broker_kib = ts_peak_kib (broker.pid);
    for (int i = 0; i < 4; i++)
        ts_stop (pids[i], 10000);
    ts_stop (segmentation, 10000);

    printf ("week-1 scan, %d accounts (%zu opportunities in-process)\n", accounts,
            opportunities);
    printf ("  in-process     %10.0f accounts/s  (%.2f s, peak %ld MiB)\n", local_rate, local_s,
            usage.ru_maxrss / 1024);
    printf ("  import         %10.2f s through campaign-submit, in parts (not in the ratio)\n",
            import_s);
    if (waited == 0) {
        double fleet_rate = accounts / fleet_s;
        printf ("  fleet (2)      %10.0f accounts/s  (%.2f s; peak broker %ld MiB, identifiers "
                "%ld and %ld MiB, scorers %ld and %ld MiB)\n",
                fleet_rate, fleet_s, broker_kib / 1024, peak[2] / 1024, peak[3] / 1024,
                peak[0] / 1024, peak[1] / 1024);
        printf ("week-1 scan: fleet %.0f/s vs in-process %.0f/s = %.2f (target 0.5)\n",
                fleet_rate, local_rate, fleet_rate / local_rate);
    } else
        printf ("  fleet run did not finish (import exit %d)\n", rc);
    free (portfolio);
    ts_broker_cleanup (&broker);
    return waited == 0 ? 0 : 1;
}
