/*  pipeline_test.c: opportunities, stages, outcomes (broker/pipeline.h) and the handoffs
    they trigger (broker/handoff.h), through a turn_t built by hand.

    The turn holds a real store in a temp dir, the plan of the bundled
    config/campaign.cfg, a simulated calendar and an emit callback that records every
    status event. Proves that an agent's opportunity is stored with the stage and dates
    the broker sets and that a re-score keeps what people own (stage, outcome, AE); that
    the sales handoff goes to qualified opportunities over the threshold or marked
    complex, once, with an AE of the account's region (then the least loaded) and the
    configured credit split; that Tier 3 goes to nurture, a win to a case study and each
    feature request of a note to product, once; that impossible stage moves and outcomes
    are refused with messages that say why; and who may acknowledge which handoff.
*/
#include "pipeline.h"

#include "handoff.h"
#include "log.h"
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (pipeline);

#define BUNDLED    CAMPAIGN_SOURCE_DIR "/config/campaign.cfg"
#define MAX_EVENTS 32

typedef struct {
    char topic[32];
    char summary[640];
    char handoff_id[16];
    char kind[32];
    char ae[32];
    char opportunity_id[32];
    char acked_by[32];
    bool has_split;
    double split;
    int64_t open; /* the team's open count the event carries */
} s_event_t;

typedef struct {
    char *dir;
    char *path;
    store_t *store;
    conf_t *conf;
    zhashx_t *kinds;
    plan_t *plan;
    calendar_t *calendar;
    char today_text[DATE_TEXT_MAX];
    turn_t turn;
    s_event_t events[MAX_EVENTS];
    size_t n_events;
} s_fixture_t;

static void
s_copy (char *to, size_t size, const char *from)
{
    snprintf (to, size, "%s", from ? from : "");
}

static void
s_record (void *arg, const char *topic, Campaign__StatusEvent *event)
{
    s_fixture_t *fx = arg;
    cr_assert_lt (fx->n_events, MAX_EVENTS, "too many events");
    s_event_t *e = &fx->events[fx->n_events++];
    memset (e, 0, sizeof *e);
    s_copy (e->topic, sizeof e->topic, topic);
    s_copy (e->summary, sizeof e->summary, event->summary);
    if (event->handoff) {
        s_copy (e->handoff_id, sizeof e->handoff_id, event->handoff->handoff_id);
        s_copy (e->kind, sizeof e->kind, event->handoff->kind);
        s_copy (e->ae, sizeof e->ae, event->handoff->ae);
        s_copy (e->opportunity_id, sizeof e->opportunity_id, event->handoff->opportunity_id);
        s_copy (e->acked_by, sizeof e->acked_by, event->handoff->acked_by);
        e->has_split = event->handoff->has_credit_split;
        e->split = event->handoff->credit_split;
    }
    e->open =
        event->handoffs && event->handoffs->has_count ? (int64_t)event->handoffs->count : -1;
}

static void
s_set_today (s_fixture_t *fx, int32_t day)
{
    fx->turn.today = day;
    date_format (day, fx->today_text);
}

static void
s_begin (s_fixture_t *fx)
{
    err_t err;
    cr_assert_eq (store_begin (fx->store, &err), 0, "%s", err.msg);
}

/*  Commit what rc says succeeded, roll back the rest (as the broker's savepoints do). */
static int
s_end (s_fixture_t *fx, int rc)
{
    err_t err;
    if (rc == 0)
        cr_assert_eq (store_commit (fx->store, &err), 0, "%s", err.msg);
    else
        store_rollback (fx->store);
    return rc;
}

static void
s_import (s_fixture_t *fx)
{
    static const struct {
        const char *id, *region, *csm;
    } accounts[] = {{"A1", "emea", "c1"}, {"A2", "americas", "c2"}, {"A3", "apac", "c1"}};
    Campaign__Account account[3];
    Campaign__Account *account_list[3];
    for (size_t i = 0; i < 3; i++) {
        campaign__account__init (&account[i]);
        account[i].account_id = (char *)accounts[i].id;
        account[i].region = (char *)accounts[i].region;
        account[i].csm = (char *)accounts[i].csm;
        account_list[i] = &account[i];
    }
    Campaign__ImportPortfolio portfolio = CAMPAIGN__IMPORT_PORTFOLIO__INIT;
    portfolio.accounts = account_list;
    portfolio.n_accounts = 3;

    static const struct {
        const char *id, *role, *region;
    } people[] = {{"c1", "csm", "emea"},          {"c2", "csm", "americas"},
                  {"ae-am", "ae", "americas"},    {"ae-emea", "ae", "emea"},
                  {"lead", "leadership", "emea"}, {"mk", "marketing", "emea"},
                  {"pd", "product", "emea"}};
    size_t n_people = sizeof people / sizeof people[0];
    Campaign__Person person[8];
    Campaign__Person *person_list[8];
    for (size_t i = 0; i < n_people; i++) {
        campaign__person__init (&person[i]);
        person[i].person_id = (char *)people[i].id;
        person[i].role = (char *)people[i].role;
        person[i].region = (char *)people[i].region;
        person_list[i] = &person[i];
    }
    Campaign__ImportRoster roster = CAMPAIGN__IMPORT_ROSTER__INIT;
    roster.people = person_list;
    roster.n_people = n_people;

    err_t err;
    s_begin (fx);
    cr_assert_eq (store_replace_accounts (fx->store, &portfolio, &err), 0, "%s", err.msg);
    cr_assert_eq (store_replace_people (fx->store, &roster, &err), 0, "%s", err.msg);
    s_end (fx, 0);
}

