/*  identifier_test.c: the identifier's arithmetic on a portfolio worked on paper (issue
    5 items 1 and 3): whitespace per type, propensity, BANT with evidence, readiness and
    rank, tiers, at-risk exclusion, assignment by capacity, refused configurations. */
#include "test_support.h"

#include "calendar.h"
#include "propensity.h"
#include "model.h"
#include "csvreader.h"
#include "qualify.h"
#include "whitespace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TS_SUITE (identifier);

static conf_t *
s_conf (const char *text)
{
    return ts_conf ("identifier.cfg", text);
}

/*  The refusal of a configuration text by every loader in turn (NULL if all load). */
static char *
s_refusal (const char *text)
{
    conf_t *conf = s_conf (text);
    err_t err;
    whitespace_t *ws = NULL;
    propensity_model_t *model = NULL;
    qualify_t *q = NULL;
    int rc = whitespace_load (conf, &ws, &err);
    if (!rc)
        rc = propensity_model_load (conf, &model, &err);
    if (!rc)
        rc = qualify_load (conf, &q, &err);
    whitespace_destroy (&ws);
    propensity_model_destroy (&model);
    qualify_destroy (&q);
    conf_destroy (&conf);
    return rc ? strdup (err.msg) : NULL;
}

static char *s_core[] = {"core"};
static char *s_all_modules[] = {"core",       "analytics", "workflow",
                                "automation", "security",  "integrations"};
static char *s_two_regions[] = {"americas", "emea"};
static char *s_one_region[] = {"americas"};

/*  starter, 100 seats (80 active) of 400 employees growing 20%, near the plan
    limit, core only, present in two regions and licensed in one. */
static void
s_account_a1 (Campaign__Account *a)
{
    campaign__account__init (a);
    a->account_id = "A-1";
    a->segment = "mid-market";
    a->region = "americas";
    a->tier = "starter";
    a->arr = 60000;
    a->seats_purchased = 100;
    a->seats_active = 80;
    a->employees = 400;
    a->employee_growth_pct = 20;
    a->usage_limit_pct = 85;
    a->feature_adoption_pct = 60;
    a->usage_growth_pct = 10;
    a->products = s_core;
    a->n_products = 1;
    a->regions_present = s_two_regions;
    a->n_regions_present = 2;
    a->regions_licensed = s_one_region;
    a->n_regions_licensed = 1;
    a->exec_sponsor = true;
    a->champion = false;
    a->csm = "CSM-1";
    a->renewal_date = "2026-12-04"; /* 60 days after 2026-10-05 */
}

/*  enterprise-plus, half its seats used, every module, every region licensed. */
static void
s_account_a2 (Campaign__Account *a)
{
    s_account_a1 (a);
    a->account_id = "A-2";
    a->tier = "enterprise-plus";
    a->seats_active = 50;
    a->products = s_all_modules;
    a->n_products = 6;
    a->regions_licensed = s_two_regions;
    a->n_regions_licensed = 2;
}

static void
s_health (Campaign__AccountHealth *h, const char *band, double score, bool ready)
{
    campaign__account_health__init (h);
    h->band = (char *)band;
    h->has_score = 1;
    h->score = score;
    h->has_expansion_ready = 1;
    h->expansion_ready = ready;
}

