/*  weeks.c: design, monitoring, forecast and results answers (weeks.h). */
#include "weeks.h"

#include "calendar.h"
#include "lookup.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_tasks[] = {"identifier.campaign_design",
                                      "identifier.pipeline_monitoring", "identifier.forecast",
                                      "identifier.results"};

int
weeks_load (conf_t *conf, int32_t campaign_start, weeks_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    out->start = campaign_start;
    int rc = plays_load (conf, &out->plays, err);
    if (!rc)
        rc = design_load (conf, &out->design, err);
    if (!rc)
        rc = monitor_load (conf, &out->monitor, err);
    if (!rc)
        rc = forecast_load (conf, &out->plays, &out->forecast, err);
    int64_t top = 3, weeks = 12, selling = 10;
    if (!rc)
        rc = conf_int_range (conf, "identifier.results.top_reasons", 3, 1, RESULTS_REASONS,
                             &top, err);
    if (!rc)
        rc = conf_int_range (conf, "campaign.weeks", 12, 1, 104, &weeks, err);
    /*  The forecast's horizon within the campaign is the selling window's end, the week
        the assignment plans hours up to (qualify.h reads it with the same default). */
    if (!rc)
        rc = conf_int_range (conf, "identifier.assignment.last_week", 10, 1, 52, &selling, err);
    out->top_reasons = (int)top;
    out->end = campaign_start + (int32_t)weeks * 7 - 1;
    out->selling_end = campaign_start + (int32_t)selling * 7 - 1;
    if (out->selling_end > out->end)
        out->selling_end = out->end;
    return rc;
}

bool
weeks_handles (const char *name)
{
    for (size_t i = 0; name && i < sizeof s_tasks / sizeof *s_tasks; i++)
        if (strcmp (name, s_tasks[i]) == 0)
            return true;
    return false;
}

static bool
s_closed (const Campaign__Opportunity *o)
{
    return o->stage && strncmp (o->stage, "closed", 6) == 0;
}

static bool
s_won (const Campaign__Opportunity *o)
{
    return o->stage && strcmp (o->stage, "closed-won") == 0;
}

static int32_t
s_day (const char *text, int32_t dflt)
{
    int32_t day;
    return text && *text && !date_parse (text, &day) ? day : dflt;
}

/*  ------------------------------------------------------------------------------------
    Week 2: the design. */

static void
s_design (const weeks_t *self, const Campaign__TaskInput *input, const lookup_t *index,
          answer_t *answer)
{
    int32_t start = design_start (&self->design, self->start), end = start;
    char date[16];
    size_t without = 0, laid = 0, roi_inputs = 0;
    design_target_t target = {0, ""};
    answer_say (answer, "{\"start\":\"%s\",\"plays\":[", date_format (start, date));
    for (size_t p = 0; p < self->plays.n_play; p++) {
        const plays_play_t *play = &self->plays.play[p];
        size_t count = 0;
        double potential = 0;
        for (size_t i = 0; i < input->n_opportunities; i++) {
            const Campaign__Opportunity *o = input->opportunities[i];
            if (!s_closed (o) && o->type && strcmp (o->type, play->type) == 0) {
                count++;
                potential += o->potential_arr;
            }
        }
        design_target (play, 0, 0, &target);
        design_slot_t slots[PLAYS_STEPS];
        design_schedule (play, start, slots);
        laid += play->n_steps > 0;
        answer_say (answer,
                    "%s{\"type\":\"%s\",\"opportunities\":%zu,\"potential_arr\":%.0f,"
                    "\"conversion_target\":%.3f,\"expected_deals\":%.1f,\"expected_arr\":%.0f,"
                    "\"cycle_days\":[%d,%d],\"days\":%d,\"steps\":[",
                    p ? "," : "", play->type, count, potential, target.conversion,
                    count * target.conversion, potential * target.conversion,
                    play->cycle_days[0], play->cycle_days[1], plays_days (play));
        for (size_t s = 0; s < play->n_steps; s++) {
            answer_say (answer, "%s{\"step\":", s ? "," : "");
            answer_json_string (answer, play->steps[s].name);
            answer_say (answer, ",\"touchpoint\":");
            answer_json_string (answer, play->steps[s].touchpoint);
            answer_say (answer, ",\"days\":%d,\"start\":\"%s\"", play->steps[s].days,
                        date_format (slots[s].start, date));
            answer_say (answer, ",\"end\":\"%s\"}", date_format (slots[s].end, date));
            if (slots[s].end > end)
                end = slots[s].end;
        }
        answer_say (answer, "]}");
        answer_factf (answer, (double)count, NULL, "design.%s.opportunities", play->type);
        answer_factf (answer, potential, NULL, "design.%s.potential_arr", play->type);
        answer_factf (answer, target.conversion, target.source, "design.%s.conversion_target",
                      play->type);
        answer_factf (answer, plays_days (play), "days of the play's steps", "design.%s.days",
                      play->type);
    }
    answer_say (answer, "],\"target_source\":");
    answer_json_string (answer, target.source);
    answer_say (answer, ",\"roi\":[");
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        const Campaign__Account *a = lookup_account (index, o->account_id);
        const plays_play_t *play = plays_find (&self->plays, o->type);
        if (s_closed (o) || !o->type)
            continue;
        if (!play)
            without++;
        if (!a)
            continue;
        design_roi_t roi;
        design_roi (&self->design, play, a, o->type, o->potential_arr, &roi);
        answer_say (answer, "%s{\"opportunity\":", roi_inputs++ ? "," : "");
        answer_json_string (answer, o->opportunity_id);
        answer_say (
            answer,
            ",\"type\":\"%s\",\"potential_arr\":%.0f,\"price_per_seat\":%.2f,"
            "\"added_seats\":%.0f,\"value_per_added_seat\":%.2f,\"next_tier_value\":%.0f,"
            "\"next_tier_per_seat\":%.2f,\"pilot_seats\":%.0f,\"pilot_days\":%d}",
            o->type, o->potential_arr, roi.price_per_seat, roi.added_seats,
            roi.value_per_added_seat, roi.next_tier_value, roi.next_tier_per_seat,
            roi.pilot_seats, roi.pilot_days);
    }
    answer_say (answer, "],\"without_play\":%zu}\n", without);
    answer_fact (answer, "design.plays", "plays laid out on the campaign calendar",
                 (double)laid);
    answer_fact (answer, "design.start", date_format (start, date), self->design.start_week);
    answer_fact (answer, "design.end", date_format (end, date), (double)(end - start + 1));
    answer_fact (answer, "design.roi_inputs", "opportunities with ROI-calculator inputs",
                 (double)roi_inputs);
    answer_fact (answer, "design.without_play", "open opportunities of a type with no play",
                 (double)without);
    snprintf (answer->summary, sizeof answer->summary,
              "%zu plays laid out from %s, %zu ROI inputs, %zu opportunities without a play; "
              "targets from %s",
              laid, date_format (start, date), roi_inputs, without,
              self->plays.n_play ? "configured priors" : "nothing (no plays)");
}

