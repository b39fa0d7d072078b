/*  identifier_weeks_test.c: the identifier's weeks 2 and 5-11 worked on paper (issue 5
    items 2, 4, 5, 6): plays on the calendar, ROI inputs, conversion targets, stalled
    deals and coaching, win probabilities and the P10-P90 band against a direct
    computation, every results figure, refused configurations, and the four tasks run
    in-process on a two-account TaskInput. */
#include "test_support.h"

#include "calendar.h"
#include "design.h"
#include "forecast.h"
#include "monitor.h"
#include "plays.h"
#include "results.h"
#include "weeks.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

TS_SUITE (identifier_weeks);

/*  Line numbers matter to the refusal tests: keep the plays where they are. */
static const char s_plays[] =
    "plays = (\n"                                                                     /* 1 */
    "  { type = \"seat\"; cycle_days = [30, 45]; win_rate = [0.60, 0.70];\n"          /* 2 */
    "    steps = ( { name = \"audit\"; touchpoint = \"usage review\"; days = 7; },\n" /* 3 */
    "              { name = \"mapping\"; touchpoint = \"workshop\"; days = 7; },\n"
    "              { name = \"case\"; touchpoint = \"business case\"; days = 5; },\n"
    "              { name = \"proposal\"; touchpoint = \"proposal\"; days = 3; },\n"
    "              { name = \"decision\"; touchpoint = \"decision call\"; days = 14; } );\n"
    "    stall_days = { proposal = 10; }; },\n"
    "  { type = \"cross-sell\"; cycle_days = [60, 120]; win_rate = [0.35, 0.45];\n"
    "    steps = ( { name = \"workshop\"; touchpoint = \"workshop\"; days = 10; },\n"
    "              { name = \"pilot\"; touchpoint = \"pilot\"; days = 60; } ); }\n"
    ");\n"
    "pipeline = { stages = [\"identified\", \"qualified\", \"discovery\", \"demo\", "
    "\"proposal\", \"negotiation\", \"closed-won\", \"closed-lost\"]; };\n";

static const char s_identifier[] =
    "identifier = {\n"
    "  design = { start_week = 3; pilot_share = 0.10; pilot_min_seats = 10; };\n"
    "  monitor = { stall_days = { discovery = 14; demo = 14; proposal = 14; };\n"
    "    health_drop = 10.0;\n"
    "    coaching = (\n"
    "      { stage = \"proposal\"; play = \"seat\"; obstacle = \"stalled\"; text = "
    "\"discount\"; },\n"
    "      { stage = \"*\"; play = \"*\"; obstacle = \"stalled\"; text = \"call\"; },\n"
    "      { stage = \"*\"; play = \"*\"; obstacle = \"no-champion\"; text = \"champion\"; }\n"
    "    ); };\n"
    "  forecast = { commit_from = 0.7; best_case_from = 0.4;\n"
    "    win_prob = { identified = [0.2, 0.1, 0.03]; qualified = [0.35, 0.2, 0.05];\n"
    "      discovery = [0.45, 0.25, 0.08]; demo = [0.55, 0.3, 0.1];\n"
    "      proposal = [0.7, 0.45, 0.2]; negotiation = [0.85, 0.65, 0.35]; };\n"
    "    acceleration = (\n"
    "      { play = \"seat\"; risk = \"slipping\"; text = \"sponsor call\"; },\n"
    "      { play = \"*\"; risk = \"stalled\"; text = \"close plan\"; },\n"
    "      { play = \"*\"; risk = \"*\"; text = \"review\"; }\n"
    "    ); };\n"
    "  results = { top_reasons = 2; };\n"
    "};\n"
    "campaign = { start_date = \"2026-10-05\"; };\n";

static conf_t *
s_conf (const char *text)
{
    return ts_conf ("weeks.cfg", text);
}

static conf_t *
s_default (void)
{
    char text[8192];
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    return s_conf (text);
}

static weeks_t *
s_weeks (void)
{
    conf_t *conf = s_default ();
    weeks_t *weeks = calloc (1, sizeof *weeks);
    int32_t start;
    err_t err;
    cr_assert_eq (date_parse ("2026-10-05", &start), 0);
    cr_assert_eq (weeks_load (conf, start, weeks, &err), 0, "%s", err.msg);
    conf_destroy (&conf);
    return weeks;
}

/*  The number of the fact name of answer (the test fails without it). */
static double
s_fact (const answer_t *answer, const char *name)
{
    for (size_t i = 0; i < answer->n_facts; i++)
        if (strcmp (answer->facts[i]->name, name) == 0)
            return answer->facts[i]->number;
    cr_assert_fail ("no fact %s", name);
    return 0;
}

/*  The refusal of the configuration by weeks_load (NULL if it loads). */
static char *
s_refusal (const char *text)
{
    conf_t *conf = s_conf (text);
    weeks_t *weeks = calloc (1, sizeof *weeks);
    err_t err;
    int rc = weeks_load (conf, 0, weeks, &err);
    free (weeks);
    conf_destroy (&conf);
    return rc ? strdup (err.msg) : NULL;
}

Test (identifier_weeks, plays_are_read_with_steps_and_limits)
{
    weeks_t *w = s_weeks ();
    cr_assert_eq (w->plays.n_play, 2);
    const plays_play_t *seat = plays_find (&w->plays, "seat");
    cr_assert_not_null (seat);
    cr_expect_null (plays_find (&w->plays, "tier"));
    cr_expect_eq (seat->n_steps, 5);
    cr_expect_eq (plays_days (seat), 36); /* 7 + 7 + 5 + 3 + 14 */
    cr_expect_eq (plays_cycle_mid (seat), 37);
    cr_expect_str_eq (seat->steps[3].touchpoint, "proposal");
    cr_expect_eq (plays_stall_limit (seat, "proposal"), 10);
    cr_expect_eq (plays_stall_limit (seat, "demo"), -1);
    free (w);
}

Test (identifier_weeks, design_lays_plays_from_week_3)
{
    weeks_t *w = s_weeks ();
    const plays_play_t *seat = plays_find (&w->plays, "seat");
    int32_t start = design_start (&w->design, w->start);
    char date[16];
    cr_expect_str_eq (date_format (start, date), "2026-10-19"); /* Monday of week 3 */
    design_slot_t slots[PLAYS_STEPS];
    design_schedule (seat, start, slots);
    cr_expect_eq (slots[0].start, start);
    cr_expect_eq (slots[0].end, start + 6);
    cr_expect_eq (slots[1].start, start + 7);
    cr_expect_eq (slots[2].start, start + 14);
    cr_expect_eq (slots[3].start, start + 19);
    cr_expect_eq (slots[4].start, start + 22);
    cr_expect_eq (slots[4].end, start + 35);

    design_target_t target;
    design_target (seat, 0, 0, &target);
    cr_expect_float_eq (target.conversion, 0.65, 1e-12);
    cr_expect (strstr (target.source, "configured prior") != NULL);
    design_target (seat, 4, 0.5, &target);
    cr_expect_float_eq (target.conversion, 0.5, 1e-12);
    free (w);
}

Test (identifier_weeks, roi_inputs_per_type)
{
    weeks_t *w = s_weeks ();
    Campaign__Account a = CAMPAIGN__ACCOUNT__INIT;
    a.account_id = "A-1";
    a.arr = 60000;
    a.seats_purchased = 100;
    a.seats_active = 80;
    design_roi_t roi;
    design_roi (&w->design, plays_find (&w->plays, "seat"), &a, "seat", 12000, &roi);
    cr_expect_float_eq (roi.price_per_seat, 600, 1e-9);
    cr_expect_float_eq (roi.added_seats, 20, 1e-9);
    cr_expect_float_eq (roi.value_per_added_seat, 600, 1e-9);
    design_roi (&w->design, NULL, &a, "tier", 25000, &roi);
    cr_expect_float_eq (roi.next_tier_value, 25000, 1e-9);
    cr_expect_float_eq (roi.next_tier_per_seat, 250, 1e-9);
    /*  10% of 80 active seats is 8, below the minimum of 10. */
    design_roi (&w->design, plays_find (&w->plays, "cross-sell"), &a, "cross-sell", 9000, &roi);
    cr_expect_float_eq (roi.pilot_seats, 10, 1e-9);
    cr_expect_eq (roi.pilot_days, 60);
    a.seats_active = 300;
    a.seats_purchased = 310;
    design_roi (&w->design, NULL, &a, "geo", 24000, &roi);
    cr_expect_float_eq (roi.pilot_seats, 30, 1e-9);
    cr_expect_eq (roi.pilot_days, 0);
    free (w);
}

