/*  identifier_bench: the week-1 portfolio scan (propensity per play, whitespace per
    type) in this process, and by two expansion-opportunity-identifier instances through
    the real broker (issue 5, item 9).

    The baseline runs the same model and catalogue over the same accounts in one thread
    of this process. The fleet is timed by the broker's own record: from the last
    health.portfolio batch done (the scan waits for them) to the last
    identifier.portfolio_scan batch done (tasks.finished_ms), so the client's polling and
    whatever the broker does next do not count. The ratio (fleet / in-process) is the
    figure to read; the target is 0.5. A second baseline is the floor the broker's store
    sets: the opportunities the fleet stored, inserted again into a fresh table shaped
    like the broker's (same indexes, WAL, synchronous = FULL), one transaction per batch.
    Peak memory (VmHWM) of each process is printed.

    Usage: campaign-identifier-bench [--accounts N] [--quick]  (default 1,000,000; 100,000)
*/
#include "test_support.h"

#include "propensity.h"
#include "records.h"
#include "whitespace.h"

#include <signal.h>
#include <sqlite3.h>
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

/*  One number from the broker's store (sql with one text parameter), or -1. */
static long long
s_query (sqlite3 *db, const char *sql, const char *param)
{
    sqlite3_stmt *stmt = NULL;
    long long value = -1;
    if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_text (stmt, 1, param, -1, SQLITE_STATIC);
        if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
            value = sqlite3_column_int64 (stmt, 0);
    }
    sqlite3_finalize (stmt);
    return value;
}

/*  The store's floor: the rows of the broker's opportunities table inserted again into
    a fresh table of the same shape in path, `per_commit` rows per transaction. Returns
    seconds, or -1; *rows is how many. */
static double
s_raw_sqlite (sqlite3 *from, const char *path, int per_commit, long long *rows)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *read = NULL, *write = NULL;
    double seconds = -1;
    *rows = 0;
    if (sqlite3_open (path, &db) != SQLITE_OK ||
        sqlite3_exec (
            db,
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
            "PRAGMA cache_size = -65536;"
            "CREATE TABLE opportunities (opportunity_id TEXT PRIMARY KEY,"
            "  account_id TEXT NOT NULL, type TEXT, tier INTEGER NOT NULL DEFAULT 0,"
            "  qualified INTEGER NOT NULL DEFAULT 0, csm TEXT, stage TEXT NOT NULL,"
            "  potential_arr REAL NOT NULL DEFAULT 0, body BLOB NOT NULL);"
            "CREATE INDEX opportunities_account ON opportunities (account_id);"
            "CREATE INDEX opportunities_csm ON opportunities (csm, opportunity_id);"
            "CREATE INDEX opportunities_stage ON opportunities (stage, opportunity_id);",
            NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2 (from,
                            "SELECT opportunity_id, account_id, type, tier, qualified, csm, "
                            "stage, potential_arr, body FROM opportunities ORDER BY rowid",
                            -1, &read, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2 (db,
                            "INSERT INTO opportunities VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                            "?9) ON CONFLICT (opportunity_id) DO NOTHING",
                            -1, &write, NULL) != SQLITE_OK) {
        fprintf (stderr, "raw sqlite: %s\n", sqlite3_errmsg (db ? db : from));
        goto done;
    }
    /*  The rows are read ahead: only the writes are timed. */
    typedef struct {
        sqlite3_value *v[9];
    } s_row_t;
    size_t n = 0, cap = 0;
    s_row_t *all = NULL;
    while (sqlite3_step (read) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            s_row_t *grown = realloc (all, cap * sizeof *grown);
            if (!grown)
                break;
            all = grown;
        }
        for (int c = 0; c < 9; c++)
            all[n].v[c] = sqlite3_value_dup (sqlite3_column_value (read, c));
        n++;
    }
    long long start = ts_now_ms ();
    bool failed = false;
    for (size_t i = 0; i < n && !failed; i++) {
        if (i % (size_t)per_commit == 0)
            failed = sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK;
        for (int c = 0; c < 9; c++)
            sqlite3_bind_value (write, c + 1, all[i].v[c]);
        failed = failed || sqlite3_step (write) != SQLITE_DONE;
        sqlite3_reset (write);
        if ((i + 1) % (size_t)per_commit == 0 || i + 1 == n)
            failed = failed || sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK;
    }
    if (!failed) {
        seconds = (ts_now_ms () - start) / 1000.0;
        *rows = (long long)n;
    } else
        fprintf (stderr, "raw sqlite: %s\n", sqlite3_errmsg (db));
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 9; c++)
            sqlite3_value_free (all[i].v[c]);
    free (all);