/*  ------------------------------------------------------------------------------------
    Weeks 5-7: monitoring. */

static void
s_monitor (const weeks_t *self, const Campaign__TaskInput *input, const lookup_t *index,
           int32_t today, answer_t *answer)
{
    const monitor_t *m = &self->monitor;
    size_t counts[PLAYS_STAGES] = {0}, other = 0, open = 0, stalled = 0, coached = 0;
    size_t progressed = 0, obstacles[5] = {0};
    double arr[PLAYS_STAGES] = {0};
    static const char *const names[] = {"stalled", "health-dropped", "no-sponsor",
                                        "no-champion", "unassigned"};
    int qualified_at = monitor_stage (m, "qualified");
    /*  Progression since last week and the funnel first: they head the payload. */
    size_t moved[PLAYS_STAGES] = {0}, moved_all = 0;
    monitor_funnel_t funnel;
    memset (&funnel, 0, sizeof funnel);
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        int to = monitor_progressed (m, o, today);
        if (to >= 0) {
            moved[to]++;
            moved_all++;
        }
        monitor_funnel_add (m, &funnel, o->stage, o->closed_from);
    }
    char date[16];
    answer_say (answer, "progressed since %s: %zu deals",
                date_format (today - m->progress_days, date), moved_all);
    for (size_t k = 0, n = 0; k < m->n_stages; k++)
        if (moved[k])
            answer_say (answer, "%s %s %zu", n++ ? "," : ";", m->stages[k], moved[k]);
    answer_say (answer, "\nconversion between stages (reached, went on):");
    for (size_t k = 0; k < m->n_stages; k++)
        if (monitor_open_stage (m, k))
            answer_say (answer, "%s %s %zu/%zu", k ? "," : "", m->stages[k], funnel.reached[k],
                        funnel.went_on[k]);
    answer_say (answer, "; won %zu, lost %zu", funnel.won, funnel.lost);
    if (funnel.lost_unplaced)
        answer_say (answer, " (%zu of them with the stage they closed from unknown)",
                    funnel.lost_unplaced);
    answer_say (answer, "\n");
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        int k = monitor_stage (m, o->stage);
        if (k < 0)
            other++;
        else {
            counts[k]++;
            arr[k] += s_won (o) ? o->amount : o->potential_arr;
        }
        if (s_closed (o))
            continue;
        open++;
        progressed += qualified_at >= 0 && k > qualified_at;
        monitor_deal_t deal;
        monitor_assess (m, plays_find (&self->plays, o->type), o,
                        lookup_account (index, o->account_id),
                        lookup_health (index, o->account_id), today, &deal);
        stalled += deal.stalled;
        coached += deal.coaching != NULL;
        for (size_t n = 0; deal.obstacle && n < 5; n++)
            obstacles[n] += strcmp (deal.obstacle, names[n]) == 0;
        /*  Only deals past identification need a person's attention this week. */
        if (deal.obstacle && (deal.stalled || o->tier == 1 || o->tier == 2)) {
            answer_say (answer, "%s: %s, %d days in stage", o->opportunity_id,
                        o->stage ? o->stage : "?", deal.days_in_stage);
            if (deal.limit >= 0)
                answer_say (answer, " (limit %d)", deal.limit);
            answer_say (answer, "; obstacle %s; coaching: %s\n", deal.obstacle,
                        deal.coaching ? deal.coaching : "(no rule matches)");
        }
    }
    for (size_t k = 0; k < m->n_stages; k++) {
        char text[64];
        snprintf (text, sizeof text, "$%.0f", arr[k]);
        answer_factf (answer, (double)counts[k], text, "monitor.stage.%s", m->stages[k]);
    }
    answer_fact (answer, "monitor.open", "open opportunities", (double)open);
    answer_fact (answer, "monitor.progressed", "open deals past the qualified stage",
                 (double)progressed);
    char text[96];
    snprintf (text, sizeof text, "stage changed in the %d days before %s", m->progress_days,
              date_format (today, date));
    answer_fact (answer, "monitor.progressed_week", text, (double)moved_all);
    for (size_t k = 0; k < m->n_stages; k++)
        answer_factf (answer, (double)moved[k], "deals that moved into the stage this week",
                      "monitor.progressed_week.%s", m->stages[k]);
    for (size_t k = 0; k < m->n_stages; k++) {
        if (!monitor_open_stage (m, k))
            continue;
        snprintf (text, sizeof text, "%zu of %zu that reached it went on", funnel.went_on[k],
                  funnel.reached[k]);
        answer_factf (answer, monitor_conversion (&funnel, k), text, "monitor.conversion.%s",
                      m->stages[k]);
    }
    answer_fact (answer, "monitor.lost",
                 "closed-lost: counted at the stage they closed from, when it is known",
                 (double)funnel.lost);
    answer_fact (answer, "monitor.stalled", "days in stage past the per-stage, per-play limit",
                 (double)stalled);
    answer_fact (answer, "monitor.coached", "deals with a coaching recommendation",
                 (double)coached);
    for (size_t n = 0; n < 5; n++)
        answer_factf (answer, (double)obstacles[n], NULL, "monitor.obstacle.%s", names[n]);
    if (other)
        answer_fact (answer, "monitor.unknown_stage", "opportunities in a stage not configured",
                     (double)other);
    snprintf (answer->summary, sizeof answer->summary,
              "%zu open deals, %zu past qualified, %zu moved this week, %zu stalled, %zu with "
              "coaching",
              open, progressed, moved_all, stalled, coached);
}

