/*  health_test.c: customer-health-scorer instances against the real broker (issue 4).

    One instance, then two, score a portfolio: every account is scored exactly once,
    with its explanation stored; a scorer that stops mid-batch (frozen, then killed)
    has its batch redone by another instance. */
#include "test_support.h"

#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>

TS_SUITE (health);

#define ACCOUNTS 1200

static bool
s_no_work_left (const Campaign__Snapshot *snap, void *arg)
{
    uint64_t scored = 0;
    for (size_t i = 0; i < snap->n_health_bands; i++)
        scored += snap->health_bands[i]->count;
    /*  The identifier's scan waits in the queue (no identifier runs here): only the
        scores count. */
    return scored >= *(uint64_t *)arg;
}

/*  Count, over every done health.portfolio task's stored result, the scores of each
    account: all N accounts must appear exactly once. */
static void
s_expect_each_scored_once (ts_broker_t *broker, int n)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/state/campaign.db", broker->dir) > 0);
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq (
        sqlite3_prepare_v2 (db,
                            "SELECT result FROM tasks WHERE name = 'health.portfolio' "
                            "AND state = 'done'",
                            -1, &stmt, NULL),
        SQLITE_OK);
    int *seen = calloc ((size_t)n, sizeof *seen);
    int batches = 0;
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        batches++;
        Campaign__Result *result = campaign__result__unpack (
            NULL, (size_t)sqlite3_column_bytes (stmt, 0), sqlite3_column_blob (stmt, 0));
        cr_assert_not_null (result, "stored result decodes");
        for (size_t i = 0; i < result->n_health; i++) {
            int index = atoi (result->health[i]->account_id + 2);
            cr_assert (index >= 0 && index < n);
            seen[index]++;
            cr_expect_gt (result->health[i]->n_contributions, 0, "explained");
        }
        campaign__result__free_unpacked (result, NULL);
    }
    sqlite3_finalize (stmt);
    int missing = 0, twice = 0;
    for (int i = 0; i < n; i++) {
        missing += seen[i] == 0;
        twice += seen[i] > 1;
    }
    cr_expect_eq (missing, 0, "%d accounts never scored", missing);
    cr_expect_eq (twice, 0, "%d accounts scored more than once", twice);
    cr_expect_eq (batches, (n + 499) / 500, "one result per batch");
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT count(*) FROM health", -1, &stmt, NULL),
                  SQLITE_OK);
    cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW);
    cr_expect_eq (sqlite3_column_int (stmt, 0), n, "every account's latest health is stored");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    free (seen);
    free (path);
}

static void
s_run (int instances)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"), 0);
    pid_t scorers[2] = {-1, -1};
    for (int i = 0; i < instances; i++)
        scorers[i] =
            ts_agent_spawn (&broker, "customer-health-scorer", i ? "real-2" : "real-1");
    char *portfolio = ts_write_portfolio (broker.dir, ACCOUNTS);
    cr_assert_eq (
        ts_tool (&broker, NULL, NULL, "campaign-submit", "import-portfolio", portfolio, NULL),
        0);
    uint64_t all = ACCOUNTS;
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_no_work_left, &all), 0,
                  "the portfolio was not scored");
    for (int i = 0; i < instances; i++)
        cr_expect_eq (ts_stop (scorers[i], 5000), 0, "scorer stops cleanly");
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    s_expect_each_scored_once (&broker, ACCOUNTS);
    free (portfolio);
    ts_broker_cleanup (&broker);
}

Test (health, one_scorer_scores_every_account_once, .timeout = 120)
{
    s_run (1);
}

Test (health, two_scorers_share_and_score_every_account_once, .timeout = 120)
{
    s_run (2);
}

static bool
s_leased (const Campaign__Snapshot *snap, void *arg)
{
    return snap->tasks && snap->tasks->leased >= 1;
}