/*  Keep only the people whose role is not `drop` (to take the AEs off the roster). */
static void
s_roster_without (s_fixture_t *fx, const char *drop)
{
    static const struct {
        const char *id, *role, *region;
    } people[] = {
        {"c1", "csm", "emea"}, {"ae-emea", "ae", "emea"}, {"lead", "leadership", "emea"}};
    Campaign__Person person[3];
    Campaign__Person *list[3];
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        if (strcmp (people[i].role, drop) == 0)
            continue;
        campaign__person__init (&person[n]);
        person[n].person_id = (char *)people[i].id;
        person[n].role = (char *)people[i].role;
        person[n].region = (char *)people[i].region;
        list[n] = &person[n];
        n++;
    }
    Campaign__ImportRoster roster = CAMPAIGN__IMPORT_ROSTER__INIT;
    roster.people = list;
    roster.n_people = n;
    err_t err;
    s_begin (fx);
    cr_assert_eq (store_replace_people (fx->store, &roster, &err), 0, "%s", err.msg);
    s_end (fx, 0);
}

static void
s_setup (s_fixture_t *fx)
{
    memset (fx, 0, sizeof *fx);
    log_set_level (LOG_LEVEL_WARN); /* the handoff lines are asserted on, not read */
    fx->dir = ts_tempdir ();
    cr_assert_not_null (fx->dir);
    cr_assert_gt (asprintf (&fx->path, "%s/campaign.db", fx->dir), 0);
    err_t err;
    err_clear (&err);
    cr_assert_eq (store_open (fx->path, &fx->store, &err), 0, "%s", err.msg);

    fx->conf = conf_new ();
    cr_assert_not_null (fx->conf);
    cr_assert_eq (conf_load_file (fx->conf, BUNDLED, &err), 0, "%s", err.msg);
    fx->kinds = zhashx_new ();
    config_setting_t *kinds = conf_lookup (fx->conf, "agents.kinds");
    cr_assert_not_null (kinds);
    for (int i = 0; i < config_setting_length (kinds); i++)
        zhashx_insert (fx->kinds, config_setting_get_string_elem (kinds, i), (void *)1);
    cr_assert_eq (plan_load (fx->conf, 12, fx->kinds, &fx->plan, &err), 0, "%s", err.msg);

    int32_t start;
    cr_assert_eq (date_parse ("2026-10-05", &start), 0);
    fx->calendar = calendar_new (start, 12, CALENDAR_SIMULATED);
    cr_assert_not_null (fx->calendar);

    fx->turn = (turn_t){
        .store = fx->store,
        .plan = fx->plan,
        .calendar = fx->calendar,
        .agent_kinds = fx->kinds,
        .now_ms = 1790000000000,
        .today_text = fx->today_text,
        .emit = s_record,
        .emit_arg = fx,
    };
    /*  Tuesday of week 4: qualification and outreach. */
    s_set_today (fx, calendar_week_start (fx->calendar, 4) + 1);
    cr_assert_str_eq (fx->today_text, "2026-10-27");
    s_import (fx);
}

static void
s_teardown (s_fixture_t *fx)
{
    calendar_destroy (&fx->calendar);
    plan_destroy (&fx->plan);
    conf_destroy (&fx->conf);
    zhashx_destroy (&fx->kinds);
    store_destroy (&fx->store);
    free (fx->path);
    ts_tempdir_remove (&fx->dir);
}

/*  An opportunity as an agent sends it (strings are the caller's). */
static Campaign__Opportunity
s_opportunity (const char *id, const char *account, double potential, uint32_t tier,
               bool qualified, bool complex)
{
    Campaign__Opportunity o = CAMPAIGN__OPPORTUNITY__INIT;
    o.opportunity_id = (char *)id;
    o.account_id = (char *)account;
    o.type = "seat";
    o.has_potential_arr = 1;
    o.potential_arr = potential;
    o.has_propensity = 1;
    o.propensity = 72;
    o.has_tier = 1;
    o.tier = tier;
    o.has_qualified = 1;
    o.qualified = qualified;
    o.has_complex = 1;
    o.complex = complex;
    o.csm = "c1";
    return o;
}

static int
s_agent (s_fixture_t *fx, const Campaign__Opportunity *o, err_t *err)
{
    err_clear (err);
    s_begin (fx);
    return s_end (fx, pipeline_from_agent (&fx->turn, o, err));
}

static void
s_agent_ok (s_fixture_t *fx, const Campaign__Opportunity *o)
{
    err_t err;
    cr_assert_eq (s_agent (fx, o, &err), 0, "%s: %s", o->opportunity_id, err.msg);
}

static Campaign__Opportunity *
s_get (s_fixture_t *fx, const char *id)
{
    Campaign__Opportunity *o = NULL;
    err_t err;
    cr_assert_eq (store_opportunity_get (fx->store, id, &o, &err), 0, "%s", err.msg);
    return o;
}

static int
s_stage (s_fixture_t *fx, const char *id, const char *stage, char *detail, size_t size,
         err_t *err)
{
    Campaign__StageChange change = CAMPAIGN__STAGE_CHANGE__INIT;
    change.opportunity_id = (char *)id;
    change.stage = (char *)stage;
    err_clear (err);
    s_begin (fx);
    return s_end (fx, pipeline_stage (&fx->turn, &change, detail, size, err));
}

static int
s_outcome (s_fixture_t *fx, const char *id, bool won, double amount, const char *date,
           const char *reason, char *detail, size_t size, err_t *err)
{
    Campaign__Outcome outcome = CAMPAIGN__OUTCOME__INIT;
    outcome.opportunity_id = (char *)id;
    outcome.has_won = 1;
    outcome.won = won;
    outcome.has_amount = won;
    outcome.amount = won ? amount : 0;
    outcome.date = (char *)date;
    outcome.reason = (char *)reason;
    err_clear (err);
    s_begin (fx);
    return s_end (fx, pipeline_outcome (&fx->turn, &outcome, detail, size, err));
}

static int
s_note (s_fixture_t *fx, const char *account, const char *const *requests, size_t n, err_t *err)
{
    Campaign__Note note = CAMPAIGN__NOTE__INIT;
    note.account_id = (char *)account;
    note.text = "discovery call";
    note.feature_requests = (char **)requests;
    note.n_feature_requests = n;
    err_clear (err);
    s_begin (fx);
    return s_end (fx, handoff_after_note (&fx->turn, &note, err));
}