Test (identifier_weeks, monitor_finds_stalled_deals_and_coaches)
{
    weeks_t *w = s_weeks ();
    const monitor_t *m = &w->monitor;
    const plays_play_t *seat = plays_find (&w->plays, "seat");
    const plays_play_t *cross = plays_find (&w->plays, "cross-sell");
    cr_expect_eq (monitor_stall_limit (m, seat, "proposal"), 10);   /* the play's */
    cr_expect_eq (monitor_stall_limit (m, cross, "proposal"), 14);  /* the default */
    cr_expect_eq (monitor_stall_limit (m, seat, "closed-won"), -1); /* never stalls */
    cr_expect_eq (monitor_stage (m, "demo"), 3);

    int32_t today;
    cr_assert_eq (date_parse ("2026-11-20", &today), 0);
    Campaign__Account a = CAMPAIGN__ACCOUNT__INIT;
    a.champion = true;
    Campaign__Opportunity o = CAMPAIGN__OPPORTUNITY__INIT;
    o.opportunity_id = "O-1";
    o.type = "seat";
    o.stage = "proposal";
    o.csm = "CSM-1";
    o.opened = "2026-10-20";
    o.stage_changed = "2026-11-08"; /* 12 days: past the seat play's 10 */
    monitor_deal_t deal;
    monitor_assess (m, seat, &o, &a, NULL, today, &deal);
    cr_expect_eq (deal.days_in_stage, 12);
    cr_expect_eq (deal.limit, 10);
    cr_expect (deal.stalled);
    cr_expect_str_eq (deal.obstacle, "stalled");
    cr_expect_str_eq (deal.coaching, "discount");
    /*  The same 12 days in a cross-sell proposal are within the default 14. */
    o.type = "cross-sell";
    monitor_assess (m, cross, &o, &a, NULL, today, &deal);
    cr_expect_not (deal.stalled);
    cr_expect_null (deal.obstacle);
    /*  20 days in discovery (stage never changed: from opened 2026-10-31): the catch-all. */
    o.stage = "discovery";
    o.stage_changed = NULL;
    o.opened = "2026-10-31";
    monitor_assess (m, cross, &o, &a, NULL, today, &deal);
    cr_expect_eq (deal.days_in_stage, 20);
    cr_expect_str_eq (deal.coaching, "call");
    /*  Fresh, but no champion; then a health fall of 12 points comes first. */
    o.opened = "2026-11-18";
    a.champion = false;
    monitor_assess (m, cross, &o, &a, NULL, today, &deal);
    cr_expect_str_eq (deal.obstacle, "no-champion");
    cr_expect_str_eq (deal.coaching, "champion");
    Campaign__AccountHealth h = CAMPAIGN__ACCOUNT_HEALTH__INIT;
    h.has_change = h.has_has_previous = 1;
    h.has_previous = true;
    h.change = -12;
    h.band = "watch";
    monitor_assess (m, cross, &o, &a, &h, today, &deal);
    cr_expect_str_eq (deal.obstacle, "health-dropped");
    cr_expect_null (deal.coaching, "no rule for health-dropped in this configuration");
    free (w);
}

Test (identifier_weeks, forecast_sums_and_band_against_a_direct_computation)
{
    weeks_t *w = s_weeks ();
    const forecast_t *f = &w->forecast;
    cr_expect_float_eq (forecast_probability (f, "proposal", 1), 0.7, 1e-12);
    cr_expect_float_eq (forecast_probability (f, "proposal", 2), 0.45, 1e-12);
    cr_expect_float_eq (forecast_probability (f, "proposal", 0), 0.2, 1e-12); /* untiered */
    cr_expect_float_eq (forecast_probability (f, "closed-won", 1), -1, 1e-12);
    cr_expect_str_eq (forecast_category (f, 0.7), "commit");
    cr_expect_str_eq (forecast_category (f, 0.69), "best case");
    cr_expect_str_eq (forecast_category (f, 0.4), "best case");
    cr_expect_str_eq (forecast_category (f, 0.1), "pipeline");

    /*  Won $10,000; open $20,000 at 0.7, $10,000 at 0.4, $30,000 at 0.1.
        expected = 10000 + 14000 + 4000 + 3000 = 31000
        variance = 20000^2 .21 + 10000^2 .24 + 30000^2 .09 = 189,000,000 */
    forecast_sum_t sum;
    memset (&sum, 0, sizeof sum);
    forecast_add_won (&sum, 10000);
    forecast_add_open (f, &sum, 20000, 0.7);
    forecast_add_open (f, &sum, 10000, 0.4);
    forecast_add_open (f, &sum, 30000, 0.1);
    forecast_band (&sum);
    cr_expect_float_eq (sum.expected, 31000, 1e-6);
    cr_expect_float_eq (sum.variance, 189e6, 1e-3);
    double sd = sqrt (189e6); /* 13,747.73 */
    cr_expect_float_eq (sum.p10, 31000 - 1.2815515655446004 * sd, 1e-6);
    cr_expect_float_eq (sum.p90, 31000 + 1.2815515655446004 * sd, 1e-6);
    cr_expect (fabs (sum.p10 - 13381.6) < 0.5, "p10 %.1f", sum.p10);
    cr_expect_float_eq (sum.commit, 20000, 1e-9);
    cr_expect_float_eq (sum.best_case, 10000, 1e-9);
    cr_expect_float_eq (sum.pipeline, 30000, 1e-9);
    cr_expect_eq (sum.deals, 3);

    /*  One $1,000 deal at 0.5: 500 -/+ 640.8 is clamped to what can happen, 0..1000. */
    memset (&sum, 0, sizeof sum);
    forecast_add_open (f, &sum, 1000, 0.5);
    forecast_band (&sum);
    cr_expect_float_eq (sum.p10, 0, 1e-9);
    cr_expect_float_eq (sum.p90, 1000, 1e-9);
    free (w);
}

/*  The timing model (forecast.h) with the defaults slip_share 0.25, slip_mean 0.5.
    Seat, cycle [30, 45]: S(x) = 1 - 0.75 (x - 30) / 15 inside the cycle; past 45,
    0.25 exp (-(x - 45) / 18.75), 18.75 = 0.5 x 37.5 days.
    - Age 10, 31 days left (days 1010..1040): S(41) = 1 - 0.75 x 11/15 = 0.45, q = 0.55.
    - Age 35, 6 days left: S(35) = 0.75, S(41) = 0.45, q = 1 - 0.45/0.75 = 0.4.
    - Age 40, 15 days left, into the slip: S(40) = 0.5, S(55) = 0.25 exp (-10/18.75),
      q = 1 - S(55)/0.5 = 1 - 0.5 exp (-0.5333) = 0.70668.
    - Age 50, past the slowest cycle, 10 days left: q = 1 - exp (-10/18.75) = 0.41335,
      the same at age 80: being later brings a slipped deal no closer.
    Cross-sell, cycle [60, 120], age 49, 21 days left: S(70) = 1 - 0.75 x 10/60 = 0.875,
    q = 0.125. Window over (by before today): 0. No play: 1.
    Median close: seat at age 10: S = 0.5 at 30 + 0.5 x 15/0.75 = 40, day 1040 (the
    configured middle was 37: a quarter of deals slip); at age 40: half of S(40) is
    0.25 = S(45), day 1045; at age 42: S(42) = 0.4, half 0.2 < 0.25, so 45 + 18.75 ln
    (0.25/0.2) = 49.18, day 1050; at age 50 (slipped): 50 + 18.75 ln 2 = 63.0, day 1063. */
