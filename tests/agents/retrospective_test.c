/*  retrospective_test.c: the week-12 retrospective on a scripted campaign whose answers
    are known (issue 7 item 4): targets against actuals, what worked and what did not,
    the team's input merged, the updated plays (and that the plays file loads), the
    refitted model file (and that the identifier loads it), the success stories. */
#include "test_support.h"

#include "calendar.h"
#include "csvreader.h"
#include "model.h"
#include "records.h"
#include "refit.h"
#include "stats.h"
#include "plays.h"
#include "propensity.h"
#include "retro.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

TS_SUITE (retrospective);

/*  60 alike accounts (30 smb, 30 enterprise). Seat deals on the smb ones: 24 won at
    $10,000 in 35 days, 6 lost to "budget frozen". Tier deals on the enterprise ones: 6
    won at $20,000 in 60 days, 20 lost to "chose a competitor", 4 to "budget frozen".
    5 more open in proposal since 2026-11-30. Won 30 of 60 (50%), $360,000 against a
    $500,000 goal; investment $100,000; cycle (24 x 35 + 6 x 60) / 30 = 40 days. */
#define S_ACCOUNTS 60
#define S_DEALS    65
typedef struct {
    Campaign__Account account[S_ACCOUNTS];
    Campaign__Account *accounts[S_ACCOUNTS];
    Campaign__Opportunity deal[S_DEALS];
    Campaign__Opportunity *deals[S_DEALS];
    char ids[S_ACCOUNTS][16], deal_ids[S_DEALS][32];
    Campaign__Targets targets;
    Campaign__Retro retro[2];
    Campaign__Retro *retros[2];
    Campaign__TaskInput input;
} s_campaign_t;

static void
s_campaign (s_campaign_t *c)
{
    memset (c, 0, sizeof *c);
    campaign__task_input__init (&c->input);
    for (size_t i = 0; i < S_ACCOUNTS; i++) {
        Campaign__Account *a = &c->account[i];
        campaign__account__init (a);
        snprintf (c->ids[i], sizeof c->ids[i], "A%02zu", i);
        a->account_id = c->ids[i];
        a->name = (char *)"Acme";
        a->segment = (char *)(i < 30 ? "smb" : "enterprise");
        a->arr = 50000;
        a->seats_purchased = 100;
        a->seats_active = 80;
        a->employees = 400;
        c->accounts[i] = a;
    }
    for (size_t d = 0; d < S_DEALS; d++) {
        Campaign__Opportunity *o = &c->deal[d];
        campaign__opportunity__init (o);
        size_t account = d < 60 ? d : d - 60;
        bool seat = d < 30 || d >= 60;
        snprintf (c->deal_ids[d], sizeof c->deal_ids[d], "O-%zu", d);
        o->opportunity_id = c->deal_ids[d];
        o->account_id = c->ids[account];
        o->type = (char *)(seat ? "seat" : "tier");
        o->has_potential_arr = o->has_propensity = o->has_tier = o->has_qualified = 1;
        o->potential_arr = 15000;
        o->propensity = 50;
        o->tier = 1;
        o->opened = (char *)"2026-10-05";
        o->csm = (char *)"CSM-1";
        if (d >= 60) {
            o->stage = (char *)"proposal";
            o->stage_changed = (char *)"2026-11-30";
        } else if (d < 24 || (d >= 30 && d < 36)) {
            o->stage = (char *)"closed-won";
            o->has_amount = 1;
            o->amount = d < 24 ? 10000 : 20000;
            o->closed = (char *)(d < 24 ? "2026-11-09" : "2026-12-04");
            o->qualified = 1;
        } else {
            o->stage = (char *)"closed-lost";
            o->closed = (char *)"2026-11-20";
            o->reason = (char *)(d >= 36 && d < 56 ? "chose a competitor" : "budget frozen");
            o->qualified = 1;
        }
        c->deals[d] = o;
    }
    campaign__targets__init (&c->targets);
    c->targets.has_arr_goal = c->targets.has_investment = c->targets.has_deals = 1;
    c->targets.arr_goal = 500000;
    c->targets.investment = 100000;
    c->targets.deals = 25;
    const char *kinds[2] = {"worked", "start"},
               *texts[2] = {"champions helped", "pilot earlier"};
    for (int r = 0; r < 2; r++) {
        campaign__retro__init (&c->retro[r]);
        c->retro[r].kind = (char *)kinds[r];
        c->retro[r].text = (char *)texts[r];
        c->retros[r] = &c->retro[r];
    }
    c->input.accounts = c->accounts;
    c->input.n_accounts = S_ACCOUNTS;
    c->input.opportunities = c->deals;
    c->input.n_opportunities = S_DEALS;
    c->input.targets = &c->targets;
    c->input.retros = c->retros;
    c->input.n_retros = 2;
}