Test (identifier, whitespace_per_type_as_worked_on_paper)
{
    conf_t *conf = s_conf ("");
    whitespace_t *ws = NULL;
    err_t err;
    cr_assert_eq (whitespace_load (conf, &ws, &err), 0, "%s", err.msg);
    Campaign__Account a;
    s_account_a1 (&a);
    whitespace_potential_t p;
    whitespace_potential (ws, &a, NULL, 0, &p);
    /*  Seats: utilisation 0.8 >= 0.7, growth 20% -> share 0.1 + 0.2 = 0.3: 30 seats x $240. */
    cr_expect_float_eq (p.arr[WS_SEAT], 7200, 1e-9, "%s", p.why[WS_SEAT]);
    /*  Tier: usage 85% >= 80%: (420 - 240) x 100 seats. */
    cr_expect_float_eq (p.arr[WS_TIER], 18000, 1e-9, "%s", p.why[WS_TIER]);
    /*  Cross-sell: core is adjacent to analytics ($96) and workflow ($84): 96 x 100. */
    cr_expect_float_eq (p.arr[WS_CROSS_SELL], 9600, 1e-9, "%s", p.why[WS_CROSS_SELL]);
    cr_expect_str_eq (p.module, "analytics");
    cr_expect_float_eq (p.adjacent, 2, 1e-9);
    /*  Geo: emea present, not licensed: $24,000. */
    cr_expect_float_eq (p.arr[WS_GEO], 24000, 1e-9, "%s", p.why[WS_GEO]);

    /*  A healthy score keeps the cross-sell; watch or at-risk removes it. */
    Campaign__AccountHealth h;
    s_health (&h, "healthy", 80, true);
    whitespace_potential (ws, &a, &h, 0, &p);
    cr_expect_float_eq (p.arr[WS_CROSS_SELL], 9600, 1e-9);
    s_health (&h, "watch", 60, false);
    whitespace_potential (ws, &a, &h, 0, &p);
    cr_expect_float_eq (p.arr[WS_CROSS_SELL], 0, 1e-9);
    cr_expect (strstr (p.why[WS_CROSS_SELL], "watch"));

    /*  No growth but low penetration (25%) still makes a seat case: share 0.1, 10 seats. */
    a.employee_growth_pct = 0;
    whitespace_potential (ws, &a, NULL, 0, &p);
    cr_expect_float_eq (p.arr[WS_SEAT], 2400, 1e-9);
    /*  Far from the limit, low adoption: a premium feature request alone makes the case. */
    a.usage_limit_pct = 40;
    a.feature_adoption_pct = 30;
    whitespace_potential (ws, &a, NULL, 0, &p);
    cr_expect_float_eq (p.arr[WS_TIER], 0, 1e-9);
    whitespace_potential (ws, &a, NULL, 1, &p);
    cr_expect_float_eq (p.arr[WS_TIER], 18000, 1e-9);

    /*  top tier, seats half used, every module, every region: nothing at all. */
    Campaign__Account b;
    s_account_a2 (&b);
    whitespace_potential (ws, &b, NULL, 0, &p);
    for (int t = 0; t < WS_TYPES; t++)
        cr_expect_float_eq (p.arr[t], 0, 1e-9, "%s: %s", whitespace_types[t], p.why[t]);
    whitespace_destroy (&ws);
    conf_destroy (&conf);
}

Test (identifier, catalogue_from_configuration)
{
    conf_t *conf =
        s_conf ("catalog = { modules = ( { name = \"core\"; price_per_seat = 0.0; },"
                " { name = \"analytics\"; price_per_seat = 50.0; } );"
                " adjacency = { core = { analytics = 0.5; }; };"
                " regions = ( { name = \"emea\"; price = 1000.0; } ); };\n"
                "identifier = { whitespace = { seats = { min_utilisation = 0.9; }; }; };\n");
    whitespace_t *ws = NULL;
    err_t err;
    cr_assert_eq (whitespace_load (conf, &ws, &err), 0, "%s", err.msg);
    Campaign__Account a;
    s_account_a1 (&a);
    whitespace_potential_t p;
    whitespace_potential (ws, &a, NULL, 0, &p);
    cr_expect_float_eq (p.arr[WS_SEAT], 0, 1e-9, "utilisation 0.8 < 0.9");
    cr_expect_float_eq (p.arr[WS_CROSS_SELL], 0.5 * 50 * 100, 1e-9);
    cr_expect_float_eq (p.arr[WS_GEO], 1000, 1e-9);
    whitespace_destroy (&ws);
    conf_destroy (&conf);
}

