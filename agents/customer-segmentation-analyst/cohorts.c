/*  cohorts.c: cohort performance and propensity accuracy (cohorts.h). */
#include "cohorts.h"

#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*  One cohort's tally. */
typedef struct {
    char name[160];
    size_t accounts, expanded; /* accounts with a deal / with a won deal */
    size_t deals, won, lost;
    double arr_won;
} s_cohort_t;

typedef struct {
    const char *by; /* "segment", "rule segment", ... */
    s_cohort_t *cohort;
    size_t n, cap;
    bool nomem;
} s_dimension_t;

static s_cohort_t *
s_cohort (s_dimension_t *dim, const char *name)
{
    for (size_t c = 0; c < dim->n; c++)
        if (strcmp (dim->cohort[c].name, name) == 0)
            return &dim->cohort[c];
    if (dim->n == dim->cap) {
        size_t cap = dim->cap ? dim->cap * 2 : 8;
        s_cohort_t *grown = realloc (dim->cohort, cap * sizeof *grown);
        if (!grown) {
            dim->nomem = true;
            return NULL;
        }
        dim->cohort = grown;
        dim->cap = cap;
    }
    s_cohort_t *c = &dim->cohort[dim->n++];
    memset (c, 0, sizeof *c);
    snprintf (c->name, sizeof c->name, "%s", name && *name ? name : "(none)");
    return c;
}

static bool
s_closed (const Campaign__Opportunity *o, bool *won)
{
    const char *stage = o->stage ? o->stage : "";
    *won = strcmp (stage, "closed-won") == 0;
    return *won || strcmp (stage, "closed-lost") == 0;
}

/*  Tally one account's deals into cohort c (deals of type only, when type is set). */
static void
s_tally (s_cohort_t *c, const profiles_t *profiles, const profile_t *row, const char *type,
         uint32_t tier)
{
    if (!c)
        return;
    size_t deals = 0, won_deals = 0;
    for (size_t k = 0; k < row->n_opportunities; k++) {
        const Campaign__Opportunity *o = profiles->opportunities[row->first_opportunity + k];
        if (type && (!o->type || strcmp (o->type, type) != 0))
            continue;
        if (tier && o->tier != tier)
            continue;
        bool won;
        deals++;
        if (s_closed (o, &won)) {
            if (won) {
                c->won++;
                won_deals++;
                c->arr_won += o->has_amount ? o->amount : o->potential_arr;
            } else
                c->lost++;
        }
    }
    c->deals += deals;
    c->accounts += deals > 0;
    c->expanded += won_deals > 0;
}

/*  The dimension as JSON, each cohort judged against the rest of the campaign. */
static json_t *
s_dimension_json (const segments_t *self, const s_dimension_t *dim, size_t won_all,
                  size_t closed_all, json_t *high, json_t *low)
{
    json_t *list = json_array ();
    double overall = closed_all ? (double)won_all / (double)closed_all : NAN;
    for (size_t c = 0; c < dim->n; c++) {
        const s_cohort_t *x = &dim->cohort[c];
        size_t closed = x->won + x->lost;
        double rate = closed ? (double)x->won / (double)closed : NAN;
        /*  Two-proportion z: the cohort against the rest (pooled variance). */
        size_t rest_closed = closed_all - closed, rest_won = won_all - x->won;
        double z = NAN;
        const char *verdict = "";
        if (closed >= self->min_closed && rest_closed > 0) {
            double rest = (double)rest_won / (double)rest_closed;
            double pooled = (double)won_all / (double)closed_all;
            double se = sqrt (pooled * (1 - pooled) *
                              (1.0 / (double)closed + 1.0 / (double)rest_closed));
            z = se > 0 ? (rate - rest) / se : 0;
            if (z >= self->z)
                verdict = "high";
            else if (z <= -self->z)
                verdict = "low";
        }
        json_t *item = json_pack (
            "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "by",
            dim->by, "cohort", x->name, "accounts", (json_int_t)x->accounts, "expanded",
            (json_int_t)x->expanded, "deals", (json_int_t)x->deals, "won", (json_int_t)x->won,
            "lost", (json_int_t)x->lost, "open", (json_int_t)(x->deals - closed), "win_rate",
            answer_json_rounded (rate, 0.001), "expansion_rate",
            answer_json_rounded (x->accounts ? (double)x->expanded / (double)x->accounts : NAN,
                                 0.001),
            "arr_won", json_real (round (x->arr_won)), "average_deal",
            answer_json_rounded (x->won ? round (x->arr_won / (double)x->won) : NAN, 0),
            "difference_pts", answer_json_rounded ((rate - overall) * 100, 0.1), "z",
            answer_json_rounded (z, 0.01), "verdict", verdict);
        json_array_append_new (list, item);
        if (*verdict)
            json_array_append (*verdict == 'h' ? high : low, item);
    }
    return list;
}