static int
s_ack (s_fixture_t *fx, const char *id, const char *person, char *detail, size_t size,
       err_t *err)
{
    err_clear (err);
    s_begin (fx);
    return s_end (fx, handoff_ack (&fx->turn, id, person, detail, size, err));
}

/*  How many recorded events have this topic. */
static size_t
s_count (s_fixture_t *fx, const char *topic)
{
    size_t n = 0;
    for (size_t i = 0; i < fx->n_events; i++)
        n += strcmp (fx->events[i].topic, topic) == 0;
    return n;
}

static const s_event_t *
s_last (s_fixture_t *fx)
{
    cr_assert_gt (fx->n_events, 0, "no event");
    return &fx->events[fx->n_events - 1];
}

static int64_t
s_handoff_rows (s_fixture_t *fx)
{
    int64_t n = -1;
    err_t err;
    cr_assert_eq (store_count_rows (fx->store, "handoffs", &n, &err), 0, "%s", err.msg);
    return n;
}

/*  Expect err to be code with every fragment in its message. */
static void
s_expect_refused (int rc, const err_t *err, int code, const char *const *fragments)
{
    cr_assert_eq (rc, code, "rc %d (%s), expected %d", rc, err->msg, code);
    for (int i = 0; fragments[i]; i++)
        cr_assert_not_null (strstr (err->msg, fragments[i]), "message says '%s': %s",
                            fragments[i], err->msg);
}

#define WORDS(...)                                                                             \
    (const char *const[])                                                                      \
    {                                                                                          \
        __VA_ARGS__, NULL                                                                      \
    }

/* --------------------------------------------------------------------------
   Opportunities from agents */

Test (pipeline, new_opportunity_is_stored_with_broker_stage_and_dates)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o1 = s_opportunity ("O1", "A1", 30000, 2, false, false);
    o1.stage = "negotiation"; /* an agent does not set the stage */
    o1.opened = "2026-01-01";
    s_agent_ok (&fx, &o1);
    Campaign__Opportunity o2 = s_opportunity ("O2", "A2", 20000, 2, true, false);
    s_agent_ok (&fx, &o2);

    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "identified");
    cr_assert_str_eq (got->opened, "2026-10-27");
    cr_assert_str_eq (got->stage_changed, "2026-10-27");
    cr_assert_str_eq (got->account_id, "A1");
    cr_assert_float_eq (got->potential_arr, 30000, 1e-9);
    cr_assert_float_eq (got->propensity, 72, 1e-9);
    cr_assert_not (got->has_amount);
    campaign__opportunity__free_unpacked (got, NULL);
    got = s_get (&fx, "O2");
    cr_assert_str_eq (got->stage, "qualified");
    cr_assert_str_eq (got->opened, "2026-10-27");
    campaign__opportunity__free_unpacked (got, NULL);
    cr_assert_eq (fx.n_events, 0, "small, tier 2: no handoff (%s)",
                  fx.n_events ? fx.events[0].topic : "");
    s_teardown (&fx);
}

static void
s_stage_total (void *arg, const char *stage, int64_t count, double arr)
{
    (void)arr;
    if (strcmp (stage, "identified") == 0)
        *(int64_t *)arg = count;
}

/*  An outcome is people's: a new opportunity keeps none of the outcome fields an agent
    sent. A stored row without a stage (written by an older tool) merges as the
    "identified" it is counted as, and the per-stage count stays right. */
Test (pipeline, agents_set_no_outcome_and_a_stageless_row_merges)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 30000, 2, false, false);
    o.closed = "2026-10-20";
    o.reason = "agent says so";
    o.closed_from = "proposal";
    o.has_amount = 1;
    o.amount = 99999;
    s_agent_ok (&fx, &o);
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_expect_str_eq (got->stage, "identified");
    cr_expect_null (got->closed);
    cr_expect_null (got->reason);
    cr_expect_null (got->closed_from);
    cr_expect_not (got->has_amount);
    campaign__opportunity__free_unpacked (got, NULL);

    err_t err;
    Campaign__Opportunity bare = s_opportunity ("O2", "A2", 10000, 2, false, false);
    s_begin (&fx);
    cr_assert_eq (store_opportunity_put (fx.store, &bare, NULL, 0, &err), 0, "%s", err.msg);
    s_end (&fx, 0);
    int64_t identified = 0;
    cr_assert_eq (store_pipeline (fx.store, s_stage_total, &identified, &err), 0);
    cr_expect_eq (identified, 2, "the stageless row counts as identified");
    Campaign__Opportunity qualified = s_opportunity ("O2", "A2", 12000, 1, true, false);
    s_agent_ok (&fx, &qualified);
    got = s_get (&fx, "O2");
    cr_expect_str_eq (got->stage, "qualified");
    campaign__opportunity__free_unpacked (got, NULL);
    identified = 0;
    cr_assert_eq (store_pipeline (fx.store, s_stage_total, &identified, &err), 0);
    cr_expect_eq (identified, 1, "and leaves identified when it moves on");
    s_teardown (&fx);
}

Test (pipeline, malformed_opportunities_are_refused)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    Campaign__Opportunity o = s_opportunity ("", "A1", 1000, 2, false, false);
    s_expect_refused (s_agent (&fx, &o, &err), &err, ERR_INVALID, WORDS ("valid id"));
    o = s_opportunity ("O9", "A404", 1000, 2, false, false);
    s_expect_refused (s_agent (&fx, &o, &err), &err, ERR_INVALID,
                      WORDS ("O9", "'A404'", "not in the portfolio"));
    o = s_opportunity ("O9", "A1", 1000, 2, false, false);
    o.type = "upsell";
    s_expect_refused (s_agent (&fx, &o, &err), &err, ERR_INVALID, WORDS ("'upsell'"));
    o = s_opportunity ("O9", "A1", -5, 2, false, false);
    s_expect_refused (s_agent (&fx, &o, &err), &err, ERR_INVALID, WORDS ("O9"));
    o = s_opportunity ("O9", "A1", 1000, 4, false, false);
    s_expect_refused (s_agent (&fx, &o, &err), &err, ERR_INVALID, WORDS ("tier"));
    o = s_opportunity ("O9", "A1", 1000, 2, false, false);
    o.propensity = 100.5;
    s_expect_refused (s_agent (&fx, &o, &err), &err, ERR_INVALID, WORDS ("propensity"));
    int64_t count = -1;
    cr_assert_eq (store_opportunity_count (fx.store, 0, false, &count, &err), 0);
    cr_assert_eq (count, 0, "nothing stored");
    s_teardown (&fx);
}