Test (identifier_weeks, forecast_timing_on_paper)
{
    weeks_t *w = s_weeks ();
    const forecast_t *f = &w->forecast;
    cr_expect_float_eq (f->slip_share, 0.25, 1e-12);
    cr_expect_float_eq (f->slip_mean, 0.5, 1e-12);
    const plays_play_t *seat = plays_find (&w->plays, "seat");
    const plays_play_t *cross = plays_find (&w->plays, "cross-sell");
    cr_expect_float_eq (forecast_decided_by (f, seat, 1000, 1010, 1040), 0.55, 1e-12);
    cr_expect_float_eq (forecast_decided_by (f, seat, 1000, 1035, 1040), 0.4, 1e-12);
    cr_expect_float_eq (forecast_decided_by (f, seat, 1000, 1040, 1054),
                        1 - 0.5 * exp (-10 / 18.75), 1e-12);
    cr_expect (fabs (forecast_decided_by (f, seat, 1000, 1040, 1054) - 0.70668) < 1e-5);
    cr_expect_float_eq (forecast_decided_by (f, seat, 1000, 1050, 1059), 1 - exp (-10 / 18.75),
                        1e-12);
    cr_expect (fabs (forecast_decided_by (f, seat, 1000, 1050, 1059) - 0.41335) < 1e-5);
    cr_expect_float_eq (forecast_decided_by (f, seat, 1000, 1080, 1089), 1 - exp (-10 / 18.75),
                        1e-12);
    cr_expect_float_eq (forecast_decided_by (f, cross, 1000, 1049, 1069), 0.125, 1e-12);
    cr_expect_float_eq (forecast_decided_by (f, seat, 1000, 1060, 1059), 0, 1e-12);
    cr_expect_float_eq (forecast_decided_by (f, NULL, 1000, 1010, 1040), 1, 1e-12);

    cr_expect_eq (forecast_close (f, seat, 1000, 1010), 1040);
    cr_expect_eq (forecast_close (f, seat, 1000, 1040), 1045);
    cr_expect_eq (forecast_close (f, seat, 1000, 1042), 1050);
    cr_expect_eq (forecast_close (f, seat, 1000, 1050), 1063); /* late: not "now" */
    cr_expect_eq (forecast_close (f, NULL, 1000, 1010), 1010);
    free (w);
}

/*  A closed deal is evidence from its entry stage through the stage it closed from
    (forecast.h). Stages here: identified 0, qualified 1, discovery 2, demo 3, proposal
    4, negotiation 5. */
Test (identifier_weeks, forecast_closed_deal_reached_every_stage_to_closed_from)
{
    weeks_t *w = s_weeks ();
    const forecast_t *f = &w->forecast;
    size_t at[PLAYS_STAGES];
    cr_assert_eq (forecast_reached (f, true, "proposal", at), 4);
    for (size_t k = 0; k < 4; k++)
        cr_expect_eq (at[k], k + 1, "qualified .. proposal, not identified");
    cr_assert_eq (forecast_reached (f, true, "qualified", at), 1);
    cr_expect_eq (at[0], 1);
    cr_assert_eq (forecast_reached (f, false, "identified", at), 1);
    cr_expect_eq (at[0], 0);
    cr_assert_eq (forecast_reached (f, false, "discovery", at), 3, "worked unqualified");
    cr_expect (at[0] == 0 && at[1] == 1 && at[2] == 2);
    /*  Older stores: the entry stage only. */
    cr_assert_eq (forecast_reached (f, true, NULL, at), 1);
    cr_expect_eq (at[0], 1);
    cr_assert_eq (forecast_reached (f, true, "", at), 1);
    cr_expect_eq (at[0], 1);
    cr_assert_eq (forecast_reached (f, false, NULL, at), 1);
    cr_expect_eq (at[0], 0);
    cr_assert_eq (forecast_reached (f, true, "closed-won", at), 1, "not an open stage");
    cr_expect_eq (at[0], 1);
    free (w);
}

/*  The forecast task on opportunities[0..n) alone, on date; the answer in *answer. */
static void
s_forecast_on (const weeks_t *w, Campaign__Opportunity **opportunities, size_t n,
               const char *date, answer_t *answer)
{
    Campaign__TaskInput input = CAMPAIGN__TASK_INPUT__INIT;
    input.opportunities = opportunities;
    input.n_opportunities = n;
    int32_t today;
    cr_assert_eq (date_parse (date, &today), 0);
    memset (answer, 0, sizeof *answer);
    cr_assert_eq (weeks_run (w, "identifier.forecast", &input, today, answer), 0);
}

/*  The forecast task with closed_from. Type "tier" has no play here (play factor 1);
    every deal tier 1 and qualified but the last:
      won from negotiation ($5,000)  evidence won  at qualified .. negotiation
      lost from proposal             evidence lost at qualified .. proposal
      lost, no closed_from           evidence lost at qualified only (older store)
      open in negotiation, $10,000
      tier 3, unqualified, lost from identified: evidence at identified only.
    Tier 1 (nothing pooled from other tiers at these stages, 20 pseudo-deals):
      negotiation  1 deal, 1 won, prior .85: (17 + 1) / 21 = 6/7
      proposal     2 deals, 1 won, prior .70: (14 + 1) / 22 = 15/22
      demo         2 deals, 1 won, prior .55: (11 + 1) / 22 = 12/22
      qualified    3 deals, 1 won, prior .35: (7 + 1) / 23 = 8/23
    Tier 2 at negotiation follows tier 1's ratio: .65 x (6/7) / .85.
    Identified, tier 3: (20 x .03 + 0) / 21 = 0.6/21.
    expected = 5000 + 10000 x 6/7. */
Test (identifier_weeks, forecast_stage_learning_reads_closed_from)
{
    weeks_t *w = s_weeks ();
    const char *ids[] = {"won", "lost", "old", "open", "nurture"};
    const char *stages[] = {"closed-won", "closed-lost", "closed-lost", "negotiation",
                            "closed-lost"};
    const char *from[] = {"negotiation", "proposal", NULL, NULL, "identified"};
    Campaign__Opportunity o[5];
    Campaign__Opportunity *opps[5];
    for (int i = 0; i < 5; i++) {
        campaign__opportunity__init (&o[i]);
        o[i].opportunity_id = (char *)ids[i];
        o[i].account_id = "A-1";
        o[i].type = "tier";
        o[i].stage = (char *)stages[i];
        o[i].closed_from = (char *)from[i];
        o[i].has_potential_arr = o[i].has_tier = o[i].has_qualified = 1;
        o[i].potential_arr = 10000;
        o[i].tier = i < 4 ? 1 : 3;
        o[i].qualified = i < 4;
        o[i].opened = "2026-11-30";
        opps[i] = &o[i];
    }
    o[0].has_amount = 1;
    o[0].amount = 5000;
    answer_t answer;
    s_forecast_on (w, opps, 5, "2026-12-07", &answer);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.negotiation.tier1"), 6.0 / 7,
                        1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.proposal.tier1"), 15.0 / 22, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.demo.tier1"), 12.0 / 22, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.discovery.tier1"),
                        (20 * 0.45 + 1) / 22, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.qualified.tier1"), 8.0 / 23, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.negotiation.tier2"),
                        0.65 * (6.0 / 7) / 0.85, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.identified.tier3"), 0.6 / 21,
                        1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.expected_arr"), 5000 + 10000 * 6.0 / 7,
                        1e-6);
    cr_expect (strstr (answer.text,
                       "{\"stage\":\"negotiation\",\"prior\":[0.850,0.650,0.350],"
                       "\"learned\":[0.857,0.655,0.353],\"deals\":[1,0,0],\"won\":[1,0,0]") !=
                   NULL,
               "%s", answer.text);
    answer_free (&answer);
    free (w);
}