/*  Propensity accuracy on the closed deals into root; facts cohort.auc etc. */
static void
s_accuracy (const segments_t *self, const profiles_t *profiles, json_t *root, answer_t *answer)
{
    size_t n = profiles->n_opportunities, m = 0;
    double *p = malloc ((n + 1) * sizeof *p);
    int *y = malloc ((n + 1) * sizeof *y);
    if (!p || !y) {
        answer->nomem = true;
        free (p);
        free (y);
        return;
    }
    size_t high = 0, high_won = 0, low = 0, low_won = 0;
    for (size_t i = 0; i < n; i++) {
        const Campaign__Opportunity *o = profiles->opportunities[i];
        bool won;
        if (!o->has_propensity || !s_closed (o, &won))
            continue;
        p[m] = o->propensity / 100;
        y[m++] = won;
        if (o->propensity >= self->high_propensity) {
            high++;
            high_won += won;
        } else if (o->propensity < self->low_propensity) {
            low++;
            low_won += won;
        }
    }
    json_t *accuracy = json_object ();
    json_object_set_new (accuracy, "closed_deals", json_integer ((json_int_t)m));
    err_t err;
    double auc = NAN, brier = NAN;
    stats_calibration_t *cal = NULL;
    size_t bins = self->deciles < m ? self->deciles : m;
    int rc = m ? stats_auc (p, y, m, &auc, &err)
               : err_set (&err, ERR_INVALID, "no closed deal has a propensity score");
    if (!rc)
        rc = stats_brier (p, y, m, &brier, &err);
    if (!rc)
        rc = stats_calibration (p, y, m, bins, &cal, &err);
    if (rc) {
        json_object_set_new (accuracy, "error", json_string (err.msg));
    } else {
        json_object_set_new (accuracy, "auc", answer_json_rounded (auc, 0.0001));
        json_object_set_new (accuracy, "brier", answer_json_rounded (brier, 0.0001));
        json_object_set_new (accuracy, "ece", answer_json_rounded (cal->ece, 0.0001));
        json_object_set_new (accuracy, "base_rate",
                             answer_json_rounded (cal->overall_rate, 0.001));
        json_t *table = json_array ();
        for (size_t b = 0; b < cal->bins; b++) {
            const stats_bin_t *bin = &cal->bin[b];
            json_array_append_new (
                table,
                json_pack ("{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "bin",
                           (json_int_t)(b + 1), "deals", (json_int_t)bin->count, "won",
                           (json_int_t)bin->positives, "score_min",
                           answer_json_rounded (bin->score_min * 100, 0.1), "score_max",
                           answer_json_rounded (bin->score_max * 100, 0.1), "mean_predicted",
                           answer_json_rounded (bin->mean_predicted, 0.001), "observed_rate",
                           answer_json_rounded (bin->observed_rate, 0.001), "lift",
                           answer_json_rounded (bin->lift, 0.01)));
        }
        json_object_set_new (accuracy, "calibration", table);
        answer_fact (answer, "cohort.auc", NULL, auc);
        answer_fact (answer, "cohort.brier", NULL, brier);
        answer_fact (answer, "cohort.ece", NULL, cal->ece);
        answer_fact (answer, "cohort.top_lift", "lift of the top propensity bin",
                     cal->top_lift);
    }
    double high_rate = high ? (double)high_won / (double)high : NAN;
    double low_rate = low ? (double)low_won / (double)low : NAN;
    json_object_set_new (
        accuracy, "high_vs_low",
        json_pack ("{s:o, s:I, s:o, s:o, s:I, s:o, s:o}", "high_from",
                   json_real (self->high_propensity), "high_closed", (json_int_t)high,
                   "high_win_rate", answer_json_rounded (high_rate, 0.001), "low_below",
                   json_real (self->low_propensity), "low_closed", (json_int_t)low,
                   "low_win_rate", answer_json_rounded (low_rate, 0.001),
                   "high_closed_more_often",
                   high && low ? json_boolean (high_rate > low_rate) : json_null ()));
    if (high && low) {
        answer_fact (answer, "cohort.high_propensity_win_rate", NULL, high_rate);
        answer_fact (answer, "cohort.low_propensity_win_rate", NULL, low_rate);
    }
    json_object_set_new (root, "propensity_accuracy", accuracy);
    stats_calibration_destroy (&cal);
    free (p);
    free (y);
}