Test (pipeline, rescoring_keeps_stage_outcome_and_ae)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 1, true, false);
    s_agent_ok (&fx, &o);
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_str_eq (got->ae, "ae-emea");
    campaign__opportunity__free_unpacked (got, NULL);

    /*  A week later a person moves it to demo. */
    s_set_today (&fx, fx.turn.today + 7);
    char detail[256];
    err_t err;
    cr_assert_eq (s_stage (&fx, "O1", "demo", detail, sizeof detail, &err), 0, "%s", err.msg);
    cr_assert_str_eq (detail, "O1 moved from qualified to demo");

    /*  The next day the agent re-scores it: scores change, what people own does not. */
    s_set_today (&fx, fx.turn.today + 1);
    o.potential_arr = 65000;
    o.propensity = 81;
    o.stage = "qualified";
    s_agent_ok (&fx, &o);
    got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "demo");
    cr_assert_str_eq (got->opened, "2026-10-27");
    cr_assert_str_eq (got->stage_changed, "2026-11-03");
    cr_assert_str_eq (got->ae, "ae-emea");
    cr_assert_float_eq (got->potential_arr, 65000, 1e-9);
    cr_assert_float_eq (got->propensity, 81, 1e-9);
    campaign__opportunity__free_unpacked (got, NULL);

    /*  Won; a later re-score keeps the outcome. */
    cr_assert_eq (
        s_outcome (&fx, "O1", true, 70000, NULL, "exec sponsor", detail, sizeof detail, &err),
        0, "%s", err.msg);
    s_set_today (&fx, fx.turn.today + 3);
    o.propensity = 50;
    s_agent_ok (&fx, &o);
    got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "closed-won");
    cr_assert (got->has_amount);
    cr_assert_float_eq (got->amount, 70000, 1e-9);
    cr_assert_str_eq (got->closed, "2026-11-04");
    cr_assert_str_eq (got->reason, "exec sponsor");
    cr_assert_str_eq (got->ae, "ae-emea");
    cr_assert_float_eq (got->propensity, 50, 1e-9);
    campaign__opportunity__free_unpacked (got, NULL);
    cr_assert_eq (s_count (&fx, "handoff.sales"), 1);
    s_teardown (&fx);
}

Test (pipeline, qualification_moves_identified_to_qualified)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 20000, 2, false, false);
    s_agent_ok (&fx, &o);
    s_set_today (&fx, fx.turn.today + 2);
    o.qualified = true;
    s_agent_ok (&fx, &o);
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "qualified");
    cr_assert_str_eq (got->opened, "2026-10-27");
    cr_assert_str_eq (got->stage_changed, "2026-10-29");
    campaign__opportunity__free_unpacked (got, NULL);
    s_teardown (&fx);
}

/* --------------------------------------------------------------------------
   Sales handoff */

Test (pipeline, sales_handoff_when_a_big_opportunity_qualifies)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 2, false, false);
    s_agent_ok (&fx, &o);
    cr_assert_eq (fx.n_events, 0, "not qualified yet");
    o.qualified = true;
    s_agent_ok (&fx, &o);
    cr_assert_eq (s_count (&fx, "handoff.sales"), 1);
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "qualified");
    cr_assert_str_eq (got->ae, "ae-emea");
    campaign__opportunity__free_unpacked (got, NULL);
    s_teardown (&fx);
}

/*  A closed deal re-scored by an agent triggers no handoff. */
Test (pipeline, closed_opportunity_rescored_triggers_nothing)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 20000, 2, true, false);
    s_agent_ok (&fx, &o);
    char detail[256];
    err_t err;
    cr_assert_eq (
        s_outcome (&fx, "O1", false, 0, NULL, "no budget", detail, sizeof detail, &err), 0,
        "%s", err.msg);
    o.potential_arr = 90000;
    o.tier = 3;
    s_agent_ok (&fx, &o);
    cr_assert_eq (fx.n_events, 0, "first: %s", fx.n_events ? fx.events[0].summary : "");
    s_teardown (&fx);
}

Test (pipeline, big_qualified_opportunity_gets_an_ae_of_its_region)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 2, true, false);
    s_agent_ok (&fx, &o);
    cr_assert_eq (fx.n_events, 1);
    const s_event_t *e = s_last (&fx);
    cr_assert_str_eq (e->topic, "handoff.sales");
    cr_assert_str_eq (e->kind, "ae-attached");
    cr_assert_str_eq (e->ae, "ae-emea", "A1 is in emea: %s", e->ae);
    cr_assert_str_eq (e->opportunity_id, "O1");
    cr_assert (e->has_split);
    cr_assert_float_eq (e->split, 0.5, 1e-9);
    cr_assert_eq (e->open, 1);
    cr_assert_not_null (strstr (e->summary, "50/50"), "%s", e->summary);

    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_str_eq (got->ae, "ae-emea");
    campaign__opportunity__free_unpacked (got, NULL);
    Campaign__Handoff *h = NULL;
    err_t err;
    cr_assert_eq (store_handoff_get (fx.store, e->handoff_id, &h, &err), 0, "%s", err.msg);
    cr_assert_str_eq (h->team, "sales");
    cr_assert_str_eq (h->ae, "ae-emea");
    cr_assert_str_eq (h->account_id, "A1");
    cr_assert_str_eq (h->created, "2026-10-27");
    cr_assert (h->has_credit_split);
    cr_assert_float_eq (h->credit_split, 0.5, 1e-9);
    campaign__handoff__free_unpacked (h, NULL);

    /*  An americas account gets the americas AE. */
    o = s_opportunity ("O2", "A2", 90000, 1, true, false);
    s_agent_ok (&fx, &o);
    cr_assert_eq (s_count (&fx, "handoff.sales"), 2);
    cr_assert_str_eq (s_last (&fx)->ae, "ae-am");
    cr_assert_eq (s_last (&fx)->open, 2);
    s_teardown (&fx);
}