/*  ------------------------------------------------------------------------------------
    Weeks 8-10: the forecast. */

/*  The play factor of a deal of type (1: no play of that type). */
static double
s_play_factor (const weeks_t *self, const double *factor, const char *type)
{
    const plays_play_t *play = plays_find (&self->plays, type);
    return play ? factor[play - self->plays.play] : 1;
}

/*  The decided deals counted at each stage of the forecast's priors (forecast.h): this
    campaign's closed deals at every stage from their entry stage through the stage they
    closed from (forecast_reached: the entry stage alone without closed_from); the
    history at "qualified", expected at the tiers' priors weighted by this campaign's
    qualified deals. Each deal is expected to win with its prior x its play factor. */
static void
s_stage_evidence (const weeks_t *self, const Campaign__TaskInput *input, const double *factor,
                  forecast_evidence_t *evidence)
{
    const forecast_t *f = &self->forecast;
    memset (evidence, 0, PLAYS_STAGES * sizeof *evidence);
    int qualified = forecast_stage (f, "qualified");
    double mix[3] = {0, 0, 0};
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        if (o->qualified)
            mix[o->tier >= 1 && o->tier <= 3 ? o->tier - 1 : 2]++;
        if (!s_closed (o))
            continue;
        size_t reached[PLAYS_STAGES];
        size_t n = forecast_reached (f, o->qualified, o->closed_from, reached);
        for (size_t k = 0; k < n; k++) {
            double expected = forecast_probability (f, f->stages[reached[k]], o->tier) *
                              s_play_factor (self, factor, o->type);
            forecast_evidence_add (&evidence[reached[k]], o->tier, s_won (o),
                                   expected > 0.99 ? 0.99 : expected);
        }
    }
    if (qualified < 0)
        return;
    double prior = 0, weights = mix[0] + mix[1] + mix[2];
    for (uint32_t tier = 1; tier <= 3; tier++)
        prior += forecast_probability (f, "qualified", tier) *
                 (weights > 0 ? mix[tier - 1] / weights : 1.0 / 3);
    for (size_t i = 0; i < input->n_history; i++) {
        const Campaign__HistoryRecord *h = input->history[i];
        bool won = h->outcome && strcmp (h->outcome, "won") == 0;
        if (!won && !(h->outcome && strcmp (h->outcome, "lost") == 0))
            continue;
        double expected = prior * s_play_factor (self, factor, h->opportunity_type);
        forecast_evidence_add_history (&evidence[qualified], won,
                                       expected > 0.99 ? 0.99 : expected);
    }
}

