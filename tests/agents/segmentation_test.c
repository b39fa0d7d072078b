/*  segmentation_test.c: the segmentation analyst's pieces on hand-made portfolios (issue
    6 item 4): conditions parsed and refused with their line, rule segments evaluated,
    k-means recovering well-separated clusters with the right k and words, the same
    clusters for the same seed, trigger lift worked on paper, the target segment, and
    cohort performance with AUC and Brier computed by hand (a single outcome class is
    reported, not a NaN). */
#include "test_support.h"

#include "clusters.h"
#include "cohorts.h"
#include "profile.h"
#include "rules.h"
#include "segments.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

TS_SUITE (segmentation);

/*  A portfolio built in place: no heap, nothing to free. */
#define S_MAX 160
typedef struct {
    Campaign__Account account[S_MAX];
    Campaign__Account *accounts[S_MAX];
    Campaign__AccountHealth health[S_MAX];
    Campaign__AccountHealth *healths[S_MAX];
    Campaign__Opportunity opportunity[S_MAX];
    Campaign__Opportunity *opportunities[S_MAX];
    char ids[S_MAX][16];
    char opp_ids[S_MAX][24];
    Campaign__TaskInput input;
} s_portfolio_t;

static void
s_portfolio_init (s_portfolio_t *p)
{
    memset (p, 0, sizeof *p);
    campaign__task_input__init (&p->input);
    p->input.accounts = p->accounts;
    p->input.health = p->healths;
    p->input.opportunities = p->opportunities;
}

static Campaign__Account *
s_account (s_portfolio_t *p, const char *segment, double arr, double adoption,
           double usage_limit, int nps, double health)
{
    size_t i = p->input.n_accounts++;
    cr_assert (i < S_MAX);
    Campaign__Account *a = &p->account[i];
    campaign__account__init (a);
    snprintf (p->ids[i], sizeof p->ids[i], "A%03zu", i);
    a->account_id = p->ids[i];
    a->segment = (char *)segment;
    a->region = (char *)(i % 2 ? "emea" : "americas");
    a->arr = arr;
    a->feature_adoption_pct = adoption;
    a->usage_limit_pct = usage_limit;
    a->nps = nps;
    a->seats_purchased = 100;
    a->seats_active = 80;
    p->accounts[i] = a;
    if (health >= 0) {
        size_t h = p->input.n_health++;
        campaign__account_health__init (&p->health[h]);
        p->health[h].account_id = a->account_id;
        p->health[h].score = health;
        p->health[h].band = (char *)(health >= 70   ? "healthy"
                                     : health >= 50 ? "watch"
                                                    : "at-risk");
        p->healths[h] = &p->health[h];
    }
    return a;
}

static Campaign__Opportunity *
s_deal (s_portfolio_t *p, size_t account, const char *type, double propensity,
        const char *stage, double potential)
{
    size_t i = p->input.n_opportunities++;
    cr_assert (i < S_MAX);
    Campaign__Opportunity *o = &p->opportunity[i];
    campaign__opportunity__init (o);
    char id[16];
    memcpy (id, p->ids[account], sizeof id);
    snprintf (p->opp_ids[i], sizeof p->opp_ids[i], "O-%s-%s", id, type);
    o->opportunity_id = p->opp_ids[i];
    o->account_id = p->ids[account];
    o->type = (char *)type;
    o->has_propensity = o->has_potential_arr = 1;
    o->propensity = propensity;
    o->potential_arr = potential;
    o->stage = (char *)stage;
    p->opportunities[i] = o;
    return o;
}

static const char s_settings[] =
    "segmentation = {\n"
    "  seed = 11; min_accounts = 3; min_support = 2; top_triggers = 2;\n"
    "  segments = (\n"
    "    { name = \"healthy mid-market, low adoption\";\n"
    "      when = [ \"segment == mid-market\", \"health >= 70\", \"feature_adoption_pct < 50\" "
    "]; },\n"
    "    { name = \"big\"; when = [ \"arr >= 500000\" ]; }\n"
    "  );\n"
    "  triggers = [ \"usage_limit_pct >= 80\", \"nps >= 50\" ];\n"
    "  clusters = { k = [2, 6]; silhouette_sample = 0; features = (\n"
    "    { field = \"arr\"; log = true; high = \"large\"; low = \"small\"; },\n"
    "    { field = \"feature_adoption_pct\"; high = \"high adoption\"; low = \"low adoption\"; "
    "},\n"
    "    { field = \"usage_limit_pct\"; high = \"near plan limit\"; low = \"far from plan "
    "limit\"; },\n"
    "    { field = \"nps\"; high = \"promoters\"; low = \"detractors\"; } ); };\n"
    "  cohorts = { min_closed = 2; z = 1.0; deciles = 2; };\n"
    "};\n";