/*  Within the campaign (forecast.h). Start 2026-10-05, selling to the end of week 10
    (identifier.assignment.last_week's default): 2026-12-13; today 2026-12-07, 7 days
    left. No play factor or stage learning moves the priors (no decided deal of a play;
    the won deal, of type "geo" without a play here, is evidence at "qualified" only,
    where no open deal is).
      won, geo                                              $5,000
      seat, tier 1, negotiation, opened 2026-10-19 (49 days: past 45, slipped)
        $20,000, p .85, q = 1 - exp (-7/18.75)
      cross-sell, tier 2, proposal, opened 2026-10-05 (63 days): $40,000, p .45,
        q = 1 - S(70)/S(63) = 1 - .875/.9625 = 1/11
      tier (no play), tier 1, discovery: $10,000, p .45, q 1
      seat, tier 3, unqualified, identified: nurture, $30,000 x .03 in expected_arr only.
    expected_arr = 5000 + 17000 + 18000 + 4500 + 900 = 45,400
    in the campaign = 5000 + 17000 q + 18000/11 + 4500; its variance is sum amount^2
    pq (1 - pq) of the three worked deals, the band clamped to 5000 .. 5000 + 70000. */
Test (identifier_weeks, forecast_in_campaign_weighs_timing_and_leaves_nurture_out)
{
    weeks_t *w = s_weeks ();
    const char *ids[] = {"won", "slipped", "late-pilot", "no-play", "nurture"};
    const char *types[] = {"geo", "seat", "cross-sell", "tier", "seat"};
    const char *stages[] = {"closed-won", "negotiation", "proposal", "discovery", "identified"};
    const char *opened[] = {"2026-10-05", "2026-10-19", "2026-10-05", "2026-10-05",
                            "2026-10-05"};
    const uint32_t tiers[] = {2, 1, 2, 1, 3};
    const double amounts[] = {5000, 20000, 40000, 10000, 30000};
    Campaign__Opportunity o[5];
    Campaign__Opportunity *opps[5];
    for (int i = 0; i < 5; i++) {
        campaign__opportunity__init (&o[i]);
        o[i].opportunity_id = (char *)ids[i];
        o[i].account_id = "A-1";
        o[i].type = (char *)types[i];
        o[i].stage = (char *)stages[i];
        o[i].has_potential_arr = o[i].has_tier = o[i].has_qualified = 1;
        o[i].potential_arr = amounts[i];
        o[i].tier = tiers[i];
        o[i].qualified = i < 4;
        o[i].opened = (char *)opened[i];
        o[i].stage_changed = "2026-12-01";
        opps[i] = &o[i];
    }
    o[0].has_amount = 1;
    o[0].amount = 5000;
    answer_t answer;
    s_forecast_on (w, opps, 5, "2026-12-07", &answer);
    double q = 1 - exp (-7 / 18.75); /* 0.31156 */
    double p[3] = {0.85 * q, 0.45 / 11, 0.45}, a[3] = {20000, 40000, 10000};
    double mean = 5000, variance = 0;
    for (int i = 0; i < 3; i++) {
        mean += a[i] * p[i];
        variance += a[i] * a[i] * p[i] * (1 - p[i]);
    }
    cr_expect (fabs (mean - 16433.0) < 0.5, "in the campaign %.1f", mean);
    cr_expect_float_eq (s_fact (&answer, "forecast.expected_arr"), 45400, 1e-6);
    cr_expect_float_eq (s_fact (&answer, "forecast.expected_in_campaign"), mean, 1e-6);
    double sd = sqrt (variance);
    cr_expect_float_eq (s_fact (&answer, "forecast.in_campaign_p10"),
                        fmax (5000, mean - FORECAST_Z90 * sd), 1e-6);
    cr_expect_float_eq (s_fact (&answer, "forecast.in_campaign_p90"),
                        fmin (75000, mean + FORECAST_Z90 * sd), 1e-6);
    cr_expect_float_eq (s_fact (&answer, "forecast.close_by"), 7, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.nurture_deals"), 1, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.nurture_expected"), 900, 1e-9);
    cr_expect (strstr (answer.text, "\"close_by\":\"2026-12-13\"") != NULL, "%s", answer.text);
    cr_expect (strstr (answer.text, "\"nurture\":true") != NULL, "%s", answer.text);
    answer_free (&answer);

    /*  Once the selling window is over, only the won ARR is left within the campaign. */
    s_forecast_on (w, opps, 5, "2026-12-14", &answer);
    cr_expect_float_eq (s_fact (&answer, "forecast.expected_in_campaign"), 5000, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "forecast.in_campaign_p10"), 5000, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "forecast.in_campaign_p90"), 5000, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "forecast.close_by"), 0, 1e-12);
    answer_free (&answer);
    free (w);
}

/*  Seat's win_rate [0.60, 0.70]: prior 0.65 worth 20 pseudo-deals (the default). 10 won
    and 10 lost: (20 x 0.65 + 10) / 40 = 0.575, a factor of 0.575 / 0.65. */
Test (identifier_weeks, forecast_priors_learn_from_outcomes)
{
    weeks_t *w = s_weeks ();
    forecast_t f = w->forecast;
    const plays_play_t *seat = plays_find (&w->plays, "seat");
    double posterior;
    cr_expect_float_eq (forecast_play_factor (&f, seat, 0, 0, &posterior), 1, 1e-12);
    cr_expect_float_eq (posterior, 0.65, 1e-12);
    cr_expect_float_eq (forecast_play_factor (&f, seat, 10, 10, &posterior), 0.575 / 0.65,
                        1e-12);
    cr_expect_float_eq (posterior, 0.575, 1e-12);
    cr_expect_float_eq (forecast_play_factor (&f, NULL, 10, 10, &posterior), 1, 1e-12);
    f.prior_weight = 0; /* the evidence alone */
    cr_expect_float_eq (forecast_play_factor (&f, seat, 3, 1, &posterior), 0.75 / 0.65, 1e-12);
    free (w);
}

/*  Qualified: priors [0.35, 0.2, 0.05], 20 pseudo-deals (the default). 10 tier-1 deals
    reached it, 2 won, each expected at its prior 0.35: (20 x 0.35 + 2) / 30 = 0.30, a
    ratio of 0.30 / 0.35. */
Test (identifier_weeks, forecast_stage_learns_from_the_deals_that_reached_it)
{
    weeks_t *w = s_weeks ();
    const forecast_t *f = &w->forecast;
    forecast_evidence_t e;
    memset (&e, 0, sizeof e);
    for (int i = 0; i < 10; i++)
        forecast_evidence_add (&e, 1, i < 2, 0.35);
    cr_expect_float_eq (e.deals[0], 10, 1e-12);
    cr_expect_float_eq (e.won[0], 2, 1e-12);
    cr_expect_float_eq (e.expected[0], 3.5, 1e-12);
    double ratio = forecast_stage_ratio (f, &e, 1);
    cr_expect_float_eq (ratio, 0.30 / 0.35, 1e-12);
    cr_expect_float_eq (forecast_probability (f, "qualified", 1) * ratio, 0.30, 1e-12);
    /*  The evidence alone without pseudo-deals: 2 / 10. */
    forecast_t alone = *f;
    alone.prior_weight = 0;
    cr_expect_float_eq (forecast_stage_ratio (&alone, &e, 1), 0.2 / 0.35, 1e-12);
    free (w);
}

/*  No evidence: the prior, whatever the tier. */
Test (identifier_weeks, forecast_stage_without_evidence_keeps_the_prior)
{
    weeks_t *w = s_weeks ();
    forecast_evidence_t e;
    memset (&e, 0, sizeof e);
    for (uint32_t tier = 0; tier <= 3; tier++)
        cr_expect_float_eq (forecast_stage_ratio (&w->forecast, &e, tier), 1, 1e-12);
    cr_expect_eq (forecast_stage (&w->forecast, "identified"), 0);
    cr_expect_eq (forecast_stage (&w->forecast, "negotiation"), 5);
    cr_expect_eq (forecast_stage (&w->forecast, "closed-won"), -1);
    cr_expect_eq (forecast_stage (&w->forecast, NULL), -1);
    free (w);
}