Test (identifier, propensity_is_logistic_with_signed_contributions)
{
    conf_t *conf =
        s_conf ("identifier = { propensity = { top_features = 2;"
                " features = { adoption = { mean = 50.0; scale = 10.0; }; };"
                " seat = { intercept = -1.0; weights = { adoption = 2.0; champion = 1.0;"
                " nps = -0.01; }; }; }; };\n");
    propensity_model_t *model = NULL;
    err_t err;
    cr_assert_eq (propensity_model_load (conf, &model, &err), 0, "%s", err.msg);
    Campaign__Account a;
    s_account_a1 (&a);
    a.feature_adoption_pct = 60;
    a.champion = true;
    a.nps = 50;
    double x[PROP_FEATURES];
    propensity_account_features (&a, 2, x);
    cr_expect_float_eq (x[PROP_UTILISATION], 0.8, 1e-12);
    cr_expect_float_eq (x[PROP_PENETRATION], 0.25, 1e-12);
    cr_expect_float_eq (x[PROP_GEO_GAP], 1, 1e-12);
    propensity_t p;
    propensity_score (model, PROP_SEAT, x, &p);
    /*  adoption z = (60 - 50) / 10 = 1: +2; champion raw 1: +1; nps raw 50: -0.5.
        logit = -1 + 2 + 1 - 0.5 = 1.5; 100 / (1 + e^-1.5) = 81.757. */
    cr_expect_float_eq (p.logit, 1.5, 1e-12);
    cr_expect_float_eq (p.score, 81.7574476, 1e-6);
    cr_assert_eq (p.n_top, 2);
    cr_expect_str_eq (p.top[0].feature, "adoption");
    cr_expect_float_eq (p.top[0].contribution, 2.0, 1e-12);
    cr_expect_str_eq (p.top[1].feature, "champion");
    char text[128];
    cr_expect_str_eq (propensity_explain (&p, text, sizeof text),
                      "adoption +2.00, champion +1.00");
    propensity_model_destroy (&model);
    conf_destroy (&conf);

    /*  The defaults equal the configuration file's coefficients. */
    conf_t *empty = s_conf ("");
    char *base = NULL;
    cr_assert (asprintf (&base, "%s/config/campaign.cfg", CAMPAIGN_SOURCE_DIR) > 0);
    conf_t *file = conf_new ();
    cr_assert_eq (conf_load_file (file, base, &err), 0, "%s", err.msg);
    propensity_model_t *m1 = NULL, *m2 = NULL;
    cr_assert_eq (propensity_model_load (empty, &m1, &err), 0);
    cr_assert_eq (propensity_model_load (file, &m2, &err), 0, "%s", err.msg);
    for (int play = 0; play < PROP_PLAYS; play++) {
        propensity_t p1, p2;
        propensity_score (m1, (propensity_play_t)play, x, &p1);
        propensity_score (m2, (propensity_play_t)play, x, &p2);
        cr_expect_float_eq (p1.score, p2.score, 1e-9, "%s", propensity_plays[play]);
    }
    propensity_model_destroy (&m1);
    propensity_model_destroy (&m2);
    conf_destroy (&empty);
    conf_destroy (&file);
    free (base);
}

static int32_t
s_today (void)
{
    int32_t today;
    date_parse ("2026-10-05", &today);
    return today;
}

/*  A campaign-model file fitted per play scores in the identifier exactly as
    model_predict does (issue 5 item 1, issue 7 item 1). */