Test (pipeline, ae_outside_the_region_is_the_least_loaded)
{
    s_fixture_t fx;
    s_setup (&fx);
    /*  A3 is in apac, where no AE works: the one with fewer handoffs gets it. */
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 2, true, false);
    s_agent_ok (&fx, &o); /* ae-emea: 1 */
    o = s_opportunity ("O2", "A3", 60000, 2, true, false);
    s_agent_ok (&fx, &o);
    cr_assert_str_eq (s_last (&fx)->ae, "ae-am");
    o = s_opportunity ("O3", "A3", 60000, 2, true, false);
    s_agent_ok (&fx, &o); /* 1 each: by id */
    cr_assert_str_eq (s_last (&fx)->ae, "ae-am");
    o = s_opportunity ("O4", "A3", 60000, 2, true, false);
    s_agent_ok (&fx, &o);
    cr_assert_str_eq (s_last (&fx)->ae, "ae-emea");
    s_teardown (&fx);
}

Test (pipeline, no_sales_handoff_under_the_threshold)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 49999, 2, true, false);
    s_agent_ok (&fx, &o);
    o = s_opportunity ("O2", "A1", 50000, 2, true, false); /* over, not at */
    s_agent_ok (&fx, &o);
    o = s_opportunity ("O3", "A1", 200000, 2, false, false); /* not qualified */
    s_agent_ok (&fx, &o);
    cr_assert_eq (fx.n_events, 0, "first event: %s", fx.n_events ? fx.events[0].summary : "");
    cr_assert_eq (s_handoff_rows (&fx), 0);
    Campaign__Opportunity *got = s_get (&fx, "O2");
    cr_assert (!got->ae || !*got->ae, "no AE: %s", got->ae);
    campaign__opportunity__free_unpacked (got, NULL);
    s_teardown (&fx);
}

Test (pipeline, complex_opportunity_under_the_threshold_gets_an_ae)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A2", 12000, 2, true, true);
    s_agent_ok (&fx, &o);
    cr_assert_eq (fx.n_events, 1);
    cr_assert_str_eq (s_last (&fx)->topic, "handoff.sales");
    cr_assert_str_eq (s_last (&fx)->ae, "ae-am");
    cr_assert_not_null (strstr (s_last (&fx)->summary, "complex"), "%s", s_last (&fx)->summary);
    s_teardown (&fx);
}

Test (pipeline, rescored_opportunity_gets_no_second_sales_handoff)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 2, true, false);
    s_agent_ok (&fx, &o);
    s_agent_ok (&fx, &o);
    o.potential_arr = 80000;
    o.complex = true;
    s_agent_ok (&fx, &o);
    cr_assert_eq (s_count (&fx, "handoff.sales"), 1);
    cr_assert_eq (s_handoff_rows (&fx), 1);
    s_teardown (&fx);
}

/*  With no AE on the roster the handoff is recorded unassigned; re-scores with a new
    potential must not open another one for the same opportunity. */
Test (pipeline, rescored_opportunity_without_ae_gets_no_second_sales_handoff)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_roster_without (&fx, "ae");
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 2, true, false);
    s_agent_ok (&fx, &o);
    cr_assert_eq (s_count (&fx, "handoff.sales"), 1);
    cr_assert_not_null (strstr (s_last (&fx)->summary, "no AE on the roster"), "%s",
                        s_last (&fx)->summary);
    s_agent_ok (&fx, &o);
    cr_assert_eq (s_count (&fx, "handoff.sales"), 1, "same scores: no second");
    o.potential_arr = 62000;
    s_agent_ok (&fx, &o);
    o.potential_arr = 64000;
    s_agent_ok (&fx, &o);
    size_t sales = s_count (&fx, "handoff.sales");
    int64_t rows = s_handoff_rows (&fx);
    s_teardown (&fx);
    cr_assert_eq (sales, 1, "%zu sales handoffs for O1 after 2 re-scores (%lld stored)", sales,
                  (long long)rows);
}

/*  The AE is the broker's to attach (pipeline.h: people own it); an agent's record
    that names one must not skip the sales handoff. */
Test (pipeline, agent_cannot_attach_an_ae)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 2, true, false);
    o.ae = "someone-else";
    s_agent_ok (&fx, &o);
    size_t sales = s_count (&fx, "handoff.sales");
    Campaign__Opportunity *got = s_get (&fx, "O1");
    char ae[64];
    s_copy (ae, sizeof ae, got->ae);
    campaign__opportunity__free_unpacked (got, NULL);
    s_teardown (&fx);
    cr_assert_eq (sales, 1, "the agent's ae skipped the sales handoff (%zu)", sales);
    cr_assert_str_eq (ae, "ae-emea");
}

Test (pipeline, tier3_goes_to_nurture)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 8000, 3, false, false);
    s_agent_ok (&fx, &o);
    cr_assert_eq (fx.n_events, 1);
    const s_event_t *e = s_last (&fx);
    cr_assert_str_eq (e->topic, "handoff.marketing");
    cr_assert_str_eq (e->kind, "nurture");
    cr_assert_str_eq (e->opportunity_id, "", "nurture is for the account");
    cr_assert_eq (e->open, 1);
    s_agent_ok (&fx, &o);
    cr_assert_eq (s_count (&fx, "handoff.marketing"), 1, "once");
    /*  Another Tier 3 opportunity of the same account: still one nurture handoff. */
    Campaign__Opportunity other = s_opportunity ("O3", "A1", 9000, 3, false, false);
    s_agent_ok (&fx, &other);
    cr_assert_eq (s_count (&fx, "handoff.marketing"), 1, "once per account");
    /*  Tier 2 does not. */
    o = s_opportunity ("O2", "A1", 8000, 2, false, false);
    s_agent_ok (&fx, &o);
    cr_assert_eq (fx.n_events, 1);
    s_teardown (&fx);
}