/*  Tier pooling. The 10 tier-1 deals above (2 won, expected 3.5) and 5 tier-2 deals, none
    won, each expected at 0.2.
    Tier 3, no deals of its own: the pooled ratio of tiers 1 and 2, 15 deals expected
    at 4.5 / 15 = 0.3 each: ((20 x 0.3 + 2) / 35) / 0.3 = 0.7619 (= 16 / 21).
    Tier 2: pooled over tier 1 only, 0.30 / 0.35 = 0.8571; its own 5 deals then move
    0.2 x 0.8571 = 0.1714 to (20 x 0.1714 + 0) / 25 = 0.1371: ratio 0.6857.
    Tier 1: pooled over tier 2 only, (20 x 0.2 + 0) / 25 / 0.2 = 0.8; its own 10 deals
    move 0.35 x 0.8 = 0.28 to (20 x 0.28 + 2) / 30 = 0.2533: ratio 0.7238.
    A deal not tiered counts in the tier-3 column. */
Test (identifier_weeks, forecast_stage_pools_tiers_keeping_the_prior_ratio)
{
    weeks_t *w = s_weeks ();
    const forecast_t *f = &w->forecast;
    forecast_evidence_t e;
    memset (&e, 0, sizeof e);
    for (int i = 0; i < 10; i++)
        forecast_evidence_add (&e, 1, i < 2, 0.35);
    cr_expect_float_eq (forecast_stage_ratio (f, &e, 2), 0.30 / 0.35, 1e-12);
    for (int i = 0; i < 5; i++)
        forecast_evidence_add (&e, 2, false, 0.2);
    cr_expect_float_eq (forecast_stage_ratio (f, &e, 3), 16.0 / 21, 1e-12);
    cr_expect_float_eq (forecast_stage_ratio (f, &e, 0), 16.0 / 21, 1e-12);
    cr_expect_float_eq (forecast_stage_ratio (f, &e, 2), (20 * 0.2 * 0.30 / 0.35) / 25 / 0.2,
                        1e-12);
    cr_expect_float_eq (0.2 * forecast_stage_ratio (f, &e, 2), 0.137142857142857, 1e-12);
    cr_expect_float_eq (0.35 * forecast_stage_ratio (f, &e, 1), 7.6 / 30, 1e-12);
    /*  A tier-0 deal lands in the tier-3 column. */
    forecast_evidence_add (&e, 0, true, 0.05);
    cr_expect_float_eq (e.deals[2], 1, 1e-12);
    cr_expect_float_eq (e.won[2], 1, 1e-12);
    free (w);
}

/*  History has no tier: it moves every tier through the pooled ratio. 10 records, 5
    won, each expected at 0.25: ((20 x 0.25 + 5) / 30) / 0.25 = 4 / 3 for every tier. */
Test (identifier_weeks, forecast_stage_history_moves_every_tier)
{
    weeks_t *w = s_weeks ();
    forecast_evidence_t e;
    memset (&e, 0, sizeof e);
    for (int i = 0; i < 10; i++)
        forecast_evidence_add_history (&e, i < 5, 0.25);
    cr_expect_float_eq (e.history, 10, 1e-12);
    cr_expect_float_eq (e.history_won, 5, 1e-12);
    cr_expect_float_eq (e.history_expected, 2.5, 1e-12);
    for (uint32_t tier = 1; tier <= 3; tier++)
        cr_expect_float_eq (forecast_stage_ratio (&w->forecast, &e, tier), 4.0 / 3, 1e-12);
    free (w);
}

Test (identifier_weeks, results_every_figure)
{
    /*  Five deals worked on paper. */
    results_deal_t deals[] = {
        {"seat", "mid-market", 1, true, true, false, 12000, 100, 140, NULL}, /* won, 40 d */
        {"tier", "enterprise", 1, true, true, false, 18000, 100, 160, NULL}, /* won, 60 d */
        {"seat", "mid-market", 2, true, false, true, 0, 100, 150, "budget frozen"}, /* lost */
        {"cross-sell", "smb", 2, true, false, false, 0, 100, 0, NULL},              /* open */
        {"seat", "smb", 3, false, true, false, 6000, 110, 130, NULL}, /* won, 20 days */
    };
    results_t r;
    results_compute (deals, 5, 720000, 72000, 6000, 4, 0.4, &r);
    cr_expect_float_eq (r.arr_won, 36000, 1e-9);
    cr_expect_eq (r.won, 3);
    cr_expect_eq (r.lost, 1);
    cr_expect_eq (r.open, 1);
    cr_expect_eq (r.qualified, 4);
    cr_expect_eq (r.qualified_won, 2);
    cr_expect_float_eq (r.conversion, 0.5, 1e-12);
    cr_expect_float_eq (r.avg_deal, 12000, 1e-9);
    cr_expect_float_eq (r.avg_cycle_days, 40, 1e-9); /* (40 + 60 + 20) / 3 */
    cr_expect_float_eq (r.vs_target, 0.5, 1e-12);
    cr_expect_float_eq (r.roi, 6, 1e-12);
    cr_expect_float_eq (r.cac_pct, 100.0 / 6, 1e-9);
    cr_expect_float_eq (r.nrr_impact_pct, 5, 1e-12);
    cr_expect_float_eq (r.tier[0].conversion, 1, 1e-12);
    cr_expect_float_eq (r.tier[1].conversion, 0, 1e-12);
    cr_expect_eq (r.tier[2].qualified, 0);
    cr_expect_eq (r.n_type, 3);
    cr_expect_str_eq (r.type[0].key, "seat");
    cr_expect_eq (r.type[0].qualified, 2);
    cr_expect_float_eq (r.type[0].conversion, 0.5, 1e-12);
    cr_expect_float_eq (r.type[0].arr, 18000, 1e-9); /* a won deal counts whether qualified */
    cr_expect_eq (r.n_segment, 3);
    cr_expect_str_eq (r.segment[0].key, "mid-market");
    cr_expect_float_eq (r.segment[0].conversion, 0.5, 1e-12);
    cr_expect_str_eq (r.segment[2].key, "smb");
    cr_expect_float_eq (r.segment[2].conversion, 0, 1e-12);

    /*  Nothing won, no targets: every ratio is 0, never a division by zero. */
    results_compute (deals + 2, 2, 0, 0, 0, 0, 0, &r);
    cr_expect_float_eq (r.roi, 0, 1e-12);
    cr_expect_float_eq (r.cac_pct, 0, 1e-12);
    cr_expect_float_eq (r.nrr_impact_pct, 0, 1e-12);
    cr_expect_float_eq (r.avg_deal, 0, 1e-12);
}

/*  Win/loss by group, worked on paper: eight closed seat and tier deals.
      seat: won 10,000 and 20,000; lost "Budget frozen", "budget frozen", "chose a
            competitor", none -> won 2, lost 4, win rate 2/6, average won 15,000,
            reasons budget frozen 2 (case ignored), then chose a competitor 1 and unknown 1
            in the order first seen.
      tier: won 30,000; lost "champion left" -> 1 and 1, rate 0.5, average 30,000.
    By tier: tier 1 holds both seat wins and the tier win (3 won, 0 lost); tier 2 the
    five losses; a qualified flag does not matter to win/loss. */