static conf_t *
s_conf (void)
{
    conf_t *conf = conf_new ();
    err_t err;
    cr_assert_eq (conf_load_file (conf, CAMPAIGN_SOURCE_DIR "/config/campaign.cfg", &err), 0,
                  "%s", err.msg);
    return conf;
}

static bool
s_listed (json_t *list, const char *needle)
{
    size_t i;
    json_t *item;
    json_array_foreach (list, i,
                        item) if (strstr (json_string_value (item), needle)) return true;
    return false;
}

Test (retrospective, a_scripted_campaign_on_paper)
{
    static s_campaign_t c;
    s_campaign (&c);
    conf_t *conf = s_conf ();
    retro_t retro;
    err_t err;
    cr_assert_eq (retro_load (conf, &retro, &err), 0, "%s", err.msg);
    int32_t today;
    cr_assert_eq (date_parse ("2026-12-21", &today), 0);
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (retro_run (&retro, &c.input, today, &answer, &err), 0, "%s", err.msg);
    json_error_t jerr;
    json_t *root = json_loadb (answer.text, answer.text_len, 0, &jerr);
    cr_assert_not_null (root, "%s", jerr.text);

    json_t *sum = json_object_get (root, "summary");
    cr_expect_eq (json_real_value (json_object_get (sum, "arr_won")), 360000);
    cr_expect_float_eq (json_real_value (json_object_get (sum, "arr_vs_goal")), 0.72, 1e-9);
    cr_expect_eq (json_integer_value (json_object_get (sum, "deals_won")), 30);
    cr_expect_eq (json_integer_value (json_object_get (sum, "deals_lost")), 30);
    cr_expect_eq (json_integer_value (json_object_get (sum, "deals_open")), 5);
    cr_expect_float_eq (json_real_value (json_object_get (sum, "win_rate")), 0.5, 1e-9);
    cr_expect_float_eq (json_real_value (json_object_get (sum, "conversion")), 0.5, 1e-9);
    cr_expect_float_eq (json_real_value (json_object_get (sum, "roi")), 3.6, 1e-9);
    cr_expect_float_eq (json_real_value (json_object_get (sum, "average_cycle_days")), 40,
                        1e-9);
    cr_expect_eq (json_real_value (json_object_get (sum, "average_deal")), 12000);

    json_t *worked = json_object_get (root, "what_worked");
    json_t *didnt = json_object_get (root, "what_did_not");
    cr_expect (s_listed (worked, "play seat: won 24 of 30 (80% against 50%)"));
    cr_expect (s_listed (worked, "segment smb"));
    cr_expect (s_listed (worked, "champions helped (team)"));
    cr_expect (s_listed (didnt, "play tier: won 6 of 30 (20% against 50%)"));
    cr_expect (s_listed (didnt, "lost to \"chose a competitor\": 20 of 30 lost deals"));
    cr_expect (s_listed (didnt, "sat longest in proposal: 21 days"));
    cr_expect (s_listed (json_object_get (root, "stop"), "tier"));
    cr_expect (s_listed (json_object_get (root, "continue"), "seat"));
    cr_expect (s_listed (json_object_get (root, "start"), "pilot earlier (team)"));
    cr_expect (s_listed (json_object_get (root, "recommendations"), "lead with the seat play"));
    cr_expect (s_listed (json_object_get (root, "recommendations"),
                         "answer \"chose a competitor\" up front"));

    /*  Stories: the $20,000 tier wins first. */
    json_t *stories = json_object_get (root, "success_stories");
    cr_expect_eq (json_array_size (stories), 5);
    cr_expect_eq (json_real_value (json_object_get (json_array_get (stories, 0), "amount")),
                  20000);
    cr_expect_eq (
        json_integer_value (json_object_get (json_array_get (stories, 0), "cycle_days")), 60);

    /*  Plays: seat observed 35 days and 80% (+-0.05), tier 60 days and 20%. */
    json_t *seat = json_array_get (json_object_get (root, "plays"), 0);
    cr_expect_str_eq (json_string_value (json_object_get (seat, "play")), "seat");
    cr_expect_eq (
        json_integer_value (json_array_get (json_object_get (seat, "updated_cycle_days"), 0)),
        35);
    cr_expect_float_eq (
        json_real_value (json_array_get (json_object_get (seat, "updated_win_rate"), 0)), 0.75,
        1e-9);
    /*  The plays file loads as the next campaign's plays. */
    char *dir = ts_tempdir ();
    char *plays_path = ts_write_file (dir, "plays.cfg",
                                      json_string_value (json_object_get (root, "plays_file")));
    conf_t *next = s_conf ();
    cr_assert_eq (conf_load_file (next, plays_path, &err), 0, "%s", err.msg);
    plays_t plays;
    cr_assert_eq (plays_load (next, &plays, &err), 0, "%s", err.msg);
    const plays_play_t *tier = plays_find (&plays, "tier");
    cr_assert_not_null (tier);
    cr_expect_eq (tier->cycle_days[0], 60);
    cr_expect_float_eq (tier->win_rate[1], 0.25, 1e-9);
    cr_expect_gt (tier->n_steps, 0);

    /*  The model: refitted on 60 outcomes, loadable by the identifier. */
    json_t *model = json_object_get (root, "model");
    cr_expect_eq (json_integer_value (json_object_get (model, "rows")), 60);
    cr_expect_str_eq (json_string_value (json_object_get (model, "plays_refitted")),
                      "seat, tier");
    const char *model_text = json_string_value (json_object_get (model, "model_file"));
    cr_assert_not_null (model_text);
    char *model_path = ts_write_file (dir, "propensity.model", model_text);
    char option[4300];
    snprintf (option, sizeof option, "identifier.propensity.model=%s", model_path);
    cr_assert_eq (conf_override (next, option, &err), 0, "%s", err.msg);
    propensity_model_t *loaded = NULL;
    cr_expect_eq (propensity_model_load (next, &loaded, &err), 0, "%s", err.msg);
    propensity_model_destroy (&loaded);

    bool found = false;
    for (size_t i = 0; i < answer.n_facts; i++)
        if (strcmp (answer.facts[i]->name, "retro.arr_won") == 0)
            found = answer.facts[i]->number == 360000;
    cr_expect (found, "fact retro.arr_won = 360000");
    free (plays_path);
    free (model_path);
    ts_tempdir_remove (&dir);
    conf_destroy (&next);
    json_decref (root);
    answer_free (&answer);
    retro_free (&retro);
    conf_destroy (&conf);
}