/*  Each stage's configured and learned win probability per tier and its evidence, as JSON
    entries; a fact per tier of each stage with evidence, so operators see what moved. */
static void
s_stage_report (const forecast_t *f, const forecast_evidence_t *evidence, answer_t *answer)
{
    for (size_t s = 0; s < f->n; s++) {
        const forecast_evidence_t *e = &evidence[s];
        double learned[3];
        for (uint32_t tier = 1; tier <= 3; tier++) {
            learned[tier - 1] = f->p[s][tier - 1] * forecast_stage_ratio (f, e, tier);
            learned[tier - 1] = learned[tier - 1] > 0.99 ? 0.99 : learned[tier - 1];
        }
        answer_say (answer,
                    "%s{\"stage\":\"%s\",\"prior\":[%.3f,%.3f,%.3f],"
                    "\"learned\":[%.3f,%.3f,%.3f],\"deals\":[%.0f,%.0f,%.0f],"
                    "\"won\":[%.0f,%.0f,%.0f],\"history\":%.0f,\"history_won\":%.0f}",
                    s ? "," : "", f->stages[s], f->p[s][0], f->p[s][1], f->p[s][2], learned[0],
                    learned[1], learned[2], e->deals[0], e->deals[1], e->deals[2], e->won[0],
                    e->won[1], e->won[2], e->history, e->history_won);
        double all = e->deals[0] + e->deals[1] + e->deals[2] + e->history;
        for (size_t c = 0; all > 0 && c < 3; c++) {
            char text[160];
            snprintf (text, sizeof text,
                      "configured %.3f; %.0f deals of this tier (%.0f won), %.0f of other "
                      "tiers, %.0f past",
                      f->p[s][c], e->deals[c], e->won[c], all - e->deals[c] - e->history,
                      e->history);
            answer_factf (answer, learned[c], text, "forecast.win_prob.%s.tier%zu",
                          f->stages[s], c + 1);
        }
    }
}