done:
    sqlite3_finalize (read);
    sqlite3_finalize (write);
    sqlite3_close (db);
    return seconds;
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
    long import_kib = ts_peak_kib (broker.pid); /* the import's share of the broker's peak */
    int waited = rc ? -1
                    : ts_wait_snapshot (&broker, 1800000, s_criterion_met,
                                        "tasks_done:health.portfolio");
    if (!waited)
        waited = ts_wait_snapshot (&broker, 1800000, s_criterion_met,
                                   "tasks_done:identifier.portfolio_scan");
    long peak[4];
    for (int i = 0; i < 4; i++)
        peak[i] = ts_peak_kib (pids[i]);
    long broker_kib = ts_peak_kib (broker.pid);
    for (int i = 0; i < 4; i++)
        ts_stop (pids[i], 10000);
    ts_stop (segmentation, 10000);
    ts_stop (broker.pid, 10000);
    broker.pid = -1;

    /*  The broker's record, and the store's floor, once it has stopped. */
    double fleet_s = -1, raw_s = -1;
    long long stored = 0, batches = 0;
    int per_commit = 1;
    char *db_path = NULL, *raw_path = NULL;
    sqlite3 *db = NULL;
    if (asprintf (&db_path, "%s/state/campaign.db", broker.dir) > 0 &&
        asprintf (&raw_path, "%s/raw.db", broker.dir) > 0 &&
        sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        const char *last = "SELECT max (finished_ms) FROM tasks WHERE name = ?1";
        long long health_done = s_query (db, last, "health.portfolio");
        long long scan_done = s_query (db, last, "identifier.portfolio_scan");
        if (!waited && health_done > 0 && scan_done >= health_done)
            fleet_s = (scan_done - health_done) / 1000.0;
        /*  As many commits as the fleet had scan batches: a result is applied in one turn,
            a turn is one commit. */
        batches = s_query (db, "SELECT count (*) FROM tasks WHERE name = ?1",
                           "identifier.portfolio_scan");
        long long rows = s_query (db, "SELECT count (*) FROM opportunities WHERE ?1 = ?1", "");
        if (batches > 0 && rows > 0)
            per_commit = (int)((rows + batches - 1) / batches);
        raw_s = s_raw_sqlite (db, raw_path, per_commit, &stored);
    }
    sqlite3_close (db);
    free (db_path);
    free (raw_path);

    printf ("week-1 scan, %d accounts (%zu opportunities with whitespace in-process)\n",
            accounts, opportunities);
    printf ("  in-process     %10.0f accounts/s  (%.2f s, peak %ld MiB)\n", local_rate, local_s,
            usage.ru_maxrss / 1024);
    printf ("  import         %10.2f s through campaign-submit, in parts (not in the ratio; "
            "broker peak by then %ld MiB)\n",
            import_s, import_kib / 1024);
    if (waited == 0 && fleet_s > 0) {
        double fleet_rate = accounts / fleet_s;
        printf (
            "  fleet (2)      %10.0f accounts/s  (%.2f s in %lld batches; peak broker %ld MiB, "
            "identifiers %ld and %ld MiB, scorers %ld and %ld MiB)\n",
            fleet_rate, fleet_s, batches, broker_kib / 1024, peak[2] / 1024, peak[3] / 1024,
            peak[0] / 1024, peak[1] / 1024);
        if (raw_s > 0) {
            printf ("  raw sqlite     %10.0f accounts/s  (%.2f s: the %lld opportunities the "
                    "fleet stored, inserted again, %d per commit)\n",
                    accounts / raw_s, raw_s, stored, per_commit);
            printf ("  in-process and stored %4.0f accounts/s  (%.2f s: the in-process scan, "
                    "then those inserts)\n",
                    accounts / (local_s + raw_s), local_s + raw_s);
        }
        printf ("week-1 scan: fleet %.0f/s vs in-process %.0f/s = %.2f (target 0.5)\n",
                fleet_rate, local_rate, fleet_rate / local_rate);
        if (raw_s > 0) {
            printf ("week-1 scan: fleet %.0f/s vs raw sqlite %.0f/s = %.2f (the store's "
                    "floor)\n",
                    fleet_rate, accounts / raw_s, fleet_rate / (accounts / raw_s));
            printf ("week-1 scan: fleet %.0f/s vs in-process and stored %.0f/s = %.2f\n",
                    fleet_rate, accounts / (local_s + raw_s),
                    fleet_rate / (accounts / (local_s + raw_s)));
        }
    } else
        printf ("  fleet run did not finish (import exit %d)\n", rc);
    free (portfolio);
    ts_broker_cleanup (&broker);
    return waited == 0 ? 0 : 1;
}