Test (identifier_weeks, results_win_loss_by_type_and_tier)
{
    results_deal_t deals[] = {
        {"seat", NULL, 1, true, true, false, 10000, 0, 0, NULL},
        {"seat", NULL, 1, false, true, false, 20000, 0, 0, NULL},
        {"seat", NULL, 2, true, false, true, 0, 0, 0, "Budget frozen"},
        {"seat", NULL, 2, true, false, true, 0, 0, 0, "chose a competitor"},
        {"seat", NULL, 2, false, false, true, 0, 0, 0, "budget frozen"},
        {"seat", NULL, 2, true, false, true, 0, 0, 0, NULL},
        {"tier", NULL, 1, true, true, false, 30000, 0, 0, NULL},
        {"tier", NULL, 2, true, false, true, 0, 0, 0, "champion left"},
        {"tier", NULL, 3, true, false, false, 0, 0, 0, NULL}, /* open: not counted */
    };
    results_t r;
    results_compute (deals, 9, 0, 0, 0, 0, 0, &r);
    cr_assert_eq (r.n_type, 2);
    const results_group_t *seat = &r.type[0], *tier = &r.type[1];
    cr_expect_eq (seat->deals_won, 2);
    cr_expect_eq (seat->deals_lost, 4);
    cr_expect_float_eq (seat->win_rate, 2.0 / 6, 1e-12);
    cr_expect_float_eq (seat->avg_won, 15000, 1e-9);
    cr_assert_eq (seat->n_reasons, 3);
    cr_expect_str_eq (seat->reasons[0].text, "Budget frozen"); /* first spelling kept */
    cr_expect_eq (seat->reasons[0].count, 2);
    cr_expect_str_eq (seat->reasons[1].text, "chose a competitor");
    cr_expect_str_eq (seat->reasons[2].text, "unknown");
    cr_expect_eq (tier->deals_won, 1);
    cr_expect_eq (tier->deals_lost, 1);
    cr_expect_float_eq (tier->win_rate, 0.5, 1e-12);
    cr_expect_float_eq (tier->avg_won, 30000, 1e-9);
    cr_expect_eq (r.tier[0].deals_won, 3);
    cr_expect_eq (r.tier[0].deals_lost, 0);
    cr_expect_float_eq (r.tier[0].win_rate, 1, 1e-12);
    cr_expect_float_eq (r.tier[0].avg_won, 20000, 1e-9);
    cr_expect_eq (r.tier[1].deals_lost, 5);
    cr_expect_float_eq (r.tier[1].win_rate, 0, 1e-12);
    cr_expect_float_eq (r.tier[1].avg_won, 0, 1e-12); /* nothing won: no division by zero */
    cr_expect_eq (r.tier[2].deals_won + r.tier[2].deals_lost, 0);
    cr_expect_float_eq (r.tier[2].win_rate, 0, 1e-12);

    /*  More distinct reasons than slots: the last slot is "other". */
    results_deal_t many[RESULTS_REASONS + 2];
    char texts[RESULTS_REASONS + 2][16];
    for (int i = 0; i < RESULTS_REASONS + 2; i++) {
        snprintf (texts[i], sizeof texts[i], "reason %d", i);
        many[i] = (results_deal_t){"geo", NULL, 2, true, false, true, 0, 0, 0, texts[i]};
    }
    results_compute (many, RESULTS_REASONS + 2, 0, 0, 0, 0, 0, &r);
    cr_assert_eq (r.type[0].n_reasons, RESULTS_REASONS);
    cr_expect_str_eq (r.type[0].reasons[0].text, "other"); /* 3: sorted first */
    cr_expect_eq (r.type[0].reasons[0].count, 3);
}

/*  Progression this week and the funnel, on 2026-11-20 with progress_days 7: a change
    on 11-13 .. 11-19 counts, 11-12 (8 days) and 11-20 (today) do not.
      identified (changed 11-05), discovery (11-19), discovery (11-20), demo (11-13),
      proposal (11-12), closed-won (11-15), closed-lost (11-18)
    progressed: discovery 1, demo 1, closed-won 1, closed-lost 1 -> 4.
    Funnel over identified, qualified, discovery, demo, proposal, negotiation (the test
    pipeline), closed-lost left out:
      reached: identified 6, qualified 5, discovery 5, demo 3, proposal 2, negotiation 1
      went on: identified 5, qualified 5, discovery 3, demo 2, proposal 1, negotiation 1 */
Test (identifier_weeks, monitor_progression_and_conversion_between_stages)
{
    weeks_t *w = s_weeks ();
    const monitor_t *m = &w->monitor;
    cr_expect_eq (m->progress_days, 7);
    int32_t today;
    cr_assert_eq (date_parse ("2026-11-20", &today), 0);
    const char *stages[] = {"identified", "discovery",  "discovery",  "demo",
                            "proposal",   "closed-won", "closed-lost"};
    const char *changed[] = {"2026-11-05", "2026-11-19", "2026-11-20", "2026-11-13",
                             "2026-11-12", "2026-11-15", "2026-11-18"};
    int expect_to[] = {-1, 2, -1, 3, -1, 6, 7};
    monitor_funnel_t funnel;
    memset (&funnel, 0, sizeof funnel);
    for (int i = 0; i < 7; i++) {
        Campaign__Opportunity o = CAMPAIGN__OPPORTUNITY__INIT;
        o.stage = (char *)stages[i];
        o.stage_changed = (char *)changed[i];
        cr_expect_eq (monitor_progressed (m, &o, today), expect_to[i], "deal %d", i);
        monitor_funnel_add (m, &funnel, o.stage, NULL);
    }
    Campaign__Opportunity none = CAMPAIGN__OPPORTUNITY__INIT;
    none.stage = "demo";
    cr_expect_eq (monitor_progressed (m, &none, today), -1, "no date: no progression");
    monitor_funnel_add (m, &funnel, "nowhere", NULL);
    size_t reached[] = {6, 5, 5, 3, 2, 1}, went_on[] = {5, 5, 3, 2, 1, 1};
    for (size_t k = 0; k < 6; k++) {
        cr_expect_eq (funnel.reached[k], reached[k], "reached %s", m->stages[k]);
        cr_expect_eq (funnel.went_on[k], went_on[k], "went on %s", m->stages[k]);
        cr_expect_float_eq (monitor_conversion (&funnel, k),
                            (double)went_on[k] / (double)reached[k], 1e-12);
    }
    cr_expect_eq (funnel.reached[6], 0, "closed-won is not a stage to convert from");
    cr_expect_float_eq (monitor_conversion (&funnel, 6), 0, 1e-12);
    cr_expect_eq (funnel.won, 1);
    cr_expect_eq (funnel.lost, 1);
    cr_expect_eq (funnel.unknown, 1);
    cr_expect_not (monitor_open_stage (m, 7));

    /*  A deal lost at demo (closed_from): it reached identified .. demo and went on from
        identified .. discovery, not from demo. A closed_from that is not an open stage
        counts in the totals only, like a deal lost before the field existed. */
    monitor_funnel_add (m, &funnel, "closed-lost", "demo");
    monitor_funnel_add (m, &funnel, "closed-lost", "closed-won");
    size_t reached_after[] = {7, 6, 6, 4, 2, 1}, went_on_after[] = {6, 6, 4, 2, 1, 1};
    for (size_t k = 0; k < 6; k++) {
        cr_expect_eq (funnel.reached[k], reached_after[k], "reached %s", m->stages[k]);
        cr_expect_eq (funnel.went_on[k], went_on_after[k], "went on %s", m->stages[k]);
    }
    cr_expect_eq (funnel.lost, 3);
    cr_expect_eq (funnel.lost_unplaced, 2, "the first one and the bad closed_from");
    cr_expect_eq (funnel.won, 1, "a lost deal is not won");
    free (w);
}

Test (identifier_weeks, forecast_acceleration_rules_first_match)
{
    weeks_t *w = s_weeks ();
    const forecast_t *f = &w->forecast;
    cr_expect_eq (f->n_rules, 3);
    cr_expect_str_eq (forecast_acceleration (f, "seat", FORECAST_SLIPPING), "sponsor call");
    cr_expect_str_eq (forecast_acceleration (f, "cross-sell", FORECAST_SLIPPING), "review");
    cr_expect_str_eq (forecast_acceleration (f, "seat", FORECAST_STALLED), "close plan");
    cr_expect_str_eq (forecast_acceleration (f, NULL, FORECAST_HEALTH_DROPPED), "review");
    cr_expect_null (forecast_acceleration (f, "seat", FORECAST_RISKS));
    forecast_t none = *f;
    none.n_rules = 0;
    cr_expect_null (forecast_acceleration (&none, "seat", FORECAST_SLIPPING));
    free (w);
}