static void
s_forecast (const weeks_t *self, const Campaign__TaskInput *input, const lookup_t *index,
            int32_t today, answer_t *answer)
{
    const forecast_t *f = &self->forecast;
    forecast_sum_t sum, within; /* every open deal; the worked ones, weighed by timing */
    memset (&sum, 0, sizeof sum);
    memset (&within, 0, sizeof within);
    size_t lost = 0, slipping = 0, unknown = 0, listed = 0, nurture = 0;
    double nurture_expected = 0; /* amount x p of the nurture deals, in sum only */
    size_t at_risk = 0, accelerated = 0, risks[FORECAST_RISKS] = {0};
    char date[16];
    /*  Each play's priors learn from its won and lost deals: history and this campaign. */
    size_t n_plays = self->plays.n_play;
    size_t play_won[PLAYS_MAX] = {0}, play_lost[PLAYS_MAX] = {0};
    double factor[PLAYS_MAX], posterior[PLAYS_MAX];
    for (size_t i = 0; i < input->n_history; i++) {
        const Campaign__HistoryRecord *h = input->history[i];
        const plays_play_t *play = plays_find (&self->plays, h->opportunity_type);
        if (play && h->outcome) {
            size_t k = (size_t)(play - self->plays.play);
            play_won[k] += strcmp (h->outcome, "won") == 0;
            play_lost[k] += strcmp (h->outcome, "lost") == 0;
        }
    }
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        const plays_play_t *play = plays_find (&self->plays, o->type);
        if (play && s_closed (o)) {
            size_t k = (size_t)(play - self->plays.play);
            play_won[k] += s_won (o);
            play_lost[k] += !s_won (o);
        }
    }
    answer_say (answer, "{\"date\":\"%s\",\"win_rates\":[", date_format (today, date));
    for (size_t k = 0; k < n_plays; k++) {
        const plays_play_t *play = &self->plays.play[k];
        factor[k] = forecast_play_factor (f, play, play_won[k], play_lost[k], &posterior[k]);
        answer_say (answer,
                    "%s{\"play\":\"%s\",\"prior\":%.3f,\"won\":%zu,\"lost\":%zu,"
                    "\"posterior\":%.3f,\"factor\":%.3f}",
                    k ? "," : "", play->type, (play->win_rate[0] + play->win_rate[1]) / 2,
                    play_won[k], play_lost[k], posterior[k], factor[k]);
        answer_factf (answer, posterior[k],
                      "the play's win rate after history and this campaign",
                      "forecast.win_rate.%s", play->type);
    }
    answer_say (answer, "],\"stages\":[");
    forecast_evidence_t evidence[PLAYS_STAGES];
    s_stage_evidence (self, input, factor, evidence);
    s_stage_report (f, evidence, answer);
    answer_say (answer, "],\"deals\":[");
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        if (s_won (o)) {
            forecast_add_won (&sum, o->amount);
            forecast_add_won (&within, o->amount);
            continue;
        }
        if (s_closed (o)) {
            lost++;
            continue;
        }
        double p = forecast_probability (f, o->stage, o->tier);
        if (p < 0) {
            unknown++;
            continue;
        }
        const plays_play_t *play = plays_find (&self->plays, o->type);
        p *= forecast_stage_ratio (f, &evidence[forecast_stage (f, o->stage)], o->tier) *
             s_play_factor (self, factor, o->type);
        p = p > 0.99 ? 0.99 : p;
        int32_t opened = s_day (o->opened, today);
        int32_t close = forecast_close (f, play, opened, today);
        double timing = forecast_decided_by (f, play, opened, today, self->selling_end);
        bool slips = play && today > opened + play->cycle_days[1];
        slipping += slips;
        monitor_deal_t deal;
        const Campaign__AccountHealth *health = lookup_health (index, o->account_id);
        monitor_assess (&self->monitor, play, o, NULL, health, today, &deal);
        /*  Only a worked deal (qualified, or moved past qualified) can be at risk: an
            unqualified one still identified is nurture, nobody is closing it. */
        bool worked = o->qualified || monitor_stage (&self->monitor, o->stage) >
                                          monitor_stage (&self->monitor, "qualified");
        bool risk[FORECAST_RISKS] = {worked && slips, worked && deal.stalled,
                                     worked && monitor_health_dropped (&self->monitor, health)};
        forecast_add_open (f, &sum, o->potential_arr, p);
        if (worked)
            forecast_add_open (f, &within, o->potential_arr, p * timing);
        else {
            nurture++;
            nurture_expected += o->potential_arr * p;
        }
        answer_say (answer, "%s{\"opportunity\":", listed++ ? "," : "");
        answer_json_string (answer, o->opportunity_id);
        answer_say (answer,
                    ",\"type\":\"%s\",\"tier\":%u,\"stage\":\"%s\",\"amount\":%.0f,\"p\":%.3f,"
                    "\"category\":\"%s\",\"expected_close\":\"%s\",\"slipping\":%s,"
                    "\"decided_in_campaign\":%.3f,\"p_in_campaign\":%.3f,\"nurture\":%s",
                    o->type ? o->type : "", o->tier, o->stage ? o->stage : "", o->potential_arr,
                    p, forecast_category (f, p), date_format (close, date),
                    slips ? "true" : "false", timing, worked ? p * timing : 0,
                    worked ? "false" : "true");
        if (!risk[0] && !risk[1] && !risk[2]) {
            answer_say (answer, "}");
            continue;
        }
        /*  An at-risk deal: its reasons, and each reason's acceleration (a text shared by
            two reasons is listed once). */
        at_risk++;
        const char *texts[FORECAST_RISKS] = {NULL, NULL, NULL};
        size_t n_texts = 0;
        answer_say (answer, ",\"risks\":[");
        for (int r = 0, n = 0; r < FORECAST_RISKS; r++) {
            if (!risk[r])
                continue;
            risks[r]++;
            answer_say (answer, "%s\"%s\"", n++ ? "," : "", forecast_risk_names[r]);
            const char *text = forecast_acceleration (f, o->type, r);
            bool seen = false;
            for (size_t t = 0; t < n_texts; t++)
                seen |= texts[t] == text;
            if (text && !seen)
                texts[n_texts++] = text;
        }
        answer_say (answer, "],\"acceleration\":[");
        for (size_t t = 0; t < n_texts; t++) {
            answer_say (answer, "%s", t ? "," : "");
            answer_json_string (answer, texts[t]);
        }
        answer_say (answer, "]}");
        accelerated += n_texts > 0;
    }
    forecast_band (&sum);
    forecast_band (&within);
    double goal = input->targets && input->targets->has_arr_goal ? input->targets->arr_goal : 0;
    char close_by[16];
    date_format (self->selling_end, close_by);
    answer_say (
        answer,
        "],\"won_arr\":%.0f,\"open_arr\":%.0f,\"expected_arr\":%.0f,\"p10\":%.0f,"
        "\"p90\":%.0f,\"target\":%.0f,\"gap\":%.0f,\"commit\":%.0f,\"best_case\":%.0f,"
        "\"pipeline\":%.0f,\"lost\":%zu,\"slipping\":%zu,\"at_risk\":%zu,\"stalled\":%zu,"
        "\"health_dropped\":%zu,\"accelerated\":%zu,\"close_by\":\"%s\","
        "\"expected_in_campaign_arr\":%.0f,\"in_campaign_p10\":%.0f,"
        "\"in_campaign_p90\":%.0f,\"nurture_deals\":%zu,\"nurture_expected_arr\":%.0f,"
        "\"method\":\"won ARR + sum of amount x p (all open deals, nurture included); in "
        "the campaign: won ARR + sum of amount x p x q over worked deals, q the probability "
        "of a decision by close_by from the play's cycle (forecast.h); band: normal "
        "approximation of independent Bernoulli deals, mean -/+ 1.2816 sd, sd = sqrt(sum "
        "amount^2 p (1-p)), p x q in the campaign\"}\n",
        sum.won, sum.open, sum.expected, sum.p10, sum.p90, goal, goal - sum.expected,
        sum.commit, sum.best_case, sum.pipeline, lost, slipping, at_risk,
        risks[FORECAST_STALLED], risks[FORECAST_HEALTH_DROPPED], accelerated, close_by,
        within.expected, within.p10, within.p90, nurture, nurture_expected);
    answer_fact (answer, "forecast.expected_arr",
                 "won ARR + sum of open amount x win probability, nurture included",
                 sum.expected);
    char text[160];
    snprintf (text, sizeof text,
              "won ARR + worked open deals' amount x p x P(decided by %s); nurture out",
              close_by);
    answer_fact (answer, "forecast.expected_in_campaign", text, within.expected);
    answer_fact (answer, "forecast.in_campaign_p10",
                 "normal approximation, independent deals, p x timing", within.p10);
    answer_fact (answer, "forecast.in_campaign_p90",
                 "normal approximation, independent deals, p x timing", within.p90);
    answer_fact (answer, "forecast.close_by", close_by,
                 today > self->selling_end ? 0 : (double)(self->selling_end - today + 1));
    answer_fact (answer, "forecast.nurture_deals",
                 "unqualified deals still identified: in expected_arr only", (double)nurture);
    answer_fact (answer, "forecast.nurture_expected",
                 "their amount x p, part of expected_arr, not of expected_in_campaign",
                 nurture_expected);
    answer_fact (answer, "forecast.p10",
                 "all open deals: normal approximation, independent deals", sum.p10);
    answer_fact (answer, "forecast.p90",
                 "all open deals: normal approximation, independent deals", sum.p90);
    answer_fact (answer, "forecast.target", goal > 0 ? "targets.arr_goal" : "no ARR target set",
                 goal);
    answer_fact (answer, "forecast.won_arr", NULL, sum.won);
    answer_fact (answer, "forecast.commit", "open ARR with p >= commit_from", sum.commit);
    answer_fact (answer, "forecast.best_case",
                 "open ARR with best_case_from <= p < commit_from", sum.best_case);
    answer_fact (answer, "forecast.pipeline", "open ARR below best_case_from", sum.pipeline);
    answer_fact (answer, "forecast.open_deals", NULL, (double)sum.deals);
    answer_fact (answer, "forecast.lost", NULL, (double)lost);
    answer_fact (answer, "forecast.slipping", "open past the play's slowest cycle",
                 (double)slipping);
    answer_fact (answer, "forecast.at_risk", "open deals slipping, stalled or health-dropped",
                 (double)at_risk);
    for (int r = 0; r < FORECAST_RISKS; r++)
        answer_factf (answer, (double)risks[r], NULL, "forecast.at_risk.%s",
                      forecast_risk_names[r]);
    answer_fact (answer, "forecast.accelerated",
                 "at-risk deals with an acceleration recommendation", (double)accelerated);
    if (unknown)
        answer_fact (answer, "forecast.unknown_stage", "open deals in a stage without priors",
                     (double)unknown);
    snprintf (answer->summary, sizeof answer->summary,
              "forecast by %s $%.0f (P10 $%.0f, P90 $%.0f) vs target $%.0f; all open deals "
              "$%.0f; won $%.0f, %zu open (%zu nurture), %zu at risk (%zu slipping), %zu "
              "with acceleration",
              close_by, within.expected, within.p10, within.p90, goal, sum.expected, sum.won,
              sum.deals, nurture, at_risk, slipping, accelerated);
}

