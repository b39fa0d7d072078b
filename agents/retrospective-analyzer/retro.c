/*  retro.c: the campaign's retrospective (retro.h). */
#include "retro.h"

#include "calendar.h"
#include "lookup.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
retro_load (conf_t *conf, retro_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    int64_t min_deals = 0, stories = 0;
    const char *campaign = "";
    int rc = refit_load (conf, &out->refit, err);
    if (!rc)
        rc = playbook_load (conf, &out->playbook, err);
    if (!rc)
        rc = conf_int_range (conf, "retrospective.min_deals", 10, 1, 1000000, &min_deals, err);
    if (!rc)
        rc = conf_double_range (conf, "retrospective.margin", 0.05, 0, 1, &out->margin, err);
    if (!rc)
        rc = conf_int_range (conf, "retrospective.stories", 5, 0, 100, &stories, err);
    if (!rc)
        rc = conf_string (conf, "campaign.id", "campaign", &campaign, err);
    snprintf (out->campaign, sizeof out->campaign, "%s", campaign);
    out->min_deals = (size_t)min_deals;
    out->stories = (size_t)stories;
    if (rc)
        retro_free (out);
    return rc;
}

void
retro_free (retro_t *self)
{
    refit_free (&self->refit);
}

static bool
s_is (const Campaign__Opportunity *o, const char *stage)
{
    return o->stage && strcmp (o->stage, stage) == 0;
}

/*  A group's tally: deals closed, won, ARR won. */
typedef struct {
    char name[96];
    const char *by;
    size_t won, lost, open;
    double arr;
} s_group_t;

typedef struct {
    s_group_t *item;
    size_t n, cap;
    bool nomem;
} s_groups_t;

static s_group_t *
s_group (s_groups_t *groups, const char *by, const char *name)
{
    for (size_t i = 0; i < groups->n; i++)
        if (strcmp (groups->item[i].by, by) == 0 && strcmp (groups->item[i].name, name) == 0)
            return &groups->item[i];
    if (groups->n == groups->cap) {
        size_t cap = groups->cap ? groups->cap * 2 : 16;
        s_group_t *grown = realloc (groups->item, cap * sizeof *grown);
        if (!grown) {
            groups->nomem = true;
            return NULL;
        }
        groups->item = grown;
        groups->cap = cap;
    }
    s_group_t *g = &groups->item[groups->n++];
    memset (g, 0, sizeof *g);
    g->by = by;
    snprintf (g->name, sizeof g->name, "%s", name && *name ? name : "(none)");
    return g;
}

static void
s_count (s_group_t *g, const Campaign__Opportunity *o)
{
    if (!g)
        return;
    if (s_is (o, "closed-won")) {
        g->won++;
        g->arr += o->has_amount ? o->amount : o->potential_arr;
    } else if (s_is (o, "closed-lost"))
        g->lost++;
    else
        g->open++;
}

/*  Won deals, largest first. */
static int
s_by_amount (const void *a, const void *b)
{
    const Campaign__Opportunity *x = *(Campaign__Opportunity *const *)a;
    const Campaign__Opportunity *y = *(Campaign__Opportunity *const *)b;
    double ax = x->has_amount ? x->amount : x->potential_arr;
    double ay = y->has_amount ? y->amount : y->potential_arr;
    if (ax != ay)
        return ax > ay ? -1 : 1;
    return strcmp (x->opportunity_id, y->opportunity_id);
}

typedef struct {
    char reason[160];
    size_t count;
} s_reason_t;

static int
s_by_count (const void *a, const void *b)
{
    const s_reason_t *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp (x->reason, y->reason);
}

static int32_t
s_day (const char *text, int32_t dflt)
{
    int32_t day;
    return text && !date_parse (text, &day) ? day : dflt;
}

