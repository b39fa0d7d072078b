/*  gate_test.c: gate criteria (broker/gate.h) over a real store in a temp dir.

    Proves that gate_criterion_known accepts exactly the built-in criteria and the two
    families with a non-empty name, and that gate_evaluate answers each criterion from
    the store alone (imports, leadership's targets, the pipeline, task progress, facts),
    met and unmet, with the detail text people see in the gate status. State is written
    with the store's own functions inside a transaction, as the broker does.
*/
#include "gate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (gate);

typedef struct {
    char *dir;
    char *path;
    store_t *store;
} s_fixture_t;

static void
s_setup (s_fixture_t *fx)
{
    fx->dir = ts_tempdir ();
    cr_assert_not_null (fx->dir);
    cr_assert_gt (asprintf (&fx->path, "%s/campaign.db", fx->dir), 0);
    err_t err;
    err_clear (&err);
    cr_assert_eq (store_open (fx->path, &fx->store, &err), 0, "%s", err.msg);
}

static void
s_teardown (s_fixture_t *fx)
{
    store_destroy (&fx->store);
    free (fx->path);
    ts_tempdir_remove (&fx->dir);
}

static void
s_begin (s_fixture_t *fx)
{
    err_t err;
    cr_assert_eq (store_begin (fx->store, &err), 0, "%s", err.msg);
}

static void
s_commit (s_fixture_t *fx)
{
    err_t err;
    cr_assert_eq (store_commit (fx->store, &err), 0, "%s", err.msg);
}

/*  Evaluate criterion; expect met and exactly detail. */
static void
s_expect (s_fixture_t *fx, const char *criterion, bool met, const char *detail)
{
    bool got = !met;
    char text[256] = "untouched";
    err_t err;
    err_clear (&err);
    cr_assert_eq (gate_evaluate (fx->store, criterion, &got, text, sizeof text, &err), 0,
                  "%s: %s", criterion, err.msg);
    cr_assert_eq (got, met, "%s should be %s (detail: %s)", criterion, met ? "met" : "unmet",
                  text);
    cr_assert_str_eq (text, detail, "%s", criterion);
}

static void
s_import_accounts (s_fixture_t *fx, size_t n)
{
    Campaign__Account accounts[4];
    Campaign__Account *list[4];
    char ids[4][24];
    cr_assert_leq (n, 4);
    for (size_t i = 0; i < n; i++) {
        campaign__account__init (&accounts[i]);
        snprintf (ids[i], sizeof ids[i], "A%zu", i + 1);
        accounts[i].account_id = ids[i];
        accounts[i].region = "emea";
        accounts[i].csm = "c1";
        list[i] = &accounts[i];
    }
    Campaign__ImportPortfolio import = CAMPAIGN__IMPORT_PORTFOLIO__INIT;
    import.accounts = list;
    import.n_accounts = n;
    err_t err;
    s_begin (fx);
    cr_assert_eq (store_replace_accounts (fx->store, &import, &err), 0, "%s", err.msg);
    s_commit (fx);
}

static void
s_import_people (s_fixture_t *fx)
{
    Campaign__Person people[3];
    Campaign__Person *list[3];
    static const char *const ids[] = {"c1", "ae1", "lead"};
    static const char *const roles[] = {"csm", "ae", "leadership"};
    for (size_t i = 0; i < 3; i++) {
        campaign__person__init (&people[i]);
        people[i].person_id = (char *)ids[i];
        people[i].role = (char *)roles[i];
        people[i].region = "emea";
        list[i] = &people[i];
    }
    Campaign__ImportRoster import = CAMPAIGN__IMPORT_ROSTER__INIT;
    import.people = list;
    import.n_people = 3;
    err_t err;
    s_begin (fx);
    cr_assert_eq (store_replace_people (fx->store, &import, &err), 0, "%s", err.msg);
    s_commit (fx);
}