Test (identifier_weeks, configuration_mistakes_are_refused_with_file_and_line)
{
    char text[8192];
    /*  A step without days (line 3 of the plays). */
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    char *at = strstr (text, "days = 7; },\n              { name = \"mapping\"");
    cr_assert_not_null (at);
    memcpy (at, "dayz", 4);
    char *msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:3") && strstr (msg, "audit"), "%s", msg);
    free (msg);

    /*  An unknown obstacle in a coaching rule. */
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "\"no-champion\"; text");
    cr_assert_not_null (at);
    memcpy (at, "\"no-chumpion\"", 13);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:") && strstr (msg, "no-chumpion"), "%s", msg);
    free (msg);

    /*  A stall limit for a stage the pipeline does not have. */
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "stall_days = { discovery");
    cr_assert_not_null (at);
    memcpy (at + 15, "discoverx", 9);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:") && strstr (msg, "discoverx"), "%s", msg);
    free (msg);

    /*  A slip share of 0: a deal seen past its play's slowest cycle would be impossible. */
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "commit_from = 0.7;"); /* its default is the same */
    cr_assert_not_null (at);
    memcpy (at, "slip_share = 0.00;", 18);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:") && strstr (msg, "slip_share"), "%s", msg);
    free (msg);

    /*  No priors for an open stage ("demo" removed). */
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "demo = [0.55, 0.3, 0.1];");
    cr_assert_not_null (at);
    memset (at, ' ', strlen ("demo = [0.55, 0.3, 0.1];"));
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:") && strstr (msg, "'demo'"), "%s", msg);
    free (msg);

    /*  A win rate range upside down, and best case above commit. */
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "[0.60, 0.70]");
    memcpy (at, "[0.70, 0.60]", 12);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:2") && strstr (msg, "win_rate"), "%s", msg);
    free (msg);
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "best_case_from = 0.4");
    memcpy (at, "best_case_from = 0.9", 20);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:") && strstr (msg, "best_case_from"), "%s", msg);
    free (msg);

    /*  An acceleration rule with an unknown risk, and one naming no play. */
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "risk = \"stalled\"");
    cr_assert_not_null (at);
    memcpy (at + 8, "stolled", 7);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:") && strstr (msg, "stolled"), "%s", msg);
    free (msg);
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "play = \"seat\"; risk");
    cr_assert_not_null (at);
    memcpy (at + 8, "seet", 4);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "weeks.cfg:") && strstr (msg, "'seet'"), "%s", msg);
    free (msg);
    /*  A progression window and a number of loss reasons out of range. */
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "health_drop = 10.0;");
    cr_assert_not_null (at);
    memcpy (at, "progress_days =  0;", 19);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "progress_days"), "%s", msg);
    free (msg);
    snprintf (text, sizeof text, "%s%s", s_plays, s_identifier);
    at = strstr (text, "top_reasons = 2");
    cr_assert_not_null (at);
    memcpy (at, "top_reasons = 0", 15);
    msg = s_refusal (text);
    cr_assert_not_null (msg);
    cr_expect (strstr (msg, "top_reasons"), "%s", msg);
    free (msg);

    /*  The bundled configuration loads. */
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/config/campaign.cfg", CAMPAIGN_SOURCE_DIR) > 0);
    conf_t *conf = conf_new ();
    err_t err;
    cr_assert_eq (conf_load_file (conf, path, &err), 0, "%s", err.msg);
    weeks_t *w = calloc (1, sizeof *w);
    cr_expect_eq (weeks_load (conf, 0, w, &err), 0, "%s", err.msg);
    cr_expect_eq (w->plays.n_play, 4);
    free (w);
    conf_destroy (&conf);
    free (path);
}

/*  A TaskInput of two accounts and four opportunities, run through all four tasks. */
Test (identifier_weeks, the_four_tasks_in_process)
{
    weeks_t *w = s_weeks ();
    Campaign__Account a1 = CAMPAIGN__ACCOUNT__INIT, a2 = CAMPAIGN__ACCOUNT__INIT;
    a1.account_id = "A-1";
    a1.segment = "mid-market";
    a1.arr = 60000;
    a1.seats_purchased = 100;
    a1.seats_active = 80;
    a1.champion = true;
    a2.account_id = "A-2";
    a2.segment = "smb";
    a2.arr = 40000;
    a2.seats_purchased = 50;
    a2.seats_active = 50;
    Campaign__Account *accounts[] = {&a2, &a1}; /* not in id order */
    Campaign__Opportunity o[4];
    const char *ids[] = {"O-A-1-seat", "O-A-1-cross-sell", "O-A-2-seat", "O-A-2-tier"};
    const char *owners[] = {"A-1", "A-1", "A-2", "A-2"};
    const char *types[] = {"seat", "cross-sell", "seat", "tier"};
    const char *stages[] = {"closed-won", "proposal", "closed-lost", "discovery"};
    Campaign__Opportunity *opps[4];
    for (int i = 0; i < 4; i++) {
        campaign__opportunity__init (&o[i]);
        o[i].opportunity_id = (char *)ids[i];
        o[i].account_id = (char *)owners[i];
        o[i].type = (char *)types[i];
        o[i].stage = (char *)stages[i];
        o[i].has_potential_arr = o[i].has_tier = o[i].has_qualified = 1;
        o[i].potential_arr = 10000 * (i + 1);
        o[i].tier = i < 2 ? 1 : 2;
        o[i].qualified = true;
        o[i].opened = "2026-10-19";
        o[i].stage_changed = "2026-10-26";
        o[i].csm = "CSM-1";
        opps[i] = &o[i];
    }
    o[0].has_amount = 1;
    o[0].amount = 12000;
    o[0].closed = "2026-11-28"; /* 40 days */
    o[2].reason = "budget frozen";
    Campaign__Targets targets = CAMPAIGN__TARGETS__INIT;
    targets.has_arr_goal = targets.has_investment = 1;
    targets.arr_goal = 24000;
    targets.investment = 2000;
    Campaign__TaskInput input = CAMPAIGN__TASK_INPUT__INIT;
    input.accounts = accounts;
    input.n_accounts = 2;
    input.opportunities = opps;
    input.n_opportunities = 4;
    input.targets = &targets;
    int32_t today;
    cr_assert_eq (date_parse ("2026-12-14", &today), 0);

    answer_t answer;
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (weeks_run (w, "identifier.results", &input, today, &answer), 0);
    cr_expect_float_eq (s_fact (&answer, "results.arr_won"), 12000, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.deals_won"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.deals_lost"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.conversion"), 0.25, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.conversion.segment.mid-market"), 0.5, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.conversion.tier.1"), 0.5, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.conversion.type.seat"), 0.5, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.avg_cycle_days"), 40, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.vs_target"), 0.5, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.roi"), 6, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.nrr_impact_pct"), 12, 1e-9); /* 12K / 100K */
    cr_expect (strstr (answer.text, "\"nrr_impact_pct\":\"NRR impact =") != NULL, "%s",
               answer.text);
    /*  Win/loss: seat won 1 ($12,000), lost 1 (budget frozen); tier 1 won, tier 2 lost. */
    cr_expect_float_eq (s_fact (&answer, "results.winloss.type.seat.won"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.winloss.type.seat.lost"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.winloss.type.seat.win_rate"), 0.5, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.winloss.type.seat.avg_won"), 12000, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.winloss.type.seat.loss_reason.1"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.winloss.tier.1.win_rate"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "results.winloss.tier.2.lost"), 1, 1e-9);
    cr_expect (
        strstr (answer.text, "\"loss_reasons\":[{\"reason\":\"budget frozen\",\"lost\":1}]"),
        "%s", answer.text);
    answer_free (&answer);

    /*  Forecast: won 12,000; open cross-sell 20,000 in proposal (tier 1: 0.7) and tier
        30,000... discovery tier 2: 0.25. expected = 12000 + 14000 + 10000 (40000 x .25). */
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (weeks_run (w, "identifier.forecast", &input, today, &answer), 0);
    cr_expect_float_eq (s_fact (&answer, "forecast.expected_arr"), 36000, 1e-6);
    /*  Within the campaign: the selling window ended 2026-12-13 (week 10), so only the
        won ARR is left. */
    cr_expect_float_eq (s_fact (&answer, "forecast.expected_in_campaign"), 12000, 1e-6);
    cr_expect_float_eq (s_fact (&answer, "forecast.target"), 24000, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "forecast.commit"), 20000, 1e-9);
    cr_expect (s_fact (&answer, "forecast.p10") <= 36000);
    cr_expect (s_fact (&answer, "forecast.p90") >= 36000);
    /*  Both open deals stalled (49 days in proposal and in discovery, limits 14), none
        slipping (56 days of cross-sell's 120; tier has no play here): the "*" stalled
        rule for both. */
    cr_expect_float_eq (s_fact (&answer, "forecast.at_risk"), 2, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "forecast.at_risk.stalled"), 2, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "forecast.at_risk.slipping"), 0, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "forecast.at_risk.health-dropped"), 0, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "forecast.accelerated"), 2, 1e-9);
    cr_expect (
        strstr (answer.text, "\"risks\":[\"stalled\"],\"acceleration\":[\"close plan\"]"), "%s",
        answer.text);
    answer_free (&answer);
    /*  The same tier deal unqualified and back in "identified" is nurture: not at risk. */
    o[3].qualified = false;
    o[3].stage = "identified";
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (weeks_run (w, "identifier.forecast", &input, today, &answer), 0);
    cr_expect_float_eq (s_fact (&answer, "forecast.at_risk"), 1, 1e-9);
    answer_free (&answer);
    o[3].qualified = true;
    o[3].stage = "discovery";

    /*  Monitoring: the proposal (changed 2026-10-26, 49 days) and the discovery are
        both stalled. */
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (weeks_run (w, "identifier.pipeline_monitoring", &input, today, &answer), 0);
    cr_expect_float_eq (s_fact (&answer, "monitor.stalled"), 2, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "monitor.open"), 2, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "monitor.stage.closed-won"), 1, 1e-9);
    /*  Nothing changed since 2026-12-07; the funnel: the won deal, the proposal and the
        discovery reached discovery, two went on; the lost deal only in monitor.lost. */
    cr_expect_float_eq (s_fact (&answer, "monitor.progressed_week"), 0, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "monitor.conversion.identified"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "monitor.conversion.discovery"), 2.0 / 3, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "monitor.conversion.negotiation"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "monitor.lost"), 1, 1e-9);
    cr_expect (strstr (answer.text, "O-A-1-cross-sell: proposal, 49 days in stage (limit 14)"),
               "%s", answer.text);
    answer_free (&answer);

    /*  Design: two plays laid out; the tier opportunity has no play. */
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (weeks_run (w, "identifier.campaign_design", &input, today, &answer), 0);
    cr_expect_float_eq (s_fact (&answer, "design.plays"), 2, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "design.without_play"), 1, 1e-9);
    cr_expect_float_eq (s_fact (&answer, "design.cross-sell.opportunities"), 1, 1e-9);
    cr_expect (strstr (answer.text, "\"start\":\"2026-10-19\"") != NULL, "%s", answer.text);
    answer_free (&answer);
    free (w);
}

