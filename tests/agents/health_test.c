/*  health_test.c: the health model's arithmetic, edges and explanations (issue 4). */
#include "test_support.h"

#include "calendar.h"
#include "health.h"

#include <math.h>
#include <string.h>

TS_SUITE (health);

static health_model_t *
s_model (const char *text)
{
    conf_t *conf = ts_conf ("health.cfg", text);
    err_t err;
    health_model_t *model = NULL;
    int rc = health_model_load (conf, &model, &err);
    cr_assert_eq (rc, 0, "%s", err.msg);
    conf_destroy (&conf);
    return model;
}

/*  The refusal message for a model text, or NULL if it loads (caller frees). */
static char *
s_refusal (const char *text)
{
    conf_t *conf = ts_conf ("health.cfg", text);
    err_t err;
    health_model_t *model = NULL;
    int rc = health_model_load (conf, &model, &err);
    health_model_destroy (&model);
    conf_destroy (&conf);
    return rc ? strdup (err.msg) : NULL;
}

/*  A middling account; tests change one field at a time. */
static void
s_account (Campaign__Account *a)
{
    campaign__account__init (a);
    a->account_id = "A-1";
    a->has_seats_purchased = a->has_seats_active = 1;
    a->seats_purchased = 100;
    a->seats_active = 70;
    a->feature_adoption_pct = 45;
    a->usage_growth_pct = 5;
    a->nps = 10;
    a->support_tickets_90d = 10;
    a->champion = true;
    a->exec_sponsor = false;
    a->renewal_date = "2027-06-30";
}

static double
s_score (health_model_t *model, const Campaign__Account *account)
{
    int32_t today;
    date_parse ("2026-10-05", &today);
    Campaign__AccountHealth *health = NULL;
    err_t err;
    cr_assert_eq (health_score (model, account, today, &health, &err), 0, "%s", err.msg);
    double score = health->score;
    campaign__account_health__free_unpacked (health, NULL);
    return score;
}

Test (health, normalise_clamps_at_both_edges_and_reverses)
{
    cr_expect_float_eq (health_normalise (10, 10, 80), 0.0, 1e-12);
    cr_expect_float_eq (health_normalise (80, 10, 80), 1.0, 1e-12);
    cr_expect_float_eq (health_normalise (45, 10, 80), 0.5, 1e-12);
    cr_expect_float_eq (health_normalise (-5, 10, 80), 0.0, 1e-12);
    cr_expect_float_eq (health_normalise (500, 10, 80), 1.0, 1e-12);
    /*  low > high: less is better (support load). */
    cr_expect_float_eq (health_normalise (0, 20, 0), 1.0, 1e-12);
    cr_expect_float_eq (health_normalise (20, 20, 0), 0.0, 1e-12);
    cr_expect_float_eq (health_normalise (25, 20, 0), 0.0, 1e-12);
    cr_expect_float_eq (health_normalise (5, 20, 0), 0.75, 1e-12);
}

Test (health, score_is_fifty_plus_the_contributions)
{
    health_model_t *model = s_model ("");
    Campaign__Account a;
    s_account (&a);
    int32_t today;
    date_parse ("2026-10-05", &today);
    Campaign__AccountHealth *health = NULL;
    err_t err;
    cr_assert_eq (health_score (model, &a, today, &health, &err), 0);
    double sum = 50;
    for (size_t i = 0; i < health->n_contributions; i++) {
        sum += health->contributions[i]->points;
        if (i > 0)
            cr_expect_geq (fabs (health->contributions[i - 1]->points),
                           fabs (health->contributions[i]->points), "largest first");
    }
    cr_expect_float_eq (health->score, round (sum * 10) / 10, 1e-9);
    cr_expect_eq (health->n_contributions, 8);
    cr_expect_str_eq (health->scored_on, "2026-10-05");
    campaign__account_health__free_unpacked (health, NULL);
    health_model_destroy (&model);
}

Test (health, weights_that_do_not_sum_to_one_are_normalised)
{
    /*  Doubling every weight changes nothing. */
    health_model_t *one =
        s_model ("health = { measures = ( { name = \"feature_adoption\"; weight = 0.3; },"
                 " { name = \"nps\"; weight = 0.2; } ); };\n");
    health_model_t *two =
        s_model ("health = { measures = ( { name = \"feature_adoption\"; weight = 3.0; },"
                 " { name = \"nps\"; weight = 2.0; } ); };\n");
    Campaign__Account a;
    s_account (&a);
    cr_expect_float_eq (s_score (one, &a), s_score (two, &a), 1e-9);
    /*  adoption 45 of 10..80 = 0.5 (weight 0.6: 0 points), nps 10 of -50..60 = 0.545
        (weight 0.4: +1.8 points): 51.8. */
    cr_expect_float_eq (s_score (one, &a), 51.8, 0.05);
    health_model_destroy (&one);
    health_model_destroy (&two);
}