/*  ------------------------------------------------------------------------------------
    Week 11: the results. */

static void
s_group_json (answer_t *answer, const char *name, const results_group_t *groups, size_t n,
              size_t top_reasons)
{
    answer_say (answer, ",\"%s\":{", name);
    for (size_t i = 0; i < n; i++) {
        const results_group_t *g = &groups[i];
        answer_say (answer, "%s", i ? "," : "");
        answer_json_string (answer, g->key);
        answer_say (answer,
                    ":{\"qualified\":%zu,\"won\":%zu,\"arr\":%.0f,\"conversion\":%.4f,"
                    "\"deals_won\":%zu,\"deals_lost\":%zu,\"win_rate\":%.4f,\"avg_won\":%.0f,"
                    "\"loss_reasons\":[",
                    g->qualified, g->won, g->arr, g->conversion, g->deals_won, g->deals_lost,
                    g->win_rate, g->avg_won);
        for (size_t r = 0; r < g->n_reasons && r < top_reasons; r++) {
            answer_say (answer, "%s{\"reason\":", r ? "," : "");
            answer_json_string (answer, g->reasons[r].text);
            answer_say (answer, ",\"lost\":%zu}", g->reasons[r].count);
        }
        answer_say (answer, "]}");
    }
    answer_say (answer, "}");
}