Test (retrospective, too_few_outcomes_keep_the_model_and_say_so)
{
    static s_campaign_t c;
    s_campaign (&c);
    c.input.n_opportunities = 8; /* 8 seat wins */
    conf_t *conf = s_conf ();
    retro_t retro;
    err_t err;
    cr_assert_eq (retro_load (conf, &retro, &err), 0, "%s", err.msg);
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (retro_run (&retro, &c.input, 0, &answer, &err), 0, "%s", err.msg);
    json_t *root = json_loadb (answer.text, answer.text_len, 0, NULL);
    cr_assert_not_null (root);
    json_t *model = json_object_get (root, "model");
    cr_expect (json_is_null (json_object_get (model, "model_file")));
    cr_expect (json_is_null (json_object_get (model, "auc_before")), "one class: no AUC");
    cr_expect (strstr (json_string_value (json_object_get (model, "notes")), "too few"));
    cr_expect (s_listed (json_object_get (root, "recommendations"), "keep the campaign's"));
    json_decref (root);
    answer_free (&answer);
    retro_free (&retro);
    conf_destroy (&conf);
}

/*  campaign-gen's ground truth: on a large generated history (50,000 accounts, about
    10,000 won or lost records drawn from the truth's p_<play>), the refit's
    cross-validated AUC comes close to the AUC of the true probabilities on the same
    records, and its seat weights keep the truth's signs (issue 7 item 4). */