Test (identifier, propensity_from_a_campaign_model_file)
{
    char *dir = ts_tempdir ();
    char csv_text[16384];
    size_t len =
        (size_t)snprintf (csv_text, sizeof csv_text, "utilisation,nps,champion,type,won\n");
    for (int i = 0; i < 120; i++) {
        double u = 0.4 + 0.005 * (i % 97), nps = (double)((i * 37) % 120) - 40;
        int champion = i % 3 == 0, won = (u * 3 + nps / 50 + champion + (i % 5) * 0.3) > 2.6;
        len += (size_t)snprintf (csv_text + len, sizeof csv_text - len, "%.3f,%.0f,%d,%s,%d\n",
                                 u, nps, champion, i % 2 ? "seat" : "tier", won);
    }
    char *csv_path = ts_write_file (dir, "history.csv", csv_text);
    csvreader_t *csv = NULL;
    err_t err;
    cr_assert_eq (csvreader_open (csv_path, &csv, &err), 0, "%s", err.msg);
    model_options_t options;
    model_options_default (&options);
    options.label = "won";
    options.group = "type";
    model_t *fitted = NULL;
    cr_assert_eq (model_fit (csv, &options, &fitted, &err), 0, "%s", err.msg);
    char *model_path = NULL;
    cr_assert (asprintf (&model_path, "%s/propensity.model", dir) > 0);
    cr_assert_eq (model_save (fitted, model_path, &err), 0, "%s", err.msg);

    char text[4200];
    snprintf (text, sizeof text, "identifier = { propensity = { model = \"%s\"; }; };\n",
              model_path);
    conf_t *conf = s_conf (text);
    propensity_model_t *model = NULL;
    cr_assert_eq (propensity_model_load (conf, &model, &err), 0, "%s", err.msg);
    Campaign__Account a;
    s_account_a1 (&a);
    double x[PROP_FEATURES];
    propensity_account_features (&a, 2, x);
    model_value_t values[] = {{"utilisation", x[PROP_UTILISATION], NULL},
                              {"nps", x[PROP_NPS], NULL},
                              {"champion", x[PROP_CHAMPION], NULL}};
    for (int play = PROP_SEAT; play <= PROP_TIER; play++) {
        double expected;
        cr_assert_eq (model_predict (fitted, play == PROP_SEAT ? "seat" : "tier", values, 3,
                                     &expected, &err),
                      0, "%s", err.msg);
        propensity_t p;
        propensity_score (model, (propensity_play_t)play, x, &p);
        cr_expect_float_eq (p.score, 100 * expected, 1e-9, "play %d: %f vs %f", play, p.score,
                            100 * expected);
    }
    /*  A play the file does not hold scores as before: its coefficients follow the
        file's standardisation. */
    conf_t *plain = s_conf ("identifier = { propensity = { top_features = 3; }; };\n");
    propensity_model_t *before = NULL;
    cr_assert_eq (propensity_model_load (plain, &before, &err), 0, "%s", err.msg);
    for (int play = PROP_CROSS_SELL; play <= PROP_GEO; play++) {
        propensity_t p, q;
        propensity_score (before, (propensity_play_t)play, x, &p);
        propensity_score (model, (propensity_play_t)play, x, &q);
        cr_expect_float_eq (q.score, p.score, 1e-9, "play %d: %f vs %f", play, q.score,
                            p.score);
    }
    propensity_model_destroy (&before);
    conf_destroy (&plain);
    propensity_model_destroy (&model);
    conf_destroy (&conf);

    /*  A model on other features is refused, naming the feature. */
    char *odd = ts_write_file (dir, "odd.csv",
                               "colour,won,type\nred,1,seat\nblue,0,seat\n"
                               "red,0,seat\nblue,1,seat\nred,1,seat\n");
    csvreader_t *odd_csv = NULL;
    model_t *odd_model = NULL;
    cr_assert_eq (csvreader_open (odd, &odd_csv, &err), 0, "%s", err.msg);
    options.folds = 0;
    cr_assert_eq (model_fit (odd_csv, &options, &odd_model, &err), 0, "%s", err.msg);
    cr_assert_eq (model_save (odd_model, model_path, &err), 0, "%s", err.msg);
    conf = s_conf (text);
    cr_expect_eq (propensity_model_load (conf, &model, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "colour"), "%s", err.msg);
    conf_destroy (&conf);
    model_destroy (&odd_model);
    csvreader_destroy (&odd_csv);
    free (odd);
    model_destroy (&fitted);
    csvreader_destroy (&csv);
    free (model_path);
    free (csv_path);
    ts_tempdir_remove (&dir);
}