static void
s_set_targets (s_fixture_t *fx, double arr_goal, uint32_t deals, double investment)
{
    Campaign__Targets targets = CAMPAIGN__TARGETS__INIT;
    targets.has_arr_goal = 1;
    targets.arr_goal = arr_goal;
    targets.has_conversion = 1;
    targets.conversion = 0.25;
    targets.has_deals = 1;
    targets.deals = deals;
    targets.has_investment = 1;
    targets.investment = investment;
    size_t size = campaign__targets__get_packed_size (&targets);
    uint8_t *data = malloc (size ? size : 1);
    cr_assert_not_null (data);
    campaign__targets__pack (&targets, data);
    err_t err;
    s_begin (fx);
    cr_assert_eq (store_meta_set_blob (fx->store, "targets", data, size, &err), 0, "%s",
                  err.msg);
    s_commit (fx);
    free (data);
}

static void
s_put_opportunity (s_fixture_t *fx, const char *id, uint32_t tier, bool qualified)
{
    Campaign__Opportunity opportunity = CAMPAIGN__OPPORTUNITY__INIT;
    opportunity.opportunity_id = (char *)id;
    opportunity.account_id = "A1";
    opportunity.type = "seat";
    opportunity.has_potential_arr = 1;
    opportunity.potential_arr = 40000;
    opportunity.has_tier = 1;
    opportunity.tier = tier;
    opportunity.has_qualified = 1;
    opportunity.qualified = qualified;
    opportunity.stage = qualified ? "qualified" : "identified";
    err_t err;
    s_begin (fx);
    cr_assert_eq (store_opportunity_put (fx->store, &opportunity, NULL, 0, &err), 0, "%s",
                  err.msg);
    s_commit (fx);
}

static int64_t
s_task (s_fixture_t *fx, const char *name)
{
    int64_t id = 0;
    err_t err;
    s_begin (fx);
    cr_assert_eq (store_task_insert (fx->store, "customer-health-scorer", name, NULL, 0, false,
                                     1700000000000, "2026-10-05", &id, &err),
                  0, "%s", err.msg);
    s_commit (fx);
    return id;
}

static void
s_finish (s_fixture_t *fx, int64_t id, const char *state)
{
    err_t err;
    s_begin (fx);
    cr_assert_eq (store_task_finish (fx->store, id, state, 1, NULL, 0, "finished",
                                     strcmp (state, "dead") == 0 ? "gave up" : NULL,
                                     "customer-health-scorer/1", 1700000001000, &err),
                  0, "%s", err.msg);
    s_commit (fx);
}

static void
s_fact (s_fixture_t *fx, const char *name, const char *text, double number)
{
    err_t err;
    s_begin (fx);
    cr_assert_eq (store_fact_set (fx->store, name, text, number, "7", 1700000000000, &err), 0,
                  "%s", err.msg);
    s_commit (fx);
}

/* -------------------------------------------------------------------------- */

Test (gate, criterion_known)
{
    static const char *const known[] = {"portfolio_loaded",
                                        "roster_loaded",
                                        "history_loaded",
                                        "targets_set",
                                        "investment_set",
                                        "qualified_opportunity",
                                        "tier1_opportunity",
                                        "tasks_done:health.portfolio",
                                        "tasks_done:x",
                                        "fact:segment.target",
                                        "fact:x",
                                        NULL};
    for (int i = 0; known[i]; i++)
        cr_assert (gate_criterion_known (known[i]), "%s", known[i]);
    static const char *const unknown[] = {"",
                                          "portfolio",
                                          "Portfolio_loaded",
                                          "portfolio_loaded ",
                                          " portfolio_loaded",
                                          "portfolio_loadedd",
                                          "tier2_opportunity",
                                          "tasks_done",
                                          "tasks_done:",
                                          "tasks-done:x",
                                          "fact",
                                          "fact:",
                                          "facts:x",
                                          "task_done:x",
                                          NULL};
    for (int i = 0; unknown[i]; i++)
        cr_assert_not (gate_criterion_known (unknown[i]), "'%s'", unknown[i]);
    cr_assert_not (gate_criterion_known (NULL));
}