static void s_list_add (json_t *list, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_list_add (json_t *list, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (text, sizeof text, fmt, ap);
    va_end (ap);
    json_array_append_new (list, json_string (text));
}

static const Campaign__Fact *
s_fact (const Campaign__TaskInput *input, const char *name)
{
    for (size_t i = 0; i < input->n_facts; i++)
        if (input->facts[i]->name && strcmp (input->facts[i]->name, name) == 0)
            return input->facts[i];
    return NULL;
}

int
retro_run (const retro_t *self, const Campaign__TaskInput *input, int32_t today,
           answer_t *answer, err_t *err)
{
    lookup_t *lookup = lookup_new (input);
    Campaign__Opportunity **wins = malloc ((input->n_opportunities + 1) * sizeof *wins);
    s_reason_t *reasons = calloc (input->n_opportunities + 1, sizeof *reasons);
    if (!lookup || !wins || !reasons) {
        lookup_destroy (&lookup);
        free (wins);
        free (reasons);
        return err_set (err, ERR_NOMEM, "out of memory");
    }

    /*  Tallies: the campaign, and by play, tier and account segment. */
    s_groups_t groups = {0};
    s_group_t all = {.name = "campaign", .by = "campaign"};
    size_t qualified = 0, n_wins = 0, n_reasons = 0, cycles = 0;
    double cycle_days = 0;
    /*  Open deals by stage: how long they have sat there. */
    const playbook_t *pb = &self->playbook;
    size_t in_stage[PLAYS_STAGES] = {0};
    double days_in_stage[PLAYS_STAGES] = {0};
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        const Campaign__Account *a = lookup_account (lookup, o->account_id);
        char tier[16];
        snprintf (tier, sizeof tier, "%u", o->tier);
        qualified += o->qualified;
        s_count (&all, o);
        s_count (s_group (&groups, "play", o->type), o);
        if (o->tier)
            s_count (s_group (&groups, "tier", tier), o);
        s_count (s_group (&groups, "segment", a ? a->segment : NULL), o);
        if (s_is (o, "closed-won")) {
            wins[n_wins++] = (Campaign__Opportunity *)o;
            int32_t opened = s_day (o->opened, -1), closed = s_day (o->closed, -1);
            if (opened >= 0 && closed >= opened) {
                cycle_days += closed - opened;
                cycles++;
            }
        } else if (s_is (o, "closed-lost")) {
            const char *reason = o->reason && *o->reason ? o->reason : "(no reason given)";
            size_t r = 0;
            while (r < n_reasons && strcmp (reasons[r].reason, reason) != 0)
                r++;
            if (r == n_reasons)
                snprintf (reasons[n_reasons++].reason, sizeof reasons[0].reason, "%s", reason);
            reasons[r].count++;
        } else {
            for (size_t k = 0; k < pb->n_stages; k++)
                if (o->stage && strcmp (o->stage, pb->stages[k]) == 0) {
                    in_stage[k]++;
                    days_in_stage[k] +=
                        today - s_day (o->stage_changed, s_day (o->opened, today));
                }
        }
    }
    qsort (wins, n_wins, sizeof *wins, s_by_amount);
    qsort (reasons, n_reasons, sizeof *reasons, s_by_count);
    size_t closed = all.won + all.lost;
    double rate = closed ? (double)all.won / (double)closed : NAN;
    const Campaign__Targets *t = input->targets;
    double goal = t && t->has_arr_goal ? t->arr_goal : NAN;
    double investment = t && t->has_investment ? t->investment : NAN;
    double conversion = qualified ? (double)all.won / (double)qualified : NAN;
    double roi = investment > 0 ? all.arr / investment : NAN;

    json_t *root = json_object ();
    json_object_set_new (root, "task", json_string ("retrospective.run"));
    json_object_set_new (root, "campaign", json_string (self->campaign));
    char date[16];
    json_object_set_new (root, "date", json_string (date_format (today, date)));
    json_object_set_new (
        root, "summary",
        json_pack (
            "{s:o, s:o, s:o, s:I, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, "
            "s:o}",
            "arr_won", json_real (round (all.arr)), "arr_goal", answer_json_rounded (goal, 1),
            "arr_vs_goal", answer_json_rounded (all.arr / goal, 0.001), "deals_won",
            (json_int_t)all.won, "deals_goal",
            t && t->has_deals ? json_integer (t->deals) : json_null (), "deals_lost",
            (json_int_t)all.lost, "deals_open", (json_int_t)all.open, "qualified",
            (json_int_t)qualified, "opportunities", (json_int_t)input->n_opportunities,
            "conversion", answer_json_rounded (conversion, 0.001), "conversion_goal",
            t && t->has_conversion ? json_real (t->conversion) : json_null (), "win_rate",
            answer_json_rounded (rate, 0.001), "average_deal",
            answer_json_rounded (all.won ? all.arr / (double)all.won : NAN, 1),
            "average_cycle_days",
            answer_json_rounded (cycles ? cycle_days / (double)cycles : NAN, 0.1), "investment",
            answer_json_rounded (investment, 1), "roi", answer_json_rounded (roi, 0.01)));

    /*  What worked and what did not: groups judged against the campaign's win rate. */
    json_t *worked = json_array (), *didnt = json_array ();
    json_t *start = json_array (), *stop = json_array (), *keep = json_array ();
    json_t *by_group = json_array ();
    for (size_t g = 0; g < groups.n; g++) {
        const s_group_t *x = &groups.item[g];
        size_t n = x->won + x->lost;
        double r = n ? (double)x->won / (double)n : NAN;
        json_array_append_new (by_group,
                               json_pack ("{s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "by", x->by,
                                          "group", x->name, "won", (json_int_t)x->won, "lost",
                                          (json_int_t)x->lost, "open", (json_int_t)x->open,
                                          "win_rate", answer_json_rounded (r, 0.001), "arr_won",
                                          json_real (round (x->arr))));
        if (n < self->min_deals || !isfinite (rate))
            continue;
        if (r >= rate + self->margin) {
            s_list_add (worked, "%s %s: won %zu of %zu (%.0f%% against %.0f%%), $%.0f ARR",
                        x->by, x->name, x->won, n, 100 * r, 100 * rate, x->arr);
            s_list_add (keep, "continue the %s %s: %.0f%% won against %.0f%% overall", x->by,
                        x->name, 100 * r, 100 * rate);
        } else if (r <= rate - self->margin) {
            s_list_add (didnt, "%s %s: won %zu of %zu (%.0f%% against %.0f%%)", x->by, x->name,
                        x->won, n, 100 * r, 100 * rate);
            s_list_add (stop, "stop pushing the %s %s as it ran: %.0f%% won against %.0f%%",
                        x->by, x->name, 100 * r, 100 * rate);
        }
    }
    json_t *losses = json_array ();
    for (size_t r = 0; r < n_reasons && r < 5; r++) {
        json_array_append_new (losses, json_pack ("{s:s, s:I}", "reason", reasons[r].reason,
                                                  "deals", (json_int_t)reasons[r].count));
        if (r < 3 && all.lost)
            s_list_add (didnt, "lost to \"%s\": %zu of %zu lost deals", reasons[r].reason,
                        reasons[r].count, all.lost);
    }
    json_t *stalls = json_array ();
    size_t slowest = PLAYS_STAGES;
    /*  The first stage is where the scan leaves deals nobody has worked yet: not a
        stall. */
    for (size_t k = 1; k < pb->n_stages; k++) {
        if (!in_stage[k])
            continue;
        double mean = days_in_stage[k] / (double)in_stage[k];
        json_array_append_new (stalls, json_pack ("{s:s, s:I, s:o}", "stage", pb->stages[k],
                                                  "open_deals", (json_int_t)in_stage[k],
                                                  "mean_days_in_stage",
                                                  answer_json_rounded (mean, 0.1)));
        if (slowest == PLAYS_STAGES ||
            mean > days_in_stage[slowest] / (double)in_stage[slowest])
            slowest = k;
    }
    if (slowest < PLAYS_STAGES)
        s_list_add (didnt, "open deals sat longest in %s: %.0f days on average (%zu deals)",
                    pb->stages[slowest], days_in_stage[slowest] / (double)in_stage[slowest],
                    in_stage[slowest]);
    const Campaign__Fact *high = s_fact (input, "cohort.high");
    if (high && high->text && *high->text)
        s_list_add (start, "start with the cohorts that won more often: %s", high->text);
    const Campaign__Fact *target = s_fact (input, "segment.target");
    if (target && target->text)
        s_list_add (keep, "continue targeting '%s' (%.0f accounts)", target->text,
                    target->number);

    /*  The team's own input, merged in. */
    json_t *team = json_object ();
    for (size_t i = 0; i < input->n_retros; i++) {
        const Campaign__Retro *r = input->retros[i];
        if (!r->kind || !r->text)
            continue;
        json_t *list = strcmp (r->kind, "worked") == 0     ? worked
                       : strcmp (r->kind, "didnt") == 0    ? didnt
                       : strcmp (r->kind, "start") == 0    ? start
                       : strcmp (r->kind, "stop") == 0     ? stop
                       : strcmp (r->kind, "continue") == 0 ? keep
                                                           : NULL;
        if (list)
            s_list_add (list, "%s (team)", r->text);
        json_t *kind = json_object_get (team, r->kind);
        if (!kind)
            json_object_set_new (team, r->kind, kind = json_array ());
        json_array_append_new (kind, json_string (r->text));
    }

    /*  The refined model and the updated plays. */
    refit_result_t refit;
    int rc = groups.nomem ? err_set (err, ERR_NOMEM, "out of memory")
                          : refit_run (&self->refit, input, &refit, err);
    if (groups.nomem)
        memset (&refit, 0, sizeof refit);
    json_t *plays_json = NULL;
    char *plays_text = NULL;
    if (!rc)
        rc = playbook_update (pb, input, self->campaign, date, &plays_json, &plays_text, err);
    json_t *recommendations = json_array ();
    if (!rc) {
        bool better = isfinite (refit.auc_after) && isfinite (refit.auc_before) &&
                      refit.auc_after > refit.auc_before;
        json_object_set_new (
            root, "model",
            json_pack ("{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:s, s:s, s:b, s:o}", "rows",
                       (json_int_t)refit.rows, "positives", (json_int_t)refit.positives,
                       "from_campaign", (json_int_t)refit.from_campaign, "from_history",
                       (json_int_t)refit.from_history, "auc_before",
                       answer_json_rounded (refit.auc_before, 0.0001), "brier_before",
                       answer_json_rounded (refit.brier_before, 0.0001), "auc_after",
                       answer_json_rounded (refit.auc_after, 0.0001), "brier_after",
                       answer_json_rounded (refit.brier_after, 0.0001), "plays_refitted",
                       refit.plays_refitted, "notes", refit.notes, "better", better,
                       "model_file",
                       refit.model_text ? json_string (refit.model_text) : json_null ()));
        json_object_set_new (root, "plays", plays_json);
        json_object_set_new (root, "plays_file", json_string (plays_text));
        if (better)
            s_list_add (start,
                        "start scoring with the refined propensity model: AUC %.3f -> %.3f "
                        "(cross-validated), Brier %.3f -> %.3f",
                        refit.auc_before, refit.auc_after, refit.brier_before,
                        refit.brier_after);
        /*  Recommendations, each with its figure. */
        if (isfinite (goal) && all.arr < goal)
            s_list_add (recommendations,
                        "build more pipeline early: $%.0f won of the $%.0f goal (%.0f%%), with "
                        "%zu deals still open",
                        all.arr, goal, 100 * all.arr / goal, all.open);
        else if (isfinite (goal))
            s_list_add (recommendations, "raise the ARR goal: $%.0f won against $%.0f (%.0f%%)",
                        all.arr, goal, 100 * all.arr / goal);
        const s_group_t *best = NULL, *worst = NULL;
        for (size_t g = 0; g < groups.n; g++) {
            const s_group_t *x = &groups.item[g];
            size_t n = x->won + x->lost;
            if (strcmp (x->by, "play") != 0 || n < self->min_deals)
                continue;
            double r = (double)x->won / (double)n;
            if (!best || r > (double)best->won / (double)(best->won + best->lost))
                best = x;
            if (!worst || r < (double)worst->won / (double)(worst->won + worst->lost))
                worst = x;
        }
        if (best)
            s_list_add (
                recommendations,
                "lead with the %s play: %.0f%% of its closed deals won ($%.0f ARR)", best->name,
                100.0 * (double)best->won / (double)(best->won + best->lost), best->arr);
        if (worst && worst != best)
            s_list_add (recommendations,
                        "rework the %s play before running it again: %.0f%% won; see its "
                        "stage conversion in the updated plays",
                        worst->name,
                        100.0 * (double)worst->won / (double)(worst->won + worst->lost));
        if (n_reasons && all.lost)
            s_list_add (recommendations, "answer \"%s\" up front: it lost %zu of %zu deals",
                        reasons[0].reason, reasons[0].count, all.lost);
        if (slowest < PLAYS_STAGES)
            s_list_add (recommendations, "coach the %s stage: deals sat %.0f days there",
                        pb->stages[slowest],
                        days_in_stage[slowest] / (double)in_stage[slowest]);
        s_list_add (recommendations, "%s",
                    better ? "load the refined model in the next campaign "
                             "(identifier.propensity.model)"
                           : "keep the campaign's propensity model: the refit did not beat it");
    }
    json_t *stories = json_array ();
    for (size_t w = 0; !rc && w < n_wins && w < self->stories; w++) {
        const Campaign__Opportunity *o = wins[w];
        const Campaign__Account *a = lookup_account (lookup, o->account_id);
        int32_t opened = s_day (o->opened, -1), closed_day = s_day (o->closed, -1);
        json_array_append_new (
            stories,
            json_pack (
                "{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s}", "opportunity",
                o->opportunity_id, "account", o->account_id, "name",
                a && a->name ? a->name : "", "segment", a && a->segment ? a->segment : "",
                "play", o->type ? o->type : "", "amount",
                json_real (round (o->has_amount ? o->amount : o->potential_arr)), "account_arr",
                a ? json_real (round (a->arr)) : json_null (), "cycle_days",
                opened >= 0 && closed_day >= opened ? json_integer (closed_day - opened)
                                                    : json_null (),
                "propensity", json_real (o->propensity), "csm", o->csm ? o->csm : "", "reason",
                o->reason ? o->reason : ""));
    }
    if (!rc) {
        json_object_set_new (root, "what_worked", worked);
        json_object_set_new (root, "what_did_not", didnt);
        json_object_set_new (root, "start", start);
        json_object_set_new (root, "stop", stop);
        json_object_set_new (root, "continue", keep);
        json_object_set_new (root, "groups", by_group);
        json_object_set_new (root, "loss_reasons", losses);
        json_object_set_new (root, "open_by_stage", stalls);
        json_object_set_new (root, "team_input", team);
        json_object_set_new (root, "success_stories", stories);
        json_object_set_new (root, "recommendations", recommendations);
        char *text = json_dumps (root, JSON_INDENT (2) | JSON_REAL_PRECISION (8));
        if (!text)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        else
            answer_set_text (answer, text);
        free (text);
        answer_fact (answer, "retro.arr_won", NULL, all.arr);
        answer_fact (answer, "retro.arr_vs_goal", NULL, isfinite (goal) ? all.arr / goal : 0);
        answer_fact (answer, "retro.win_rate", NULL, isfinite (rate) ? rate : 0);
        answer_fact (answer, "retro.roi", "ARR won / investment", isfinite (roi) ? roi : 0);
        answer_fact (answer, "retro.model.auc_before", "the campaign's model on the outcomes",
                     refit.auc_before);
        answer_fact (answer, "retro.model.auc_after", "the refit, cross-validated",
                     refit.auc_after);
        answer_fact (answer, "retro.model.brier_before", NULL, refit.brier_before);
        answer_fact (answer, "retro.model.brier_after", NULL, refit.brier_after);
        answer_fact (answer, "retro.stories", NULL, (double)json_array_size (stories));
        snprintf (answer->summary, sizeof answer->summary,
                  "retrospective: $%.0f ARR won (%s%.0f%% of goal), %zu won / %zu lost, ROI "
                  "%.2f; model AUC %.3f -> %.3f; %zu success stories",
                  all.arr, isfinite (goal) ? "" : "no goal, ",
                  isfinite (goal) ? 100 * all.arr / goal : 0, all.won, all.lost,
                  isfinite (roi) ? roi : 0, refit.auc_before, refit.auc_after,
                  json_array_size (stories));
        if (answer->nomem)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        refit_result_free (&refit);
    } else {
        refit_result_free (&refit);
        json_decref (worked);
        json_decref (didnt);
        json_decref (start);
        json_decref (stop);
        json_decref (keep);
        json_decref (by_group);
        json_decref (losses);
        json_decref (stalls);
        json_decref (team);
        json_decref (stories);
        json_decref (recommendations);
    }
    json_decref (root);
    free (plays_text);
    free (groups.item);
    lookup_destroy (&lookup);
    free (wins);
    free (reasons);
    return rc;
}