Test (identifier, bant_from_data_alone_with_evidence)
{
    conf_t *conf = s_conf ("");
    qualify_t *q = NULL;
    err_t err;
    cr_assert_eq (qualify_load (conf, &q, &err), 0, "%s", err.msg);
    Campaign__Account a;
    s_account_a1 (&a);
    qualify_input_t in = {
        .account = &a, .type = "tier", .potential_arr = 25000, .propensity = 40};
    qualify_result_t r;
    qualify_score (q, &in, s_today (), &r);
    /*  B: renewal in 60 <= 120 days (0.5) + ARR 60,000 >= 50,000 (0.5) = 1.
        A: exec sponsor 0.5 + no champion 0 = 0.5.
        N: 0.5 x 25,000 / 50,000 + 0.5 x 10% / 20% = 0.5.
        T: renewal within the window: 1.   BANT 3.0 >= 2.5: qualified. */
    cr_expect_float_eq (r.letters[QUALIFY_BUDGET].score, 1.0, 1e-12);
    cr_expect_float_eq (r.letters[QUALIFY_AUTHORITY].score, 0.5, 1e-12);
    cr_expect_float_eq (r.letters[QUALIFY_NEED].score, 0.5, 1e-12);
    cr_expect_float_eq (r.letters[QUALIFY_TIMING].score, 1.0, 1e-12);
    cr_expect_float_eq (r.bant, 3.0, 1e-12);
    cr_expect (r.qualified);
    cr_expect (strstr (r.letters[QUALIFY_BUDGET].evidence, "renewal in 60 days"), "%s",
               r.letters[QUALIFY_BUDGET].evidence);
    cr_expect (strstr (r.letters[QUALIFY_AUTHORITY].evidence, "exec sponsor yes"));
    cr_expect (strstr (r.letters[QUALIFY_NEED].evidence, "no answer"));
    /*  No health: readiness 0.5 x 0.5 (missing) + 0.5 x 3 / 4 = 0.625;
        rank = 0.40 x 25,000 x 0.625 = 6,250. */
    cr_expect_float_eq (r.readiness, 0.625, 1e-12);
    cr_expect_float_eq (r.rank, 6250, 1e-9);
    cr_expect_not (r.complex, "mid-market is not complex");
    /*  Healthy and ready, score 80: readiness 0.5 x 0.8 + 0.375 = 0.775; rank 7,750.
        Not ready: 0.5 x 0.8 x 0.7 + 0.375 = 0.655. */
    Campaign__AccountHealth h;
    s_health (&h, "healthy", 80, true);
    in.health = &h;
    qualify_score (q, &in, s_today (), &r);
    cr_expect_float_eq (r.readiness, 0.775, 1e-12);
    cr_expect_float_eq (r.rank, 7750, 1e-9);
    h.expansion_ready = false;
    qualify_score (q, &in, s_today (), &r);
    cr_expect_float_eq (r.readiness, 0.655, 1e-12);
    /*  Enterprise above $30,000 is complex. */
    a.segment = "enterprise";
    in.potential_arr = 40000;
    qualify_score (q, &in, s_today (), &r);
    cr_expect (r.complex);
    qualify_destroy (&q);
    conf_destroy (&conf);
}