static segments_t *
s_load (const char *extra)
{
    conf_t *conf = ts_conf ("segmentation.cfg", s_settings);
    segments_t *self = NULL;
    err_t err;
    if (extra)
        cr_assert_eq (conf_override (conf, extra, &err), 0, "%s", err.msg);
    cr_assert_eq (segments_load (conf, &self, &err), 0, "%s", err.msg);
    conf_destroy (&conf);
    return self;
}

static const Campaign__Fact *
s_fact (const answer_t *answer, const char *name)
{
    for (size_t i = 0; i < answer->n_facts; i++)
        if (strcmp (answer->facts[i]->name, name) == 0)
            return answer->facts[i];
    return NULL;
}

/*  The number of a fact that must be there. */
static double
s_number (const answer_t *answer, const char *name)
{
    const Campaign__Fact *fact = s_fact (answer, name);
    cr_assert_not_null (fact, "no fact %s", name);
    return fact->number;
}

Test (segmentation, conditions_parse_and_refuse)
{
    rules_condition_t c;
    err_t err;
    cr_assert_eq (rules_parse ("health >= 70", &c, &err), 0, "%s", err.msg);
    cr_expect_eq (c.field, PF_HEALTH);
    cr_expect_eq (c.op, RULES_GE);
    cr_expect_eq (c.number, 70);
    cr_assert_eq (rules_parse ("segment == 'mid-market'", &c, &err), 0, "%s", err.msg);
    cr_expect_str_eq (c.text, "mid-market");
    free (c.text);
    cr_expect_eq (rules_parse ("helth >= 70", &c, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "unknown field 'helth'"), "%s", err.msg);
    cr_expect_eq (rules_parse ("health >= high", &c, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "health is a number"), "%s", err.msg);
    cr_expect_eq (rules_parse ("segment == 3", &c, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "segment is a text"), "%s", err.msg);
    cr_expect_eq (rules_parse ("segment < smb", &c, &err), ERR_INVALID);
    cr_expect_eq (rules_parse ("arr 5", &c, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "expected an operator"), "%s", err.msg);
}

Test (segmentation, bad_rule_refused_at_load_with_its_line)
{
    conf_t *conf = ts_conf ("bad.cfg", "segmentation = {\n"
                                       "  segments = (\n"
                                       "    { name = \"x\";\n"
                                       "      when = [ \"segment == smb\",\n"
                                       "               \"nps > promoter\" ]; }\n"
                                       "  );\n"
                                       "};\n");
    segments_t *self = NULL;
    err_t err;
    cr_expect_eq (segments_load (conf, &self, &err), ERR_INVALID);
    cr_expect_null (self);
    cr_expect (strstr (err.msg, "bad.cfg:5"), "%s", err.msg);
    cr_expect (strstr (err.msg, "nps is a number"), "%s", err.msg);
    conf_destroy (&conf);

    conf =
        ts_conf ("target.cfg", "segmentation = { target = \"nobody\";\n"
                               "  clusters = { features = ( { field = \"arr\"; high = \"a\"; "
                               "low = \"b\"; } ); }; };\n");
    cr_expect_eq (segments_load (conf, &self, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "segmentation.target 'nobody'"), "%s", err.msg);
    conf_destroy (&conf);

    conf = ts_conf ("feature.cfg", "segmentation = {\n  clusters = { features = (\n"
                                   "    { field = \"segment\"; high = \"a\"; low = \"b\"; } ); "
                                   "}; };\n");
    cr_expect_eq (segments_load (conf, &self, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "feature.cfg:3"), "%s", err.msg);
    cr_expect (strstr (err.msg, "not a numeric field"), "%s", err.msg);
    conf_destroy (&conf);
}