/*  The forecast task learns the stage rates from the task's deals and history. Type
    "tier" has no play in this configuration (play factor 1). Tier-1 deals, qualified:
    won ($5,000) and lost, open in qualified ($20,000) and in proposal ($30,000); an
    unqualified tier-3 deal lost; two past deals won.
    qualified, tier 1: the history (2 won, expected at 0.35: every qualified deal here is
    tier 1) pools to ((20 x .35 + 2) / 22) / .35 = 1.1688, so 0.4091; its own 2 deals,
    1 won: (20 x .4091 + 1) / 22 = 0.4174.
    qualified, tier 2 (nobody): tier 1 and history pooled, 4 deals, 3 won, expected .35
    each: 0.2 x ((7 + 3) / 24) / .35 = 0.2381.
    identified, tier 3: the unqualified loss, (20 x .03 + 0) / 21 = 0.0286 (the qualified
    deals are not evidence there).
    proposal: nobody's evidence reaches it, the prior 0.7.
    expected = 5000 + 20000 x 0.4174 + 30000 x 0.7. */
Test (identifier_weeks, forecast_task_reports_learned_stage_rates)
{
    weeks_t *w = s_weeks ();
    const char *stages[] = {"closed-won", "closed-lost", "qualified", "proposal",
                            "closed-lost"};
    Campaign__Opportunity o[5];
    Campaign__Opportunity *opps[5];
    for (int i = 0; i < 5; i++) {
        campaign__opportunity__init (&o[i]);
        o[i].opportunity_id = (char *)stages[i];
        o[i].account_id = "A-1";
        o[i].type = "tier";
        o[i].stage = (char *)stages[i];
        o[i].has_potential_arr = o[i].has_tier = o[i].has_qualified = 1;
        o[i].potential_arr = 10000 * i;
        o[i].tier = i < 4 ? 1 : 3;
        o[i].qualified = i < 4;
        o[i].opened = "2026-11-30";
        opps[i] = &o[i];
    }
    o[0].has_amount = 1;
    o[0].amount = 5000;
    o[1].opportunity_id = "lost";
    Campaign__HistoryRecord h[2];
    Campaign__HistoryRecord *history[2];
    for (int i = 0; i < 2; i++) {
        campaign__history_record__init (&h[i]);
        h[i].account_id = "A-1";
        h[i].opportunity_type = "geo";
        h[i].outcome = "won";
        history[i] = &h[i];
    }
    Campaign__TaskInput input = CAMPAIGN__TASK_INPUT__INIT;
    input.opportunities = opps;
    input.n_opportunities = 5;
    input.history = history;
    input.n_history = 2;
    int32_t today;
    cr_assert_eq (date_parse ("2026-12-07", &today), 0);
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    cr_assert_eq (weeks_run (w, "identifier.forecast", &input, today, &answer), 0);
    double tier1 = (20 * 0.35 * 9.0 / 22 / 0.35 + 1) / 22;
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.qualified.tier1"), tier1, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.qualified.tier2"),
                        0.2 * 10.0 / 24 / 0.35, 1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.win_prob.identified.tier3"), 0.6 / 21,
                        1e-12);
    cr_expect_float_eq (s_fact (&answer, "forecast.expected_arr"),
                        5000 + 20000 * tier1 + 30000 * 0.7, 1e-6);
    cr_expect (strstr (answer.text,
                       "{\"stage\":\"qualified\",\"prior\":[0.350,0.200,0.050],"
                       "\"learned\":[0.417,0.238,0.060],\"deals\":[2,0,0],\"won\":[1,0,0],"
                       "\"history\":2,\"history_won\":2}") != NULL,
               "%s", answer.text);
    cr_expect (strstr (answer.text,
                       "{\"stage\":\"proposal\",\"prior\":[0.700,0.450,0.200],"
                       "\"learned\":[0.700,0.450,0.200],\"deals\":[0,0,0]") != NULL,
               "%s", answer.text);
    for (size_t i = 0; i < answer.n_facts; i++)
        cr_expect (strncmp (answer.facts[i]->name, "forecast.win_prob.proposal", 26) != 0,
                   "no evidence, no fact: %s", answer.facts[i]->name);
    answer_free (&answer);
    free (w);
}