Test (identifier, bant_blends_the_discovery_note)
{
    conf_t *conf = s_conf ("");
    qualify_t *q = NULL;
    err_t err;
    cr_assert_eq (qualify_load (conf, &q, &err), 0, "%s", err.msg);
    Campaign__Account a;
    s_account_a1 (&a);
    Campaign__Note note;
    campaign__note__init (&note);
    note.account_id = "A-1";
    note.budget = "no";
    note.authority = "yes";
    note.need = "high";
    note.timing = "Next year, after the reorg";
    qualify_input_t in = {
        .account = &a, .note = &note, .type = "tier", .potential_arr = 25000, .propensity = 40};
    qualify_result_t r;
    qualify_score (q, &in, s_today (), &r);
    /*  B 0.7 x 0 + 0.3 x 1 = 0.3; A 0.7 + 0.3 x 0.5 = 0.85; N 0.7 + 0.3 x 0.5 = 0.85;
        T 0.7 x 0.2 + 0.3 x 1 = 0.44. BANT 2.44 < 2.5: not qualified. */
    cr_expect_float_eq (r.letters[QUALIFY_BUDGET].score, 0.3, 1e-12);
    cr_expect_float_eq (r.letters[QUALIFY_AUTHORITY].score, 0.85, 1e-12);
    cr_expect_float_eq (r.letters[QUALIFY_NEED].score, 0.85, 1e-12);
    cr_expect_float_eq (r.letters[QUALIFY_TIMING].score, 0.44, 1e-12);
    cr_expect_float_eq (r.bant, 2.44, 1e-12);
    cr_expect_not (r.qualified);
    cr_expect (strstr (r.letters[QUALIFY_BUDGET].evidence, "note: no"));
    cr_expect (strstr (r.letters[QUALIFY_TIMING].evidence, "Next year"));
    /*  "this quarter": T = 0.7 + 0.3 = 1.0, BANT 3.0. Unknown budget: the data alone. */
    note.timing = "this quarter";
    note.budget = "unknown";
    qualify_score (q, &in, s_today (), &r);
    cr_expect_float_eq (r.letters[QUALIFY_TIMING].score, 1.0, 1e-12);
    cr_expect_float_eq (r.letters[QUALIFY_BUDGET].score, 1.0, 1e-12);
    cr_expect (r.qualified);
    qualify_destroy (&q);
    conf_destroy (&conf);
}

Test (identifier, at_risk_accounts_are_excluded_or_flagged)
{
    Campaign__Account a;
    s_account_a1 (&a);
    Campaign__AccountHealth h;
    s_health (&h, "at-risk", 40, false);
    qualify_input_t in = {
        .account = &a, .health = &h, .type = "seat", .potential_arr = 25000, .propensity = 90};
    err_t err;
    for (int exclude = 0; exclude < 2; exclude++) {
        conf_t *conf = s_conf (exclude ? "" : "identifier = { exclude_at_risk = false; };\n");
        qualify_t *q = NULL;
        cr_assert_eq (qualify_load (conf, &q, &err), 0, "%s", err.msg);
        qualify_result_t r[2];
        qualify_score (q, &in, s_today (), &r[0]);
        in.health = NULL;
        qualify_score (q, &in, s_today (), &r[1]);
        in.health = &h;
        cr_expect (r[0].at_risk);
        cr_expect_eq (r[0].excluded, exclude == 1);
        cr_expect_eq (r[0].qualified, exclude == 0, "BANT 3.0 qualifies unless excluded");
        qualify_tiers (q, r, 2, 100);
        /*  100 accounts: 2 Tier 1 places; the excluded one falls to tier 3. */
        cr_expect_eq (r[0].tier, exclude ? 3u : 1u);
        cr_expect_eq (r[1].tier, 1u);
        qualify_destroy (&q);
        conf_destroy (&conf);
    }
}

Test (identifier, tiers_follow_rank_and_configured_shares)
{
    conf_t *conf =
        s_conf ("identifier = { tiers = { tier1_share = 0.02; tier2_share = 0.03; }; };\n");
    qualify_t *q = NULL;
    err_t err;
    cr_assert_eq (qualify_load (conf, &q, &err), 0, "%s", err.msg);
    qualify_result_t r[11];
    memset (r, 0, sizeof r);
    for (int i = 0; i < 10; i++) {
        r[i].rank = 100 + 10 * ((i * 7) % 10); /* ranks 100..190, shuffled */
        r[i].qualified = true;
    }
    r[10].rank = 1e9; /* the best rank, not qualified */
    /*  100 accounts: round (2.0) Tier 1, round (3.0) Tier 2. */
    qualify_tiers (q, r, 11, 100);
    int counts[4] = {0};
    for (int i = 0; i < 11; i++) {
        counts[r[i].tier]++;
        if (r[i].tier == 1)
            cr_expect_geq (r[i].rank, 180);
        else if (r[i].tier == 2)
            cr_expect (r[i].rank >= 150 && r[i].rank <= 170);
    }
    cr_expect_eq (r[10].tier, 3u, "unqualified is never tiered up");
    cr_expect_eq (counts[1], 2);
    cr_expect_eq (counts[2], 3);
    cr_expect_eq (counts[3], 6);
    qualify_destroy (&q);
    conf_destroy (&conf);
}