Test (segmentation, rule_segments_on_a_hand_made_portfolio)
{
    static s_portfolio_t p;
    s_portfolio_init (&p);
    s_account (&p, "mid-market", 80000, 30, 50, 10, 75);   /* 0: in */
    s_account (&p, "mid-market", 90000, 60, 50, 10, 80);   /* 1: adoption too high */
    s_account (&p, "mid-market", 70000, 20, 50, 10, 65);   /* 2: not healthy */
    s_account (&p, "mid-market", 60000, 49.9, 50, 10, -1); /* 3: not scored: out */
    s_account (&p, "MID-MARKET", 60000, 10, 50, 10, 90);   /* 4: text is case-blind: in */
    s_account (&p, "enterprise", 900000, 30, 50, 10, 75);  /* 5: other segment; big */
    segments_t *self = s_load (NULL);
    profiles_t profiles;
    err_t err;
    cr_assert_eq (profiles_build (&p.input, &profiles, &err), 0);
    bool expect[6] = {true, false, false, false, true, false};
    for (size_t i = 0; i < 6; i++) {
        cr_expect_eq (rules_match (self->rules, 0, &profiles.rows[i]), expect[i], "account %zu",
                      i);
        cr_expect_eq (rules_match (self->rules, 1, &profiles.rows[i]), i == 5, "account %zu",
                      i);
    }
    cr_expect (isnan (profiles.rows[3].number[PF_HEALTH]));
    cr_expect_float_eq (profiles.rows[0].number[PF_UTILISATION], 0.8, 1e-12);
    profiles_free (&profiles);
    segments_destroy (&self);
}

/*  Three well-separated groups of 40: small smb detractors with low adoption far from
    the limit, mid-sized mid-market, large enterprise promoters near the limit. */
static void
s_three_groups (s_portfolio_t *p)
{
    s_portfolio_init (p);
    for (size_t i = 0; i < 120; i++) {
        double jitter = (double)(i % 5) - 2;
        if (i % 3 == 0)
            s_account (p, "smb", 10000 * (1 + jitter / 20), 20 + jitter, 40 + jitter,
                       -20 + (int)jitter, 60);
        else if (i % 3 == 1)
            s_account (p, "mid-market", 100000 * (1 + jitter / 20), 50 + jitter, 60 + jitter,
                       20 + (int)jitter, 60);
        else
            s_account (p, "enterprise", 1000000 * (1 + jitter / 20), 85 + jitter, 92 + jitter,
                       60 + (int)jitter, 60);
    }
}

Test (segmentation, kmeans_recovers_separated_clusters_with_words)
{
    static s_portfolio_t p;
    s_three_groups (&p);
    segments_t *self = s_load (NULL);
    profiles_t profiles;
    err_t err;
    cr_assert_eq (profiles_build (&p.input, &profiles, &err), 0);
    clusters_result_t *r = NULL;
    cr_assert_eq (clusters_run (self->clusters, &profiles, &r, &err), 0, "%s", err.msg);
    cr_expect_eq (r->k, 3, "k = %zu", r->k);
    cr_expect_gt (r->silhouette, 0.8);
    for (size_t i = 3; i < 120; i++)
        cr_expect_eq (r->assignment[i], r->assignment[i % 3], "account %zu", i);
    const char *enterprise = r->name[r->assignment[2]];
    const char *smb = r->name[r->assignment[0]];
    cr_expect (strstr (enterprise, ": enterprise, "), "%s", enterprise);
    cr_expect (strstr (enterprise, "large") || strstr (enterprise, "high adoption") ||
                   strstr (enterprise, "near plan limit") || strstr (enterprise, "promoters"),
               "%s", enterprise);
    cr_expect (strstr (smb, ": smb, "), "%s", smb);
    cr_expect (strstr (smb, "small") || strstr (smb, "low adoption") ||
                   strstr (smb, "far from plan limit") || strstr (smb, "detractors"),
               "%s", smb);
    /*  The same seed and data: the same clusters and words. */
    clusters_result_t *again = NULL;
    cr_assert_eq (clusters_run (self->clusters, &profiles, &again, &err), 0);
    cr_expect_eq (again->k, r->k);
    cr_expect_eq (memcmp (again->assignment, r->assignment, 120 * sizeof *r->assignment), 0);
    for (size_t c = 0; c < r->k; c++)
        cr_expect_str_eq (again->name[c], r->name[c]);
    clusters_result_destroy (&again);
    clusters_result_destroy (&r);
    profiles_free (&profiles);
    segments_destroy (&self);
}