/* --------------------------------------------------------------------------
   Stage changes */

Test (pipeline, stage_moves_and_refusals)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 20000, 2, true, false);
    s_agent_ok (&fx, &o);
    char detail[256] = "";
    err_t err;

    s_set_today (&fx, fx.turn.today + 5);
    cr_assert_eq (s_stage (&fx, "O1", "discovery", detail, sizeof detail, &err), 0, "%s",
                  err.msg);
    cr_assert_str_eq (detail, "O1 moved from qualified to discovery");
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "discovery");
    cr_assert_str_eq (got->stage_changed, "2026-11-01");
    campaign__opportunity__free_unpacked (got, NULL);

    s_expect_refused (s_stage (&fx, "O1", "demonstration", detail, sizeof detail, &err), &err,
                      ERR_INVALID,
                      WORDS ("'demonstration'", "not a pipeline stage",
                             "identified|qualified|discovery|demo|trial|pilot|proposal|"
                             "negotiation|closed-won|closed-lost"));
    s_expect_refused (s_stage (&fx, "O1", "closed-won", detail, sizeof detail, &err), &err,
                      ERR_INVALID, WORDS ("outcome", "closed-won"));
    s_expect_refused (s_stage (&fx, "O1", "closed-lost", detail, sizeof detail, &err), &err,
                      ERR_INVALID, WORDS ("outcome"));
    s_expect_refused (s_stage (&fx, "O404", "demo", detail, sizeof detail, &err), &err,
                      ERR_NOTFOUND, WORDS ("stage: ", "'O404'"));
    s_expect_refused (s_stage (&fx, "O1", "discovery", detail, sizeof detail, &err), &err,
                      ERR_INVALID, WORDS ("O1", "already in discovery"));

    got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "discovery", "refusals change nothing");
    campaign__opportunity__free_unpacked (got, NULL);
    s_teardown (&fx);
}

Test (pipeline, closed_deal_does_not_move)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 20000, 2, true, false);
    s_agent_ok (&fx, &o);
    char detail[256];
    err_t err;
    cr_assert_eq (
        s_outcome (&fx, "O1", false, 0, NULL, "no budget", detail, sizeof detail, &err), 0,
        "%s", err.msg);
    s_expect_refused (s_stage (&fx, "O1", "proposal", detail, sizeof detail, &err), &err,
                      ERR_INVALID, WORDS ("O1", "closed-lost", "2026-10-27", "does not move"));
    s_teardown (&fx);
}

/* --------------------------------------------------------------------------
   Outcomes */

Test (pipeline, won_amount_over_the_ratio_is_refused)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 2, true, false);
    s_agent_ok (&fx, &o);
    size_t before = fx.n_events;
    char detail[256];
    err_t err;
    s_expect_refused (
        s_outcome (&fx, "O1", true, 300001, NULL, "typo", detail, sizeof detail, &err), &err,
        ERR_INVALID, WORDS ("$300001", "5x", "$60000", "max_amount_ratio"));
    cr_assert_eq (fx.n_events, before, "no case study for a refused win");
    /*  Exactly 5x is accepted. */
    cr_assert_eq (s_outcome (&fx, "O1", true, 300000, NULL, "big", detail, sizeof detail, &err),
                  0, "%s", err.msg);
    cr_assert_str_eq (detail, "O1 won, $300000");
    s_teardown (&fx);
}

Test (pipeline, outcome_dates)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 20000, 2, true, false);
    s_agent_ok (&fx, &o); /* opened 2026-10-27 */
    s_set_today (&fx, fx.turn.today + 10);
    char detail[256];
    err_t err;
    s_expect_refused (
        s_outcome (&fx, "O1", true, 20000, "2026-11-07", "early", detail, sizeof detail, &err),
        &err, ERR_INVALID, WORDS ("2026-11-07", "after", "2026-11-06"));
    s_expect_refused (
        s_outcome (&fx, "O1", true, 20000, "2026-10-26", "late", detail, sizeof detail, &err),
        &err, ERR_INVALID, WORDS ("2026-10-26", "before", "O1", "2026-10-27"));
    s_expect_refused (
        s_outcome (&fx, "O1", true, 20000, "2026-02-30", "bad", detail, sizeof detail, &err),
        &err, ERR_INVALID, WORDS ("'2026-02-30'", "YYYY-MM-DD"));
    s_expect_refused (
        s_outcome (&fx, "O1", true, 20000, "01/11/2026", "bad", detail, sizeof detail, &err),
        &err, ERR_INVALID, WORDS ("'01/11/2026'"));
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "qualified", "refusals change nothing");
    campaign__opportunity__free_unpacked (got, NULL);

    /*  A date between the opening and today is the close date. */
    cr_assert_eq (s_outcome (&fx, "O1", true, 25000, "2026-11-02", "champion", detail,
                             sizeof detail, &err),
                  0, "%s", err.msg);
    got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "closed-won");
    cr_assert_str_eq (got->closed, "2026-11-02");
    cr_assert_str_eq (got->stage_changed, "2026-11-06");
    cr_assert (got->has_amount);
    cr_assert_float_eq (got->amount, 25000, 1e-9);
    campaign__opportunity__free_unpacked (got, NULL);

    /*  The opening day itself is a valid close date. */
    o = s_opportunity ("O2", "A1", 20000, 2, true, false);
    s_agent_ok (&fx, &o); /* opened 2026-11-06 */
    cr_assert_eq (
        s_outcome (&fx, "O2", false, 0, "2026-11-06", "timing", detail, sizeof detail, &err), 0,
        "%s", err.msg);
    s_teardown (&fx);
}

Test (pipeline, lost_with_reason)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A2", 20000, 2, true, false);
    s_agent_ok (&fx, &o);
    char detail[256];
    err_t err;
    cr_assert_eq (s_outcome (&fx, "O1", false, 0, NULL, "went with a competitor", detail,
                             sizeof detail, &err),
                  0, "%s", err.msg);
    cr_assert_str_eq (detail, "O1 lost: went with a competitor");
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "closed-lost");
    cr_assert_str_eq (got->closed, "2026-10-27");
    cr_assert_str_eq (got->reason, "went with a competitor");
    cr_assert (!got->has_amount || got->amount == 0);
    campaign__opportunity__free_unpacked (got, NULL);
    cr_assert_eq (s_count (&fx, "handoff.marketing"), 0, "a loss is no case study");
    s_teardown (&fx);
}