static const char *const s_types[] = {"seat", "tier", "cross-sell", "geo"};

int
cohorts_performance (const segments_t *self, const Campaign__TaskInput *input, answer_t *answer,
                     err_t *err)
{
    profiles_t profiles;
    int rc = profiles_build (input, &profiles, err);
    if (rc)
        return rc;
    segments_groups_t groups = {0};
    rc = segments_groups (self, &profiles, &groups, err);
    enum { D_SEGMENT, D_RULE, D_CLUSTER, D_REGION, D_PLAY, D_TIER, D_COUNT };
    s_dimension_t dims[D_COUNT] = {{.by = "segment"}, {.by = "rule segment"}, {.by = "cluster"},
                                   {.by = "region"},  {.by = "play"},         {.by = "tier"}};
    s_cohort_t all = {.name = "campaign"};
    /*  Every play and tier is a cohort even with no deal, in this order. */
    for (int t = 0; t < 4; t++)
        s_cohort (&dims[D_PLAY], s_types[t]);
    for (size_t i = 0; !rc && i < profiles.n; i++) {
        const profile_t *row = &profiles.rows[i];
        s_tally (&all, &profiles, row, NULL, 0);
        s_tally (s_cohort (&dims[D_SEGMENT], row->text[PF_SEGMENT - PF_NUMBERS]), &profiles,
                 row, NULL, 0);
        s_tally (s_cohort (&dims[D_REGION], row->text[PF_REGION - PF_NUMBERS]), &profiles, row,
                 NULL, 0);
        for (int t = 0; t < 4; t++)
            s_tally (s_cohort (&dims[D_PLAY], s_types[t]), &profiles, row, s_types[t], 0);
        for (uint32_t tier = 1; tier <= 3; tier++) {
            char name[16];
            snprintf (name, sizeof name, "tier %u", tier);
            s_tally (s_cohort (&dims[D_TIER], name), &profiles, row, NULL, tier);
        }
    }
    for (size_t g = 0; !rc && g < groups.n; g++) {
        s_cohort_t *c = s_cohort (&dims[g < groups.first_cluster ? D_RULE : D_CLUSTER],
                                  groups.group[g].name);
        for (size_t m = 0; c && m < groups.group[g].n; m++)
            s_tally (c, &profiles, &profiles.rows[groups.group[g].rows[m]], NULL, 0);
    }
    for (int d = 0; !rc && d < D_COUNT; d++)
        if (dims[d].nomem || (d == D_PLAY && dims[d].n < 4))
            rc = err_set (err, ERR_NOMEM, "out of memory");
    json_t *root = NULL;
    if (!rc) {
        size_t closed = all.won + all.lost;
        json_t *high = json_array (), *low = json_array ();
        json_t *cohorts = json_object ();
        for (int d = 0; d < D_COUNT; d++)
            json_object_set_new (cohorts, dims[d].by,
                                 s_dimension_json (self, &dims[d], all.won, closed, high, low));
        /*  Types by win rate, best first (types with no closed deal last). */
        json_t *types = json_array ();
        bool done[4] = {false};
        for (int k = 0; k < 4; k++) {
            int best = -1;
            double best_rate = -1;
            for (int t = 0; t < 4; t++) {
                const s_cohort_t *x = &dims[D_PLAY].cohort[t];
                size_t n_closed = x->won + x->lost;
                double rate = n_closed ? (double)x->won / (double)n_closed : -0.5;
                if (!done[t] && rate > best_rate) {
                    best = t;
                    best_rate = rate;
                }
            }
            done[best] = true;
            json_array_append_new (types, json_string (s_types[best]));
            if (k == 0 && best_rate >= 0)
                answer_fact (answer, "cohort.best_type", s_types[best], best_rate);
        }
        root = json_pack (
            "{s:s, s:{s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}, s:o, s:o, s:o, s:o}", "task",
            "segmentation.cohort_performance", "campaign", "accounts", (json_int_t)all.accounts,
            "deals", (json_int_t)all.deals, "won", (json_int_t)all.won, "lost",
            (json_int_t)all.lost, "open", (json_int_t)(all.deals - closed), "win_rate",
            answer_json_rounded (closed ? (double)all.won / (double)closed : NAN, 0.001),
            "expansion_rate",
            answer_json_rounded (
                all.accounts ? (double)all.expanded / (double)all.accounts : NAN, 0.001),
            "arr_won", json_real (round (all.arr_won)), "cohorts", cohorts, "high_performing",
            high, "low_performing", low, "types_by_win_rate", types);
        if (!root)
            rc = err_set (err, ERR_NOMEM, "out of memory");
    }
    if (!rc) {
        size_t closed = all.won + all.lost;
        s_accuracy (self, &profiles, root, answer);
        answer_fact (answer, "cohort.closed", NULL, (double)closed);
        answer_fact (answer, "cohort.win_rate", NULL,
                     closed ? (double)all.won / (double)closed : 0);
        json_t *high = json_object_get (root, "high_performing");
        json_t *low = json_object_get (root, "low_performing");
        char list[400] = "";
        size_t len = 0;
        for (size_t i = 0; i < json_array_size (high) && len < sizeof list; i++)
            len += (size_t)snprintf (
                list + len, sizeof list - len, "%s%s %s", i ? "; " : "",
                json_string_value (json_object_get (json_array_get (high, i), "by")),
                json_string_value (json_object_get (json_array_get (high, i), "cohort")));
        answer_fact (answer, "cohort.high", list, (double)json_array_size (high));
        len = 0;
        list[0] = '\0';
        for (size_t i = 0; i < json_array_size (low) && len < sizeof list; i++)
            len += (size_t)snprintf (
                list + len, sizeof list - len, "%s%s %s", i ? "; " : "",
                json_string_value (json_object_get (json_array_get (low, i), "by")),
                json_string_value (json_object_get (json_array_get (low, i), "cohort")));
        answer_fact (answer, "cohort.low", list, (double)json_array_size (low));
        json_t *acc = json_object_get (root, "propensity_accuracy");
        json_t *auc = json_object_get (acc, "auc");
        char accuracy[160];
        if (auc)
            snprintf (accuracy, sizeof accuracy, "propensity AUC %.3f, Brier %.3f, ECE %.3f",
                      json_real_value (auc), json_real_value (json_object_get (acc, "brier")),
                      json_real_value (json_object_get (acc, "ece")));
        else
            snprintf (accuracy, sizeof accuracy, "propensity accuracy not measurable: %s",
                      json_string_value (json_object_get (acc, "error")));
        snprintf (
            answer->summary, sizeof answer->summary,
            "%zu deals closed (%zu won, win rate %.0f%%), $%.0f ARR won; %zu high- and %zu "
            "low-performing cohorts; %s",
            closed, all.won, closed ? 100.0 * (double)all.won / (double)closed : 0, all.arr_won,
            json_array_size (high), json_array_size (low), accuracy);
        segments_payload (answer, root);
        if (answer->nomem)
            rc = err_set (err, ERR_NOMEM, "out of memory");
    } else
        json_decref (root);
    for (int d = 0; d < D_COUNT; d++)
        free (dims[d].cohort);
    segments_groups_free (&groups);
    profiles_free (&profiles);
    return rc;
}