Test (segmentation, too_few_accounts_make_no_clusters)
{
    static s_portfolio_t p;
    s_portfolio_init (&p);
    s_account (&p, "smb", 1000, 10, 10, 0, 50);
    s_account (&p, "smb", 2000, 10, 10, 0, 50);
    segments_t *self = s_load (NULL);
    profiles_t profiles;
    err_t err;
    cr_assert_eq (profiles_build (&p.input, &profiles, &err), 0);
    clusters_result_t *r = NULL;
    cr_assert_eq (clusters_run (self->clusters, &profiles, &r, &err), 0, "%s", err.msg);
    cr_expect_eq (r->k, 0);
    clusters_result_destroy (&r);
    profiles_free (&profiles);
    segments_destroy (&self);
}

/*  40 accounts: 20 at >= 80% of the plan limit (15 of them high-propensity), 20 below
    (5 high). The segment "big" (arr >= 500000) holds all 40. Lift of the limit trigger
    = (15/20) / (20/40) = 1.5 over 20 accounts; nps >= 50 holds for none (support 0). */
Test (segmentation, target_segment_with_triggers_on_paper)
{
    static s_portfolio_t p;
    s_portfolio_init (&p);
    for (size_t i = 0; i < 40; i++) {
        bool near = i < 20;
        bool high = near ? i < 15 : i < 25;
        s_account (&p, "enterprise", 600000, 50, near ? 90 : 50, 10, 75);
        s_deal (&p, i, "seat", high ? 70 : 10, "identified", 10000);
    }
    segments_t *self = s_load (NULL);
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    err_t err;
    cr_assert_eq (segments_target (self, &p.input, &answer, &err), 0, "%s", err.msg);
    const Campaign__Fact *target = s_fact (&answer, "segment.target");
    cr_assert_not_null (target);
    cr_expect_str_eq (target->text, "big");
    cr_expect_eq (target->number, 40);
    const Campaign__Fact *potential = s_fact (&answer, "segment.target.potential");
    cr_assert_not_null (potential);
    cr_expect_eq (potential->number, 400000);
    /*  expected = 20 deals x 10,000 x 0.70 + 20 x 10,000 x 0.10 */
    cr_expect_eq (s_number (&answer, "segment.target.expected"), 160000);
    const Campaign__Fact *trigger = s_fact (&answer, "segment.target.trigger.1");
    cr_assert_not_null (trigger);
    cr_expect_str_eq (trigger->text, "usage_limit_pct >= 80");
    cr_expect_float_eq (trigger->number, 1.5, 1e-9);
    cr_expect_null (s_fact (&answer, "segment.target.trigger.2"));
    json_error_t jerr;
    json_t *json = json_loadb (answer.text, answer.text_len, 0, &jerr);
    cr_assert_not_null (json, "%s", jerr.text);
    cr_expect_str_eq (json_string_value (json_object_get (json, "trigger_basis")),
                      "high-propensity accounts");
    json_t *big = json_array_get (json_object_get (json, "segments"), 1);
    cr_expect_str_eq (json_string_value (json_object_get (big, "definition")), "arr >= 500000");
    cr_expect_eq (json_integer_value (json_object_get (
                      json_array_get (json_object_get (big, "triggers"), 0), "accounts")),
                  20);
    json_decref (json);
    answer_free (&answer);
    segments_destroy (&self);

    /*  Configured target wins even when another segment is larger. */
    self = s_load ("segmentation.target=healthy mid-market, low adoption");
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (segments_target (self, &p.input, &answer, &err), 0, "%s", err.msg);
    cr_expect_str_eq (s_fact (&answer, "segment.target")->text,
                      "healthy mid-market, low adoption");
    cr_expect_eq (s_number (&answer, "segment.target"), 0);
    answer_free (&answer);
    segments_destroy (&self);
}

/*  Four closed deals worked by hand: propensity 80 won, 60 won, 60 lost, 10 lost.
    AUC: pairs (80,60) 1, (80,10) 1, (60,60) 0.5, (60,10) 1 -> 3.5 / 4 = 0.875.
    Brier: (0.2^2 + 0.4^2 + 0.6^2 + 0.1^2) / 4 = 0.1425. Win rate 2/4. High propensity
    (>= 50): 2 of 3 won; low (< 20): 0 of 1. */