/*  identifier.qualify.max_share 0.04 of 100 accounts: the 4 best-ranked of the 10 that
    passed BANT stay qualified (ranks 190, 180: Tier 1; 170, 160: Tier 2 of its 3
    places); the other 6 passed but are not qualified, Tier 3. max_share 0: no cap. */
Test (identifier, qualified_are_capped_to_a_share_of_the_batch)
{
    for (int capped = 0; capped < 2; capped++) {
        conf_t *conf =
            s_conf (capped ? "identifier = { qualify = { max_share = 0.04; };\n"
                             "  tiers = { tier1_share = 0.02; tier2_share = 0.03; }; };\n"
                           : "identifier = { qualify = { max_share = 0.0; };\n"
                             "  tiers = { tier1_share = 0.02; tier2_share = 0.03; }; };\n");
        qualify_t *q = NULL;
        err_t err;
        cr_assert_eq (qualify_load (conf, &q, &err), 0, "%s", err.msg);
        qualify_result_t r[10];
        memset (r, 0, sizeof r);
        for (int i = 0; i < 10; i++) {
            r[i].rank = 100 + 10 * ((i * 7) % 10); /* ranks 100..190, shuffled */
            r[i].passed = r[i].qualified = true;
        }
        qualify_tiers (q, r, 10, 100);
        int qualified = 0, counts[4] = {0};
        for (int i = 0; i < 10; i++) {
            qualified += r[i].qualified;
            counts[r[i].tier]++;
            cr_expect (r[i].passed, "the cap never clears passed");
            if (r[i].qualified)
                cr_expect_geq (r[i].rank, capped ? 160 : 100);
            else
                cr_expect_eq (r[i].tier, 3u);
        }
        cr_expect_eq (qualified, capped ? 4 : 10);
        cr_expect_eq (counts[1], 2);
        cr_expect_eq (counts[2], capped ? 2 : 3);
        qualify_destroy (&q);
        conf_destroy (&conf);
    }
    /*  A share out of range is refused with its place. */
    char *msg = s_refusal ("identifier = { qualify = { max_share = 1.5; }; };\n");
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "max_share"), "%s", msg);
    free (msg);
}

static Campaign__Person *
s_person (Campaign__Person *p, const char *id, const char *role, const char *region,
          double hours)
{
    campaign__person__init (p);
    p->person_id = (char *)id;
    p->role = (char *)role;
    p->region = (char *)region;
    p->has_capacity_hours_per_week = 1;
    p->capacity_hours_per_week = hours;
    return p;
}