Test (health, a_scorer_stopped_mid_batch_has_its_batch_redone, .timeout = 120)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"), 0);
    pid_t doomed = ts_agent_spawn (&broker, "customer-health-scorer", "doomed");
    /*  Frozen before work arrives: it takes a lease and never answers, as a scorer that
        dies mid-batch does; the broker sees its heartbeats stop. */
    cr_assert (
        ts_wait_file_contains (broker.log, "customer-health-scorer/doomed registered", 10000));
    kill (doomed, SIGSTOP);
    char *portfolio = ts_write_portfolio (broker.dir, ACCOUNTS);
    cr_assert_eq (
        ts_tool (&broker, NULL, NULL, "campaign-submit", "import-portfolio", portfolio, NULL),
        0);
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_leased, NULL), 0);
    pid_t rescuer = ts_agent_spawn (&broker, "customer-health-scorer", "rescuer");
    uint64_t all = ACCOUNTS;
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_no_work_left, &all), 0,
                  "the frozen scorer's batch was not redone");
    kill (doomed, SIGKILL);
    ts_wait (doomed, 5000);
    ts_stop (rescuer, 5000);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    s_expect_each_scored_once (&broker, ACCOUNTS);
    cr_expect (ts_wait_file_contains (broker.log, "doomed lost", 1000), "the broker saw it go");
    free (portfolio);
    ts_broker_cleanup (&broker);
}

Test (health, a_generated_portfolio_is_scored_and_explained, .timeout = 120)
{
    /*  Issue 4's "done when": campaign-gen's 1,500 accounts through the real broker. */
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"), 0);
    char *gen = ts_bin ("campaign-gen");
    char *out_dir = NULL;
    cr_assert (asprintf (&out_dir, "%s/data", broker.dir) > 0);
    char *argv[] = {gen, "--accounts", "1500", "--seed", "7", "--out", out_dir, NULL};
    cr_assert_eq (ts_run (argv, 60000, NULL, NULL), 0);
    char *accounts = NULL, *roster = NULL;
    cr_assert (asprintf (&accounts, "%s/accounts.csv", out_dir) > 0);
    cr_assert (asprintf (&roster, "%s/roster.csv", out_dir) > 0);
    pid_t scorers[2] = {ts_agent_spawn (&broker, "customer-health-scorer", "gen-1"),
                        ts_agent_spawn (&broker, "customer-health-scorer", "gen-2")};
    cr_assert_eq (
        ts_tool (&broker, NULL, NULL, "campaign-submit", "import-roster", roster, NULL), 0);
    cr_assert_eq (
        ts_tool (&broker, NULL, NULL, "campaign-submit", "import-portfolio", accounts, NULL),
        0);
    uint64_t all = 1500;
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_no_work_left, &all), 0);
    for (int i = 0; i < 2; i++)
        ts_stop (scorers[i], 5000);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    /*  Every stored score explains itself: contributions sum back to it. */
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/state/campaign.db", broker.dir) > 0);
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT body FROM health", -1, &stmt, NULL),
                  SQLITE_OK);
    int rows = 0, bands[3] = {0, 0, 0};
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        Campaign__AccountHealth *health = campaign__account_health__unpack (
            NULL, (size_t)sqlite3_column_bytes (stmt, 0), sqlite3_column_blob (stmt, 0));
        cr_assert_not_null (health);
        double sum = 50;
        for (size_t i = 0; i < health->n_contributions; i++)
            sum += health->contributions[i]->points;
        sum = sum < 0 ? 0 : sum > 100 ? 100 : sum;
        cr_expect (fabs (health->score - sum) < 0.06, "%s: %.1f vs %.2f", health->account_id,
                   health->score, sum);
        bands[health->band[0] == 'h' ? 0 : health->band[0] == 'w' ? 1 : 2]++;
        campaign__account_health__free_unpacked (health, NULL);
        rows++;
    }
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    cr_expect_eq (rows, 1500);
    cr_log_info ("bands of the generated portfolio: %d healthy, %d watch, %d at risk", bands[0],
                 bands[1], bands[2]);
    cr_expect (bands[0] > 0 && bands[1] > 0 && bands[2] > 0, "every band is populated");
    free (path);
    free (accounts);
    free (roster);
    free (out_dir);
    free (gen);
    ts_broker_cleanup (&broker);
}