/*  The outcome keeps the stage the deal closed from (closed_from), which the forecast's
    stage learning reads; a refused outcome sets nothing. */
Test (pipeline, outcome_records_the_stage_it_closed_from)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 20000, 2, true, false);
    s_agent_ok (&fx, &o);
    o = s_opportunity ("O2", "A2", 20000, 2, true, false);
    s_agent_ok (&fx, &o);
    char detail[256];
    err_t err;
    cr_assert_eq (s_stage (&fx, "O1", "proposal", detail, sizeof detail, &err), 0, "%s",
                  err.msg);
    s_expect_refused (
        s_outcome (&fx, "O1", true, 300001, NULL, "typo", detail, sizeof detail, &err), &err,
        ERR_INVALID, WORDS ("max_amount_ratio"));
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_null (got->closed_from, "a refused outcome records nothing");
    campaign__opportunity__free_unpacked (got, NULL);

    cr_assert_eq (
        s_outcome (&fx, "O1", false, 0, NULL, "no budget", detail, sizeof detail, &err), 0,
        "%s", err.msg);
    got = s_get (&fx, "O1");
    cr_assert_str_eq (got->stage, "closed-lost");
    cr_assert_str_eq (got->closed_from, "proposal");
    campaign__opportunity__free_unpacked (got, NULL);

    cr_assert_eq (
        s_outcome (&fx, "O2", true, 15000, NULL, "champion", detail, sizeof detail, &err), 0,
        "%s", err.msg);
    got = s_get (&fx, "O2");
    cr_assert_str_eq (got->stage, "closed-won");
    cr_assert_str_eq (got->closed_from, "qualified", "won straight from qualification");
    campaign__opportunity__free_unpacked (got, NULL);

    /*  An agent re-scoring a closed deal (without closed_from, as agents send them) does
        not erase where it closed from: that belongs to the outcome, like the stage. */
    o = s_opportunity ("O1", "A1", 25000, 1, true, false);
    s_agent_ok (&fx, &o);
    got = s_get (&fx, "O1");
    cr_expect_str_eq (got->stage, "closed-lost");
    cr_expect_str_eq (got->closed_from, "proposal");
    cr_expect_float_eq (got->potential_arr, 25000, 1e-9, "the score is the agent's");
    campaign__opportunity__free_unpacked (got, NULL);
    s_teardown (&fx);
}

Test (pipeline, second_outcome_and_unknown_opportunity_refused)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 20000, 2, true, false);
    s_agent_ok (&fx, &o);
    char detail[256];
    err_t err;
    cr_assert_eq (
        s_outcome (&fx, "O1", true, 30000, NULL, "champion", detail, sizeof detail, &err), 0,
        "%s", err.msg);
    s_expect_refused (
        s_outcome (&fx, "O1", false, 0, NULL, "changed mind", detail, sizeof detail, &err),
        &err, ERR_INVALID, WORDS ("O1", "already closed-won", "2026-10-27"));
    s_expect_refused (
        s_outcome (&fx, "O1", true, 40000, NULL, "again", detail, sizeof detail, &err), &err,
        ERR_INVALID, WORDS ("already closed-won"));
    s_expect_refused (
        s_outcome (&fx, "O404", true, 1000, NULL, "who", detail, sizeof detail, &err), &err,
        ERR_NOTFOUND, WORDS ("outcome: ", "'O404'"));
    Campaign__Opportunity *got = s_get (&fx, "O1");
    cr_assert_float_eq (got->amount, 30000, 1e-9, "the first outcome stands");
    cr_assert_str_eq (got->reason, "champion");
    campaign__opportunity__free_unpacked (got, NULL);
    cr_assert_eq (s_count (&fx, "handoff.marketing"), 1, "one case study");
    s_teardown (&fx);
}

Test (pipeline, win_opens_a_case_study)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 20000, 2, true, false);
    s_agent_ok (&fx, &o);
    cr_assert_eq (fx.n_events, 0);
    char detail[256];
    err_t err;
    cr_assert_eq (
        s_outcome (&fx, "O1", true, 24000, NULL, "exec sponsor", detail, sizeof detail, &err),
        0, "%s", err.msg);
    cr_assert_eq (fx.n_events, 1);
    const s_event_t *e = s_last (&fx);
    cr_assert_str_eq (e->topic, "handoff.marketing");
    cr_assert_str_eq (e->kind, "case-study");
    cr_assert_str_eq (e->opportunity_id, "O1");
    cr_assert_not_null (strstr (e->summary, "$24000"), "%s", e->summary);
    cr_assert_not_null (strstr (e->summary, "exec sponsor"), "%s", e->summary);
    s_teardown (&fx);
}

/* --------------------------------------------------------------------------
   Product handoffs from notes */

Test (pipeline, note_feature_requests_go_to_product_once)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    const char *const requests[] = {"SSO via SAML", "audit log export"};
    cr_assert_eq (s_note (&fx, "A1", requests, 2, &err), 0, "%s", err.msg);
    cr_assert_eq (s_count (&fx, "handoff.product"), 2);
    cr_assert_str_eq (fx.events[0].kind, "feature-request");
    cr_assert_eq (fx.events[0].open, 1);
    cr_assert_eq (fx.events[1].open, 2);
    cr_assert_not_null (strstr (fx.events[1].summary, "audit log export"), "%s",
                        fx.events[1].summary);
    cr_assert_str_neq (fx.events[0].handoff_id, fx.events[1].handoff_id);

    /*  The same note again: nothing new. A note without requests: nothing. */
    cr_assert_eq (s_note (&fx, "A1", requests, 2, &err), 0, "%s", err.msg);
    cr_assert_eq (s_note (&fx, "A1", NULL, 0, &err), 0, "%s", err.msg);
    cr_assert_eq (s_count (&fx, "handoff.product"), 2);
    cr_assert_eq (s_handoff_rows (&fx), 2);
    /*  The same request from another account is its own handoff. */
    cr_assert_eq (s_note (&fx, "A2", requests, 1, &err), 0, "%s", err.msg);
    cr_assert_eq (s_count (&fx, "handoff.product"), 3);
    s_teardown (&fx);
}