Test (health, the_score_moves_the_documented_way_with_each_measure)
{
    health_model_t *model = s_model ("");
    Campaign__Account a, b;
    s_account (&a);
    s_account (&b);
    b.feature_adoption_pct = 70;
    cr_expect_gt (s_score (model, &b), s_score (model, &a), "more adoption, more health");
    s_account (&b);
    b.usage_growth_pct = 25;
    cr_expect_gt (s_score (model, &b), s_score (model, &a), "growing usage");
    s_account (&b);
    b.seats_active = 95;
    cr_expect_gt (s_score (model, &b), s_score (model, &a), "seats used");
    s_account (&b);
    b.nps = 50;
    cr_expect_gt (s_score (model, &b), s_score (model, &a), "promoters");
    s_account (&b);
    b.support_tickets_90d = 2;
    cr_expect_gt (s_score (model, &b), s_score (model, &a), "fewer tickets");
    s_account (&b);
    b.exec_sponsor = true;
    cr_expect_gt (s_score (model, &b), s_score (model, &a), "an executive sponsor");
    s_account (&b);
    b.has_stakeholder_change_days = 1;
    b.stakeholder_change_days = 10;
    cr_expect_lt (s_score (model, &b), s_score (model, &a), "a recent stakeholder change");
    s_account (&b);
    b.renewal_date = "2026-10-20";
    cr_expect_lt (s_score (model, &b), s_score (model, &a), "renewal close");
    health_model_destroy (&model);
}

static bool
s_flagged (const Campaign__AccountHealth *health, const char *code)
{
    for (size_t i = 0; i < health->n_flags; i++)
        if (strcmp (health->flags[i]->code, code) == 0)
            return true;
    return false;
}

Test (health, flags_bands_and_readiness)
{
    health_model_t *model = s_model ("");
    int32_t today;
    date_parse ("2026-10-05", &today);
    err_t err;
    Campaign__Account a;
    s_account (&a);
    /*  A strong account without a stakeholder change on record is ready. */
    a.feature_adoption_pct = 80;
    a.usage_growth_pct = 30;
    a.seats_active = 95;
    a.nps = 60;
    a.support_tickets_90d = 0;
    a.exec_sponsor = true;
    Campaign__AccountHealth *health = NULL;
    cr_assert_eq (health_score (model, &a, today, &health, &err), 0);
    cr_expect_str_eq (health->band, "healthy");
    cr_expect (health->expansion_ready);
    cr_expect_eq (health->n_flags, 0);
    campaign__account_health__free_unpacked (health, NULL);
    /*  The same account with a stakeholder change 30 days ago: flagged, not ready. */
    a.has_stakeholder_change_days = 1;
    a.stakeholder_change_days = 30;
    cr_assert_eq (health_score (model, &a, today, &health, &err), 0);
    cr_expect (s_flagged (health, "stakeholder_change"));
    cr_expect (!health->expansion_ready);
    campaign__account_health__free_unpacked (health, NULL);
    /*  A weak one: at risk, with the flags and their numbers. */
    s_account (&a);
    a.feature_adoption_pct = 5;
    a.usage_growth_pct = -30;
    a.seats_active = 20;
    a.nps = -40;
    a.support_tickets_90d = 40;
    a.champion = false;
    a.renewal_date = "2026-11-01";
    cr_assert_eq (health_score (model, &a, today, &health, &err), 0);
    cr_expect_str_eq (health->band, "at-risk");
    cr_expect (s_flagged (health, "usage_falling"));
    cr_expect (s_flagged (health, "support_spike"));
    cr_expect (s_flagged (health, "detractor"));
    cr_expect (s_flagged (health, "renewal_risk"));
    cr_expect (s_flagged (health, "no_champion"));
    cr_expect (!s_flagged (health, "stakeholder_change"), "blank change means none");
    cr_expect (!health->expansion_ready);
    campaign__account_health__free_unpacked (health, NULL);
    health_model_destroy (&model);
}

Test (health, mistakes_in_the_model_are_refused_with_their_line)
{
    char *msg =
        s_refusal ("\nhealth = { measures = ( { name = \"karma\"; weight = 1.0; } ); };\n");
    cr_expect (msg && strstr (msg, "health.cfg:2") && strstr (msg, "karma"), "%s", msg);
    free (msg);
    msg = s_refusal ("health = { measures = ( { name = \"nps\"; weight = -1.0; } ); };\n");
    cr_expect (msg && strstr (msg, "weight"), "%s", msg);
    free (msg);
    msg = s_refusal ("health = { measures = ( { name = \"nps\"; weight = 0.0; } ); };\n");
    cr_expect (msg && strstr (msg, "sum to 0"), "%s", msg);
    free (msg);
    msg = s_refusal ("health = { bands = { healthy = 40.0; watch = 60.0; }; };\n");
    cr_expect (msg && strstr (msg, "watch"), "%s", msg);
    free (msg);
}