Test (retrospective, refit_on_a_generated_history_nears_the_truth, .timeout = 120)
{
    char *dir = ts_tempdir ();
    char *gen = ts_bin ("campaign-gen");
    char *argv[] = {gen, "--accounts", "50000", "--seed", "11", "--out", dir, NULL};
    cr_assert_eq (ts_run (argv, 60000, NULL, NULL), 0);
    char path[4200];
    err_t err;
    Campaign__ImportPortfolio *accounts = NULL;
    Campaign__ImportHistory *history = NULL;
    snprintf (path, sizeof path, "%s/accounts.csv", dir);
    cr_assert_eq (records_load_accounts (path, &accounts, &err), 0, "%s", err.msg);
    snprintf (path, sizeof path, "%s/history.csv", dir);
    cr_assert_eq (records_load_history (path, &history, &err), 0, "%s", err.msg);
    snprintf (path, sizeof path, "%s/truth.csv", dir);
    csvreader_t *truth = NULL;
    cr_assert_eq (csvreader_open (path, &truth, &err), 0, "%s", err.msg);

    Campaign__TaskInput input = CAMPAIGN__TASK_INPUT__INIT;
    input.accounts = accounts->accounts;
    input.n_accounts = accounts->n_accounts;
    input.history = history->records;
    input.n_history = history->n_records;
    conf_t *conf = s_conf ();
    refit_t refit;
    cr_assert_eq (refit_load (conf, &refit, &err), 0, "%s", err.msg);
    refit_result_t result;
    cr_assert_eq (refit_run (&refit, &input, &result, &err), 0, "%s", err.msg);
    cr_expect_gt (result.rows, 5000);
    cr_expect_eq (result.from_history, result.rows);

    /*  The truth's AUC on the same records: truth.csv is in account order. */
    double *p = malloc (history->n_records * sizeof *p);
    int *y = malloc (history->n_records * sizeof *y);
    size_t n = 0;
    int id = csvreader_column (truth, "account_id");
    for (size_t i = 0; i < history->n_records; i++) {
        const Campaign__HistoryRecord *h = history->records[i];
        char column[32];
        snprintf (column, sizeof column, "p_%s", h->opportunity_type);
        for (char *c = column; *c; c++)
            *c = *c == '-' ? '_' : *c;
        size_t row = (size_t)atol (h->account_id + 2) - 1; /* A-00001 is row 0 */
        cr_assert_str_eq (csvreader_cell (truth, row, id), h->account_id);
        double truth_p;
        cr_assert_eq (csvreader_double (truth, row, column, 0, 1, &truth_p, &err), 0, "%s",
                      err.msg);
        p[n] = truth_p;
        y[n++] = strcmp (h->outcome, "won") == 0;
    }
    double truth_auc;
    cr_assert_eq (stats_auc (p, y, n, &truth_auc, &err), 0, "%s", err.msg);
    cr_log_info ("generated history: %zu records, truth AUC %.4f, refit CV AUC %.4f (campaign "
                 "model %.4f), Brier %.4f -> %.4f",
                 result.rows, truth_auc, result.auc_after, result.auc_before,
                 result.brier_before, result.brier_after);
    cr_expect_lt (fabs (result.auc_after - truth_auc), 0.03, "CV AUC %.4f against truth %.4f",
                  result.auc_after, truth_auc);

    /*  Seat weights: the truth rewards seats well used and headcount growth. */
    char *model_path = ts_write_file (dir, "refit.model", result.model_text);
    model_t *model = NULL;
    cr_assert_eq (model_load (model_path, &model, &err), 0, "%s", err.msg);
    const model_group_t *seat = model_group_find (model, "seat");
    cr_assert_not_null (seat);
    for (size_t i = 0; i < seat->n_numeric; i++)
        if (strcmp (seat->numeric[i].name, "utilisation") == 0 ||
            strcmp (seat->numeric[i].name, "headcount") == 0)
            cr_expect_gt (seat->numeric[i].weight, 0, "%s: %f", seat->numeric[i].name,
                          seat->numeric[i].weight);
    model_destroy (&model);
    free (model_path);
    free (p);
    free (y);
    refit_result_free (&result);
    refit_free (&refit);
    conf_destroy (&conf);
    csvreader_destroy (&truth);
    campaign__import_history__free_unpacked (history, NULL);
    campaign__import_portfolio__free_unpacked (accounts, NULL);
    free (gen);
    ts_tempdir_remove (&dir);
}