Test (gate, unknown_criterion_is_an_error)
{
    s_fixture_t fx;
    s_setup (&fx);
    bool met = true;
    char detail[64] = "";
    err_t err;
    err_clear (&err);
    cr_assert_eq (
        gate_evaluate (fx.store, "portfolio_loadedd", &met, detail, sizeof detail, &err),
        ERR_INVALID);
    cr_assert_not_null (strstr (err.msg, "'portfolio_loadedd'"), "%s", err.msg);
    s_teardown (&fx);
}

Test (gate, imports_loaded)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_expect (&fx, "portfolio_loaded", false, "0 accounts");
    s_expect (&fx, "roster_loaded", false, "0 people");
    s_expect (&fx, "history_loaded", false, "0 history records");

    s_import_accounts (&fx, 3);
    s_expect (&fx, "portfolio_loaded", true, "3 accounts");
    s_expect (&fx, "roster_loaded", false, "0 people");
    s_import_people (&fx);
    s_expect (&fx, "roster_loaded", true, "3 people");

    Campaign__HistoryRecord record = CAMPAIGN__HISTORY_RECORD__INIT;
    record.account_id = "A1";
    record.outcome = "won";
    Campaign__HistoryRecord *records[] = {&record, &record};
    Campaign__ImportHistory history = CAMPAIGN__IMPORT_HISTORY__INIT;
    history.records = records;
    history.n_records = 2;
    err_t err;
    s_begin (&fx);
    cr_assert_eq (store_replace_history (fx.store, &history, &err), 0, "%s", err.msg);
    s_commit (&fx);
    s_expect (&fx, "history_loaded", true, "2 history records");

    /*  A later import replaces the set: an empty portfolio unmeets the gate again. */
    s_import_accounts (&fx, 0);
    s_expect (&fx, "portfolio_loaded", false, "0 accounts");
    s_teardown (&fx);
}

Test (gate, targets_and_investment)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *missing = "leadership has not set targets (campaign-submit targets)";
    s_expect (&fx, "targets_set", false, missing);
    s_expect (&fx, "investment_set", false, missing);

    s_set_targets (&fx, 2000000, 40, 0);
    s_expect (&fx, "targets_set", true, "ARR goal $2000000, 40 deals");
    s_expect (&fx, "investment_set", false, "investment $0");

    s_set_targets (&fx, 2500000, 45, 250000);
    s_expect (&fx, "targets_set", true, "ARR goal $2500000, 45 deals");
    s_expect (&fx, "investment_set", true, "investment $250000");
    s_teardown (&fx);
}

Test (gate, unreadable_targets_are_a_storage_error)
{
    s_fixture_t fx;
    s_setup (&fx);
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0xff};
    err_t err;
    s_begin (&fx);
    cr_assert_eq (store_meta_set_blob (fx.store, "targets", junk, sizeof junk, &err), 0);
    s_commit (&fx);
    bool met = true;
    char detail[64];
    err_clear (&err);
    cr_assert_eq (gate_evaluate (fx.store, "targets_set", &met, detail, sizeof detail, &err),
                  ERR_STORAGE);
    cr_assert_not_null (strstr (err.msg, "targets"), "%s", err.msg);
    s_teardown (&fx);
}

Test (gate, opportunities)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_import_accounts (&fx, 1);
    s_expect (&fx, "qualified_opportunity", false, "0 qualified opportunities");
    s_expect (&fx, "tier1_opportunity", false, "0 Tier 1 opportunities");

    s_put_opportunity (&fx, "O1", 2, false);
    s_expect (&fx, "qualified_opportunity", false, "0 qualified opportunities");
    s_expect (&fx, "tier1_opportunity", false, "0 Tier 1 opportunities");

    s_put_opportunity (&fx, "O2", 2, true);
    s_expect (&fx, "qualified_opportunity", true, "1 qualified opportunities");
    s_expect (&fx, "tier1_opportunity", false, "0 Tier 1 opportunities");

    s_put_opportunity (&fx, "O3", 1, true);
    s_put_opportunity (&fx, "O4", 1, true);
    s_expect (&fx, "qualified_opportunity", true, "3 qualified opportunities");
    s_expect (&fx, "tier1_opportunity", true, "2 Tier 1 opportunities");

    /*  Re-putting one record updates it, it does not count twice. */
    s_put_opportunity (&fx, "O4", 3, true);
    s_expect (&fx, "tier1_opportunity", true, "1 Tier 1 opportunities");
    s_teardown (&fx);
}