/*  results.winloss.<by>.<key>.{won,lost,win_rate,avg_won,loss_reason.N}. */
static void
s_winloss_facts (answer_t *answer, const char *by, const results_group_t *groups, size_t n,
                 size_t top_reasons)
{
    for (size_t i = 0; i < n; i++) {
        const results_group_t *g = &groups[i];
        const char *key = g->key + (strcmp (by, "tier") == 0 ? 4 : 0);
        char text[96];
        answer_factf (answer, (double)g->deals_won, "closed-won, qualified or not",
                      "results.winloss.%s.%s.won", by, key);
        answer_factf (answer, (double)g->deals_lost, "closed-lost, qualified or not",
                      "results.winloss.%s.%s.lost", by, key);
        snprintf (text, sizeof text, "%zu won of %zu closed", g->deals_won,
                  g->deals_won + g->deals_lost);
        answer_factf (answer, g->win_rate, text, "results.winloss.%s.%s.win_rate", by, key);
        answer_factf (answer, g->avg_won, "won ARR / deals won",
                      "results.winloss.%s.%s.avg_won", by, key);
        for (size_t r = 0; r < g->n_reasons && r < top_reasons; r++)
            answer_factf (answer, (double)g->reasons[r].count, g->reasons[r].text,
                          "results.winloss.%s.%s.loss_reason.%zu", by, key, r + 1);
    }
}

static void
s_group_facts (answer_t *answer, const char *by, const results_group_t *groups, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char text[96];
        snprintf (text, sizeof text, "%zu of %zu qualified closed-won", groups[i].won,
                  groups[i].qualified);
        answer_factf (answer, groups[i].conversion, text, "results.conversion.%s.%s", by,
                      groups[i].key + (strcmp (by, "tier") == 0 ? 4 : 0));
    }
}

static const char s_nrr_formula[] =
    "NRR impact = expansion ARR won / total portfolio ARR x 100 (percentage points)";