Test (identifier, assignment_prefers_the_owner_and_never_exceeds_capacity)
{
    conf_t *conf = s_conf ("");
    qualify_t *q = NULL;
    err_t err;
    cr_assert_eq (qualify_load (conf, &q, &err), 0, "%s", err.msg);
    /*  Week 9 of a campaign selling until week 10: 2 weeks x half the capacity. */
    cr_expect_eq (qualify_weeks_left (q, 9), 2);
    cr_expect_eq (qualify_weeks_left (q, 3), 8);
    cr_expect_eq (qualify_weeks_left (q, 11), 0);
    cr_expect_float_eq (qualify_hours (q, "seat"), 15, 1e-12);
    cr_expect_float_eq (qualify_hours (q, "cross-sell"), 20, 1e-12);
    Campaign__Person people[4];
    Campaign__Person *list[4] = {s_person (&people[0], "CSM-1", "csm", "americas", 20),
                                 s_person (&people[1], "CSM-2", "csm", "americas", 30),
                                 s_person (&people[2], "CSM-3", "csm", "emea", 40),
                                 s_person (&people[3], "AE-1", "ae", "americas", 40)};
    qualify_ledger_t *ledger = qualify_ledger_new (q, list, 4, 2);
    cr_assert_not_null (ledger);
    /*  Hours: CSM-1 20, CSM-2 30, CSM-3 40; an AE is not a CSM. */
    cr_expect_float_eq (qualify_ledger_free (ledger, "CSM-1"), 20, 1e-12);
    cr_expect_float_eq (qualify_ledger_free (ledger, "AE-1"), -1, 1e-12);
    cr_expect_str_eq (qualify_ledger_assign (ledger, "CSM-1", "americas", 15), "CSM-1");
    /*  CSM-1 has 5 left: overflow to the region's CSM with the most free hours. */
    cr_expect_str_eq (qualify_ledger_assign (ledger, "CSM-1", "americas", 15), "CSM-2");
    cr_expect_str_eq (qualify_ledger_assign (ledger, "CSM-3", "emea", 20), "CSM-3");
    cr_expect_str_eq (qualify_ledger_assign (ledger, "CSM-1", "americas", 15), "CSM-2");
    /*  Americas is full (5 and 0 left): nobody, even though emea has 20 free. */
    cr_expect_null (qualify_ledger_assign (ledger, "CSM-1", "americas", 15));
    cr_expect_float_eq (qualify_ledger_free (ledger, "CSM-2"), 0, 1e-12);
    qualify_ledger_destroy (&ledger);

    /*  Many assignments: nobody's free hours ever go below zero. */
    ledger = qualify_ledger_new (q, list, 4, 8);
    double booked[3] = {0, 0, 0};
    for (int i = 0; i < 200; i++) {
        const char *owner = i % 3 == 0 ? "CSM-1" : i % 3 == 1 ? "CSM-2" : "CSM-3";
        const char *who = qualify_ledger_assign (
            ledger, owner, i % 3 == 2 ? "emea" : "americas", i % 2 ? 15 : 20);
        if (who)
            booked[who[4] - '1'] += i % 2 ? 15 : 20;
    }
    double capacity[3] = {20 * 0.5 * 8, 30 * 0.5 * 8, 40 * 0.5 * 8};
    for (int c = 0; c < 3; c++) {
        cr_expect_leq (booked[c], capacity[c]);
        char id[8];
        snprintf (id, sizeof id, "CSM-%d", c + 1);
        cr_expect_geq (qualify_ledger_free (ledger, id), 0);
    }
    qualify_ledger_destroy (&ledger);
    qualify_destroy (&q);
    conf_destroy (&conf);
}

Test (identifier, configuration_mistakes_are_refused_with_file_and_line)
{
    char *msg = s_refusal ("identifier = { propensity = {\n"
                           "  seat = { weights = { adoption = 1.0;\n"
                           "    happiness = 2.0; }; }; }; };\n");
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "identifier.cfg:3") && strstr (msg, "happiness"), "%s", msg);
    free (msg);
    msg = s_refusal ("catalog = { adjacency = {\n core = { teleport = 1.0; }; }; };\n");
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "identifier.cfg:2") && strstr (msg, "teleport"), "%s", msg);
    free (msg);
    msg = s_refusal ("catalog = { tiers = (\n { name = \"starter\"; price_per_seat = -5.0; }"
                     " ); };\n");
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "identifier.cfg:2") && strstr (msg, "starter"), "%s", msg);
    free (msg);
    msg = s_refusal ("identifier = { propensity = { features = {\n"
                     " adoption = { mean = 1.0; scale = 0.0; }; }; }; };\n");
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "identifier.cfg:2") && strstr (msg, "scale"), "%s", msg);
    free (msg);
    msg = s_refusal ("identifier = { assignment = { hours = {\n upsell = 3.0; }; }; };\n");
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "identifier.cfg:2") && strstr (msg, "upsell"), "%s", msg);
    free (msg);
    /*  The bundled configuration loads. */
    char *base = NULL;
    cr_assert (asprintf (&base, "%s/config/campaign.cfg", CAMPAIGN_SOURCE_DIR) > 0);
    char *text = ts_read_file (base);
    msg = s_refusal (text);
    cr_expect_null (msg, "%s", msg ? msg : "");
    free (msg);
    free (text);
    free (base);
}