Test (gate, tasks_done)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_expect (&fx, "tasks_done:health.portfolio", false,
              "no 'health.portfolio' task has run yet");

    int64_t a = s_task (&fx, "health.portfolio");
    int64_t b = s_task (&fx, "health.portfolio");
    int64_t c = s_task (&fx, "health.portfolio");
    s_task (&fx, "identifier.portfolio_scan"); /* another name does not count */
    s_expect (&fx, "tasks_done:health.portfolio", false,
              "0 of 3 'health.portfolio' tasks done");
    s_finish (&fx, a, "done");
    s_finish (&fx, b, "done");
    s_expect (&fx, "tasks_done:health.portfolio", false,
              "2 of 3 'health.portfolio' tasks done");
    s_finish (&fx, c, "done");
    s_expect (&fx, "tasks_done:health.portfolio", true, "3 of 3 'health.portfolio' tasks done");
    s_expect (&fx, "tasks_done:identifier.portfolio_scan", false,
              "0 of 1 'identifier.portfolio_scan' tasks done");
    s_expect (&fx, "tasks_done:health", false, "no 'health' task has run yet");
    s_teardown (&fx);
}

Test (gate, tasks_done_with_a_dead_task)
{
    s_fixture_t fx;
    s_setup (&fx);
    int64_t a = s_task (&fx, "identifier.qualification");
    int64_t b = s_task (&fx, "identifier.qualification");
    s_finish (&fx, a, "done");
    s_finish (&fx, b, "dead");
    s_expect (&fx, "tasks_done:identifier.qualification", false,
              "1 of 2 'identifier.qualification' tasks done, 1 dead (re-run)");
    /*  A re-run that succeeds does not erase the dead one: the gate stays unmet. */
    int64_t c = s_task (&fx, "identifier.qualification");
    s_finish (&fx, c, "done");
    s_expect (&fx, "tasks_done:identifier.qualification", false,
              "2 of 3 'identifier.qualification' tasks done, 1 dead (re-run)");
    s_teardown (&fx);
}

Test (gate, facts)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_expect (&fx, "fact:segment.target", false, "no fact 'segment.target' yet");

    s_fact (&fx, "segment.target", NULL, 0);
    s_expect (&fx, "fact:segment.target", false, "segment.target = 0");
    s_fact (&fx, "segment.target", "", 0);
    s_expect (&fx, "fact:segment.target", false, "segment.target = 0");
    s_fact (&fx, "segment.target", "healthy mid-market", 0);
    s_expect (&fx, "fact:segment.target", true, "segment.target = healthy mid-market");
    s_fact (&fx, "segment.size", NULL, 128);
    s_expect (&fx, "fact:segment.size", true, "segment.size = 128");
    s_fact (&fx, "segment.size", NULL, -2.5);
    s_expect (&fx, "fact:segment.size", true, "segment.size = -2.5");
    s_expect (&fx, "fact:segment", false, "no fact 'segment' yet");
    s_teardown (&fx);
}

Test (gate, detail_is_truncated_not_overrun)
{
    s_fixture_t fx;
    s_setup (&fx);
    char detail[8];
    memset (detail, 'x', sizeof detail);
    bool met = true;
    err_t err;
    cr_assert_eq (gate_evaluate (fx.store, "fact:segment.target", &met, detail, 6, &err), 0);
    cr_assert_not (met);
    cr_assert_str_eq (detail, "no fa");
    cr_assert_eq (detail[6], 'x');
    s_teardown (&fx);
}