Test (segmentation, cohort_performance_on_paper)
{
    static s_portfolio_t p;
    s_portfolio_init (&p);
    for (size_t i = 0; i < 6; i++)
        s_account (&p, i < 3 ? "smb" : "enterprise", 10000, 50, 50, 10, 75);
    s_deal (&p, 0, "seat", 80, "closed-won", 10000)->amount = 12000;
    p.opportunity[0].has_amount = 1;
    s_deal (&p, 1, "seat", 60, "closed-won", 5000);
    s_deal (&p, 3, "tier", 60, "closed-lost", 5000);
    s_deal (&p, 4, "tier", 10, "closed-lost", 5000);
    s_deal (&p, 5, "cross-sell", 40, "demo", 5000);
    segments_t *self = s_load (NULL);
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    err_t err;
    cr_assert_eq (cohorts_performance (self, &p.input, &answer, &err), 0, "%s", err.msg);
    cr_expect_float_eq (s_number (&answer, "cohort.auc"), 0.875, 1e-12);
    cr_expect_float_eq (s_number (&answer, "cohort.brier"), 0.1425, 1e-12);
    cr_expect_eq (s_number (&answer, "cohort.closed"), 4);
    cr_expect_float_eq (s_number (&answer, "cohort.win_rate"), 0.5, 1e-12);
    cr_expect_str_eq (s_fact (&answer, "cohort.best_type")->text, "seat");
    cr_expect_float_eq (s_number (&answer, "cohort.high_propensity_win_rate"), 2.0 / 3, 1e-12);
    cr_expect_float_eq (s_number (&answer, "cohort.low_propensity_win_rate"), 0, 1e-12);
    json_error_t jerr;
    json_t *json = json_loadb (answer.text, answer.text_len, 0, &jerr);
    cr_assert_not_null (json, "%s", jerr.text);
    json_t *segment = json_object_get (json_object_get (json, "cohorts"), "segment");
    json_t *smb = json_array_get (segment, 0);
    cr_expect_str_eq (json_string_value (json_object_get (smb, "cohort")), "smb");
    cr_expect_eq (json_integer_value (json_object_get (smb, "won")), 2);
    cr_expect_eq (json_real_value (json_object_get (smb, "arr_won")), 17000);
    cr_expect_eq (json_real_value (json_object_get (smb, "win_rate")), 1);
    cr_expect_eq (json_real_value (json_object_get (smb, "expansion_rate")), 1);
    /*  smb 2/2 against enterprise 0/2: z = 2 > 1.0, both judged. */
    cr_expect_str_eq (json_string_value (json_object_get (smb, "verdict")), "high");
    cr_expect_str_eq (
        json_string_value (json_object_get (json_array_get (segment, 1), "verdict")), "low");
    json_t *calibration =
        json_object_get (json_object_get (json, "propensity_accuracy"), "calibration");
    cr_expect_eq (json_array_size (calibration), 2);
    /*  Top bin (80 and the first 60: won): mean predicted 0.7, observed 1, lift 2. */
    cr_expect_float_eq (
        json_real_value (json_object_get (json_array_get (calibration, 0), "mean_predicted")),
        0.7, 1e-9);
    cr_expect_float_eq (
        json_real_value (json_object_get (json_array_get (calibration, 0), "lift")), 2, 1e-9);
    json_decref (json);
    answer_free (&answer);
    segments_destroy (&self);
}

Test (segmentation, single_outcome_class_is_reported_not_nan)
{
    static s_portfolio_t p;
    s_portfolio_init (&p);
    for (size_t i = 0; i < 3; i++) {
        s_account (&p, "smb", 10000, 50, 50, 10, 75);
        s_deal (&p, i, "seat", 30.0 + 10 * (double)i, "closed-lost", 5000);
    }
    segments_t *self = s_load (NULL);
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    err_t err;
    cr_assert_eq (cohorts_performance (self, &p.input, &answer, &err), 0, "%s", err.msg);
    cr_expect_null (s_fact (&answer, "cohort.auc"));
    cr_expect_null (s_fact (&answer, "cohort.brier"));
    cr_expect (strstr (answer.summary, "not measurable"), "%s", answer.summary);
    cr_expect (strstr (answer.text, "\"error\""), "%s", answer.text);
    cr_expect_null (strstr (answer.text, "nan"));
    answer_free (&answer);
    segments_destroy (&self);
}