static int
s_results (const weeks_t *self, const Campaign__TaskInput *input, const lookup_t *index,
           answer_t *answer)
{
    results_deal_t *deals = calloc (input->n_opportunities + 1, sizeof *deals);
    if (!deals)
        return ERR_NOMEM;
    double portfolio = 0;
    for (size_t i = 0; i < input->n_accounts; i++)
        portfolio += input->accounts[i]->arr;
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        const Campaign__Account *a = lookup_account (index, o->account_id);
        results_deal_t *d = &deals[i];
        d->type = o->type;
        d->segment = a ? a->segment : NULL;
        d->tier = o->tier;
        d->qualified = o->qualified;
        d->won = s_won (o);
        d->lost = s_closed (o) && !d->won;
        d->amount = d->won ? o->amount : 0;
        d->opened = s_day (o->opened, 0);
        d->closed = s_day (o->closed, 0);
        d->reason = o->reason;
    }
    const Campaign__Targets *t = input->targets;
    results_t r;
    results_compute (
        deals, input->n_opportunities, portfolio, t && t->has_arr_goal ? t->arr_goal : 0,
        t && t->has_investment ? t->investment : 0, t && t->has_deals ? t->deals : 0,
        t && t->has_conversion ? t->conversion : 0, &r);
    free (deals);
    answer_say (
        answer,
        "{\"arr_won\":%.0f,\"deals_won\":%zu,\"deals_lost\":%zu,\"deals_open\":%zu,"
        "\"qualified\":%zu,\"qualified_won\":%zu,\"conversion\":%.4f,\"avg_deal\":%.0f,"
        "\"avg_cycle_days\":%.1f,\"target_arr\":%.0f,\"vs_target\":%.4f,"
        "\"deals_target\":%u,\"conversion_target\":%.4f,\"investment\":%.0f,"
        "\"roi\":%.2f,\"cac_pct\":%.2f,\"portfolio_arr\":%.0f,\"nrr_impact_pct\":%.3f,"
        "\"formulas\":{\"conversion\":\"qualified opportunities closed-won / qualified "
        "opportunities\",\"roi\":\"expansion ARR / investment\",\"cac_pct\":\"investment / "
        "expansion ARR x 100\",\"nrr_impact_pct\":",
        r.arr_won, r.won, r.lost, r.open, r.qualified, r.qualified_won, r.conversion,
        r.avg_deal, r.avg_cycle_days, r.arr_goal, r.vs_target, r.deals_target,
        r.conversion_target, r.investment, r.roi, r.cac_pct, r.portfolio_arr, r.nrr_impact_pct);
    answer_json_string (answer, s_nrr_formula);
    answer_say (answer, "}");
    size_t top = (size_t)self->top_reasons;
    s_group_json (answer, "by_tier", r.tier, 3, top);
    s_group_json (answer, "by_type", r.type, r.n_type, top);
    s_group_json (answer, "by_segment", r.segment, r.n_segment, top);
    answer_say (answer, "}\n");
    char text[160];
    answer_fact (answer, "results.arr_won", "expansion ARR closed-won", r.arr_won);
    answer_fact (answer, "results.deals_won", NULL, (double)r.won);
    answer_fact (answer, "results.deals_lost", NULL, (double)r.lost);
    answer_fact (answer, "results.deals_open", "still open at week 11", (double)r.open);
    snprintf (text, sizeof text,
              "%zu of %zu qualified opportunities closed-won (target %.0f%%)", r.qualified_won,
              r.qualified, 100 * r.conversion_target);
    answer_fact (answer, "results.conversion", text, r.conversion);
    s_group_facts (answer, "tier", r.tier, 3);
    s_group_facts (answer, "type", r.type, r.n_type);
    s_group_facts (answer, "segment", r.segment, r.n_segment);
    s_winloss_facts (answer, "tier", r.tier, 3, top);
    s_winloss_facts (answer, "type", r.type, r.n_type, top);
    answer_fact (answer, "results.avg_deal", "expansion ARR / deals won", r.avg_deal);
    answer_fact (answer, "results.avg_cycle_days", "mean days from opened to closed, won deals",
                 r.avg_cycle_days);
    answer_fact (answer, "results.target_arr",
                 r.arr_goal > 0 ? "targets.arr_goal" : "no target set", r.arr_goal);
    snprintf (text, sizeof text, "$%.0f of $%.0f; %zu of %u deals", r.arr_won, r.arr_goal,
              r.won, r.deals_target);
    answer_fact (answer, "results.vs_target", text, r.vs_target);
    answer_fact (answer, "results.investment", NULL, r.investment);
    answer_fact (answer, "results.roi", "expansion ARR / investment", r.roi);
    answer_fact (answer, "results.cac_pct", "investment / expansion ARR x 100", r.cac_pct);
    answer_fact (answer, "results.portfolio_arr", NULL, r.portfolio_arr);
    answer_fact (answer, "results.nrr_impact_pct", s_nrr_formula, r.nrr_impact_pct);
    snprintf (answer->summary, sizeof answer->summary,
              "expansion ARR $%.0f from %zu deals (%zu lost), conversion %.1f%%, average deal "
              "$%.0f, cycle %.0f days, %.0f%% of target, ROI %.1fx, CAC %.1f%%, NRR +%.2f pts",
              r.arr_won, r.won, r.lost, 100 * r.conversion, r.avg_deal, r.avg_cycle_days,
              100 * r.vs_target, r.roi, r.cac_pct, r.nrr_impact_pct);
    return 0;
}

int
weeks_run (const weeks_t *self, const char *name, const Campaign__TaskInput *input,
           int32_t today, answer_t *answer)
{
    lookup_t *index = lookup_new (input);
    int rc = index ? 0 : ERR_NOMEM;
    if (rc)
        ;
    else if (strcmp (name, "identifier.campaign_design") == 0)
        s_design (self, input, index, answer);
    else if (strcmp (name, "identifier.pipeline_monitoring") == 0)
        s_monitor (self, input, index, today, answer);
    else if (strcmp (name, "identifier.forecast") == 0)
        s_forecast (self, input, index, today, answer);
    else
        rc = s_results (self, input, index, answer);
    lookup_destroy (&index);
    return rc ? rc : answer->nomem ? ERR_NOMEM : 0;
}