/* --------------------------------------------------------------------------
   Acknowledgements */

Test (pipeline, ack_refusals)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 2, true, false);
    s_agent_ok (&fx, &o);
    char id[16];
    s_copy (id, sizeof id, s_last (&fx)->handoff_id);
    cr_assert_str_eq (s_last (&fx)->topic, "handoff.sales");
    size_t before = fx.n_events;
    char detail[256] = "";
    err_t err;

    s_expect_refused (s_ack (&fx, "H99", "ae-emea", detail, sizeof detail, &err), &err,
                      ERR_NOTFOUND, WORDS ("'H99'"));
    s_expect_refused (s_ack (&fx, "bogus", "ae-emea", detail, sizeof detail, &err), &err,
                      ERR_NOTFOUND, WORDS ("'bogus'"));
    s_expect_refused (s_ack (&fx, id, "nobody", detail, sizeof detail, &err), &err,
                      ERR_FORBIDDEN, WORDS ("'nobody'", "not on the roster", "sales"));
    s_expect_refused (s_ack (&fx, id, "c1", detail, sizeof detail, &err), &err, ERR_FORBIDDEN,
                      WORDS (id, "sales", "role ae", "c1 is csm"));
    s_expect_refused (s_ack (&fx, id, "mk", detail, sizeof detail, &err), &err, ERR_FORBIDDEN,
                      WORDS ("role ae", "mk is marketing"));
    cr_assert_eq (fx.n_events, before, "refusals publish nothing");

    Campaign__Handoff *h = NULL;
    cr_assert_eq (store_handoff_get (fx.store, id, &h, &err), 0, "%s", err.msg);
    cr_assert (!h->acked_by || !*h->acked_by, "still open");
    campaign__handoff__free_unpacked (h, NULL);
    s_teardown (&fx);
}

Test (pipeline, ack_by_the_team_or_leadership_once)
{
    s_fixture_t fx;
    s_setup (&fx);
    Campaign__Opportunity o = s_opportunity ("O1", "A1", 60000, 3, true, false);
    s_agent_ok (&fx, &o); /* sales, then marketing nurture */
    cr_assert_eq (fx.n_events, 2);
    char sales[16], nurture[16];
    s_copy (sales, sizeof sales, fx.events[0].handoff_id);
    s_copy (nurture, sizeof nurture, fx.events[1].handoff_id);
    cr_assert_str_eq (fx.events[1].topic, "handoff.marketing");
    char detail[256] = "";
    err_t err;

    s_set_today (&fx, fx.turn.today + 2);
    cr_assert_eq (s_ack (&fx, sales, "ae-emea", detail, sizeof detail, &err), 0, "%s", err.msg);
    char expected[64];
    snprintf (expected, sizeof expected, "handoff %s to sales acknowledged", sales);
    cr_assert_str_eq (detail, expected);
    const s_event_t *e = s_last (&fx);
    cr_assert_str_eq (e->topic, "handoff.sales");
    cr_assert_str_eq (e->acked_by, "ae-emea");
    cr_assert_eq (e->open, 0, "no sales handoff open any more");
    cr_assert_not_null (strstr (e->summary, "acknowledged"), "%s", e->summary);
    Campaign__Handoff *h = NULL;
    cr_assert_eq (store_handoff_get (fx.store, sales, &h, &err), 0, "%s", err.msg);
    cr_assert_str_eq (h->acked_by, "ae-emea");
    cr_assert_str_eq (h->acked, "2026-10-29");
    campaign__handoff__free_unpacked (h, NULL);

    /*  A second ack, by anyone, names who acknowledged it. */
    size_t before = fx.n_events;
    s_expect_refused (s_ack (&fx, sales, "ae-am", detail, sizeof detail, &err), &err, ERR_STATE,
                      WORDS ("already acknowledged by ae-emea", "2026-10-29"));
    s_expect_refused (s_ack (&fx, sales, "ae-emea", detail, sizeof detail, &err), &err,
                      ERR_STATE, WORDS ("ae-emea"));
    cr_assert_eq (fx.n_events, before);

    /*  Leadership may acknowledge any team's handoff; product may not take marketing's. */
    s_expect_refused (s_ack (&fx, nurture, "pd", detail, sizeof detail, &err), &err,
                      ERR_FORBIDDEN, WORDS ("role marketing", "pd is product"));
    cr_assert_eq (s_ack (&fx, nurture, "lead", detail, sizeof detail, &err), 0, "%s", err.msg);
    cr_assert_str_eq (s_last (&fx)->topic, "handoff.marketing");
    cr_assert_str_eq (s_last (&fx)->acked_by, "lead");
    s_teardown (&fx);
}

Test (pipeline, product_and_marketing_ack_their_own)
{
    s_fixture_t fx;
    s_setup (&fx);
    err_t err;
    const char *const requests[] = {"SSO via SAML"};
    cr_assert_eq (s_note (&fx, "A1", requests, 1, &err), 0, "%s", err.msg);
    char id[16];
    s_copy (id, sizeof id, s_last (&fx)->handoff_id);
    char detail[256];
    s_expect_refused (s_ack (&fx, id, "mk", detail, sizeof detail, &err), &err, ERR_FORBIDDEN,
                      WORDS ("role product", "mk is marketing"));
    s_expect_refused (s_ack (&fx, id, "ae-emea", detail, sizeof detail, &err), &err,
                      ERR_FORBIDDEN, WORDS ("role product", "ae-emea is ae"));
    cr_assert_eq (s_ack (&fx, id, "pd", detail, sizeof detail, &err), 0, "%s", err.msg);
    cr_assert_eq (s_last (&fx)->open, 0);
    s_teardown (&fx);
}
