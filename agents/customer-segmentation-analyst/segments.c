/*  segments.c: target segments of the portfolio (segments.h). */
#include "segments.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
segments_destroy (segments_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    segments_t *self = *self_p;
    rules_destroy (&self->rules);
    rules_destroy (&self->triggers);
    clusters_destroy (&self->clusters);
    free (self->target);
    free (self);
    *self_p = NULL;
}

int
segments_load (conf_t *conf, segments_t **out, err_t *err)
{
    segments_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int64_t min_accounts = 0, min_support = 0, top = 0, min_closed = 0, deciles = 0;
    int rc = rules_load_segments (conf, "segmentation.segments", &self->rules, err);
    if (!rc)
        rc = rules_load_conditions (conf, "segmentation.triggers", &self->triggers, err);
    if (!rc)
        rc = clusters_load (conf, &self->clusters, err);
    const char *target = "";
    if (!rc)
        rc = conf_string (conf, "segmentation.target", "", &target, err);
    if (!rc && !(self->target = strdup (target)))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    if (!rc)
        rc = conf_int_range (conf, "segmentation.min_accounts", 20, 1, 100000000, &min_accounts,
                             err);
    if (!rc)
        rc = conf_double_range (conf, "segmentation.high_propensity", 50, 0, 100,
                                &self->high_propensity, err);
    if (!rc)
        rc = conf_double_range (conf, "segmentation.low_propensity", 20, 0, 100,
                                &self->low_propensity, err);
    if (!rc)
        rc =
            conf_int_range (conf, "segmentation.min_support", 5, 1, 1000000, &min_support, err);
    if (!rc)
        rc = conf_int_range (conf, "segmentation.top_triggers", 3, 1, 20, &top, err);
    if (!rc)
        rc = conf_int_range (conf, "segmentation.cohorts.min_closed", 10, 1, 1000000,
                             &min_closed, err);
    if (!rc)
        rc = conf_double_range (conf, "segmentation.cohorts.z", 1.96, 0, 10, &self->z, err);
    if (!rc)
        rc = conf_int_range (conf, "segmentation.cohorts.deciles", 10, 2, 100, &deciles, err);
    if (!rc && self->low_propensity > self->high_propensity)
        rc = err_set (err, ERR_INVALID,
                      "segmentation.low_propensity (%g) must not be above high_propensity (%g)",
                      self->low_propensity, self->high_propensity);
    if (!rc && *self->target) {
        bool known = false;
        for (size_t i = 0; i < self->rules->n && !known; i++)
            known = strcmp (self->rules->rule[i].name, self->target) == 0;
        if (!known)
            rc = err_set (err, ERR_INVALID,
                          "segmentation.target '%s' is not one of segmentation.segments (a "
                          "cluster is chosen by leaving target empty)",
                          self->target);
    }
    self->min_accounts = (size_t)min_accounts;
    self->min_support = (size_t)min_support;
    self->top_triggers = (size_t)top;
    self->min_closed = (size_t)min_closed;
    self->deciles = (size_t)deciles;
    if (rc)
        segments_destroy (&self);
    else
        *out = self;
    return rc;
}

void
segments_groups_free (segments_groups_t *groups)
{
    for (size_t g = 0; g < groups->n; g++) {
        free (groups->group[g].name);
        free (groups->group[g].definition);
        free (groups->group[g].rows);
    }
    free (groups->group);
    clusters_result_destroy (&groups->clusters);
    memset (groups, 0, sizeof *groups);
}

/*  "segment == mid-market AND health >= 70" */
static char *
s_definition (const rules_rule_t *rule)
{
    size_t size = 1;
    char part[320];
    for (size_t c = 0; c < rule->n_when; c++)
        size += 320 + 5;
    char *text = malloc (size);
    if (!text)
        return NULL;
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
    size_t len = 0;
    text[0] = '\0';
    for (size_t c = 0; c < rule->n_when; c++) {
        const rules_condition_t *w = &rule->when[c];
        if (profile_field_is_number (w->field))
            snprintf (part, sizeof part, "%s %s %g", profile_field_name (w->field), ops[w->op],
                      w->number);
        else
            snprintf (part, sizeof part, "%s %s %s", profile_field_name (w->field), ops[w->op],
                      w->text);
        len += (size_t)snprintf (text + len, size - len, "%s%s", c ? " AND " : "", part);
    }
    return text;
}

int
segments_groups (const segments_t *self, const profiles_t *profiles, segments_groups_t *out,
                 err_t *err)
{
    memset (out, 0, sizeof *out);
    int rc = clusters_run (self->clusters, profiles, &out->clusters, err);
    if (rc)
        return rc;
    size_t total = self->rules->n + out->clusters->k;
    out->group = calloc (total + 1, sizeof *out->group);
    if (!out->group)
        rc = err_set (err, ERR_NOMEM, "out of memory");
    for (size_t g = 0; !rc && g < total; g++) {
        segments_group_t *group = &out->group[g];
        out->n++;
        group->rows = malloc ((profiles->n + 1) * sizeof *group->rows);
        bool rule = g < self->rules->n;
        size_t c = g - self->rules->n;
        group->kind = rule ? "rule" : "cluster";
        group->name = strdup (rule ? self->rules->rule[g].name : out->clusters->name[c]);
        group->definition = rule ? s_definition (&self->rules->rule[g])
                                 : strdup (strchr (group->name, ':') + 2);
        if (!group->rows || !group->name || !group->definition) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < profiles->n; i++)
            if (rule ? rules_match (self->rules, g, &profiles->rows[i])
                     : out->clusters->assignment[i] == c)
                group->rows[group->n++] = i;
    }
    out->first_cluster = self->rules->n;
    if (rc)
        segments_groups_free (out);
    return rc;
}

void
segments_payload (answer_t *answer, json_t *json)
{
    char *text = json ? json_dumps (json, JSON_INDENT (2) | JSON_REAL_PRECISION (6)) : NULL;
    if (!text)
        answer->nomem = true;
    else
        answer_set_text (answer, text);
    free (text);
    json_decref (json);
}

/*  A number for JSON: rounded to a sensible precision, NaN as null. */
/*  What the triggers' lift is measured against: past winners when the history has
    outcomes for these accounts, else high-propensity accounts. base[i]: the account
    counts; positive[i]: it is a winner / high-propensity. */
static const char *
s_trigger_basis (const segments_t *self, const profiles_t *profiles, bool *base, bool *positive)
{
    size_t with_history = 0;
    for (size_t i = 0; i < profiles->n; i++)
        with_history +=
            profiles->rows[i].number[PF_PAST_WINS] + profiles->rows[i].number[PF_PAST_LOSSES] >
            0;
    for (size_t i = 0; i < profiles->n; i++) {
        const double *x = profiles->rows[i].number;
        if (with_history) {
            base[i] = x[PF_PAST_WINS] + x[PF_PAST_LOSSES] > 0;
            positive[i] = x[PF_PAST_WINS] > 0;
        } else {
            base[i] = !isnan (x[PF_PROPENSITY]);
            positive[i] = base[i] && x[PF_PROPENSITY] >= self->high_propensity;
        }
    }
    return with_history ? "past winners" : "high-propensity accounts";
}

typedef struct {
    size_t trigger;
    size_t support;
    double rate, lift;
} s_lift_t;

static int
s_by_lift (const void *a, const void *b)
{
    const s_lift_t *x = a, *y = b;
    if (x->lift != y->lift)
        return x->lift > y->lift ? -1 : 1;
    return x->trigger < y->trigger ? -1 : x->trigger > y->trigger;
}

/*  The triggers of a group, highest lift first (only lifts above 1 with min_support). */
static json_t *
s_triggers (const segments_t *self, const profiles_t *profiles, const segments_group_t *group,
            const bool *base, const bool *positive, json_t **best)
{
    json_t *list = json_array ();
    size_t n_base = 0, n_positive = 0;
    for (size_t m = 0; m < group->n; m++) {
        n_base += base[group->rows[m]];
        n_positive += positive[group->rows[m]];
    }
    *best = NULL;
    if (!n_base || !n_positive || !self->triggers->n)
        return list;
    double rate_all = (double)n_positive / (double)n_base;
    s_lift_t *lifts = calloc (self->triggers->n, sizeof *lifts);
    size_t n_lifts = 0;
    for (size_t t = 0; lifts && t < self->triggers->n; t++) {
        size_t support = 0, hits = 0;
        for (size_t m = 0; m < group->n; m++) {
            size_t i = group->rows[m];
            if (base[i] && rules_match (self->triggers, t, &profiles->rows[i])) {
                support++;
                hits += positive[i];
            }
        }
        if (support < self->min_support)
            continue;
        double rate = (double)hits / (double)support;
        if (rate / rate_all > 1)
            lifts[n_lifts++] = (s_lift_t){t, support, rate, rate / rate_all};
    }
    if (lifts)
        qsort (lifts, n_lifts, sizeof *lifts, s_by_lift);
    for (size_t k = 0; k < n_lifts && k < self->top_triggers; k++)
        json_array_append_new (
            list,
            json_pack ("{s:s, s:o, s:I, s:o, s:o}", "signal",
                       self->triggers->rule[lifts[k].trigger].name, "lift",
                       answer_json_rounded (round (lifts[k].lift * 100) / 100, 0), "accounts",
                       (json_int_t)lifts[k].support, "rate",
                       answer_json_rounded (round (lifts[k].rate * 1000) / 1000, 0), "baseline",
                       answer_json_rounded (round (rate_all * 1000) / 1000, 0)));
    if (n_lifts)
        *best = json_array_get (list, 0);
    free (lifts);
    return list;
}

/*  Medians of the cluster features in the group against the portfolio's. */
static json_t *
s_characteristics (const segments_t *self, const profiles_t *profiles,
                   const segments_group_t *group, const double *portfolio_median)
{
    json_t *list = json_array ();
    for (size_t j = 0; j < self->clusters->d; j++) {
        int field = self->clusters->feature[j].field;
        double median = profiles_median (profiles, field, group->rows, group->n);
        double base = portfolio_median[j];
        double diff =
            base != 0 && isfinite (median) ? (median - base) / fabs (base) * 100 : NAN;
        json_array_append_new (
            list, json_pack ("{s:s, s:o, s:o, s:o}", "field", profile_field_name (field),
                             "median", answer_json_rounded (median, 0), "portfolio_median",
                             answer_json_rounded (base, 0), "difference_pct",
                             answer_json_rounded (round (diff * 10) / 10, 0)));
    }
    return list;
}

static const char *const s_types[] = {"seat", "tier", "cross-sell", "geo"};
#define S_TYPES 4

static int
s_type_index (const char *type)
{
    for (int t = 0; type && t < S_TYPES; t++)
        if (strcmp (type, s_types[t]) == 0)
            return t;
    return -1;
}

/*  Expansion benchmarks from history for the group: per play, won and lost and the win
    rate; accounts with a past win over accounts with any past outcome. */
static json_t *
s_benchmarks (const Campaign__TaskInput *input, const profiles_t *profiles, const bool *member,
              double *expansion_rate)
{
    size_t won[S_TYPES] = {0}, lost[S_TYPES] = {0};
    double arr[S_TYPES] = {0};
    for (size_t h = 0; h < input->n_history; h++) {
        const Campaign__HistoryRecord *r = input->history[h];
        long row = profiles_find (profiles, r->account_id);
        int t = s_type_index (r->opportunity_type);
        if (row < 0 || !member[row] || t < 0 || !r->outcome)
            continue;
        if (strcmp (r->outcome, "won") == 0) {
            won[t]++;
            arr[t] += r->arr_delta;
        } else if (strcmp (r->outcome, "lost") == 0)
            lost[t]++;
    }
    size_t accounts = 0, winners = 0;
    for (size_t i = 0; i < profiles->n; i++)
        if (member[i]) {
            const double *x = profiles->rows[i].number;
            accounts += x[PF_PAST_WINS] + x[PF_PAST_LOSSES] > 0;
            winners += x[PF_PAST_WINS] > 0;
        }
    *expansion_rate = accounts ? (double)winners / (double)accounts : NAN;
    json_t *list = json_array ();
    for (int t = 0; t < S_TYPES; t++) {
        size_t closed = won[t] + lost[t];
        if (!closed)
            continue;
        json_array_append_new (
            list,
            json_pack (
                "{s:s, s:I, s:I, s:o, s:o}", "play", s_types[t], "won", (json_int_t)won[t],
                "lost", (json_int_t)lost[t], "win_rate",
                answer_json_rounded (round ((double)won[t] / (double)closed * 1000) / 1000, 0),
                "average_won_arr",
                answer_json_rounded (won[t] ? round (arr[t] / (double)won[t]) : NAN, 0)));
    }
    return list;
}

int
segments_target (const segments_t *self, const Campaign__TaskInput *input, answer_t *answer,
                 err_t *err)
{
    profiles_t profiles;
    int rc = profiles_build (input, &profiles, err);
    if (rc)
        return rc;
    segments_groups_t groups = {0};
    rc = segments_groups (self, &profiles, &groups, err);
    size_t n = profiles.n;
    bool *base = calloc (n + 1, sizeof *base), *positive = calloc (n + 1, sizeof *positive);
    bool *member = calloc (n + 1, sizeof *member);
    double *portfolio_median = calloc (self->clusters->d + 1, sizeof *portfolio_median);
    if (!rc && (!base || !positive || !member || !portfolio_median))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    json_t *root = NULL;
    if (!rc) {
        const char *basis = s_trigger_basis (self, &profiles, base, positive);
        for (size_t j = 0; j < self->clusters->d; j++)
            portfolio_median[j] =
                profiles_median (&profiles, self->clusters->feature[j].field, NULL, 0);
        double portfolio_arr = 0, portfolio_potential = 0;
        for (size_t i = 0; i < n; i++) {
            portfolio_arr += profiles.rows[i].number[PF_ARR];
            portfolio_potential += profiles.rows[i].number[PF_POTENTIAL];
        }
        json_t *list = json_array ();
        long target = -1;
        double best = -1;
        bool best_is_rule = false;
        const char *why = "";
        for (size_t g = 0; g < groups.n; g++) {
            const segments_group_t *group = &groups.group[g];
            memset (member, 0, n * sizeof *member);
            double arr = 0, potential = 0, expected = 0, propensity = 0;
            double by_type[S_TYPES] = {0};
            size_t scored = 0, high = 0;
            for (size_t m = 0; m < group->n; m++) {
                size_t i = group->rows[m];
                const profile_t *row = &profiles.rows[i];
                member[i] = true;
                arr += row->number[PF_ARR];
                potential += row->number[PF_POTENTIAL];
                if (!isnan (row->number[PF_PROPENSITY])) {
                    scored++;
                    propensity += row->number[PF_PROPENSITY];
                    high += row->number[PF_PROPENSITY] >= self->high_propensity;
                }
                for (size_t o = 0; o < row->n_opportunities; o++) {
                    const Campaign__Opportunity *opp =
                        profiles.opportunities[row->first_opportunity + o];
                    int t = s_type_index (opp->type);
                    if (t >= 0)
                        by_type[t] += opp->potential_arr;
                    expected += opp->potential_arr * opp->propensity / 100;
                }
            }
            json_t *best_trigger = NULL;
            json_t *triggers =
                s_triggers (self, &profiles, group, base, positive, &best_trigger);
            double expansion_rate = NAN;
            json_t *benchmarks = s_benchmarks (input, &profiles, member, &expansion_rate);
            json_t *types = json_object ();
            for (int t = 0; t < S_TYPES; t++)
                json_object_set_new (types, s_types[t], json_real (round (by_type[t])));
            json_t *item = json_pack (
                "{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                "name", group->name, "kind", group->kind, "definition", group->definition,
                "accounts", (json_int_t)group->n, "share_of_accounts",
                answer_json_rounded (
                    n ? round ((double)group->n / (double)n * 1000) / 1000 : NAN, 0),
                "arr", json_real (round (arr)), "potential_arr", json_real (round (potential)),
                "potential_by_type", types, "expected_arr", json_real (round (expected)),
                "mean_propensity",
                answer_json_rounded (
                    scored ? round (propensity / (double)scored * 10) / 10 : NAN, 0),
                "high_propensity_share",
                answer_json_rounded (
                    scored ? round ((double)high / (double)scored * 1000) / 1000 : NAN, 0),
                "characteristics", s_characteristics (self, &profiles, group, portfolio_median),
                "triggers", triggers, "benchmarks", benchmarks, "historic_expansion_rate",
                answer_json_rounded (round (expansion_rate * 1000) / 1000, 0));
            json_array_append_new (list, item);
            if (*self->target && strcmp (self->target, group->name) == 0) {
                target = (long)g;
                why = "configured (segmentation.target)";
            } else if (!*self->target && group->n >= self->min_accounts) {
                /*  People's rule segments first: a cluster is the target only when no
                    rule segment is large enough. */
                bool rule = g < groups.first_cluster;
                if ((rule && !best_is_rule) || (rule == best_is_rule && expected > best)) {
                    best = expected;
                    best_is_rule = rule;
                    target = (long)g;
                    why = g < groups.first_cluster
                              ? "the rule segment with the largest expected expansion ARR "
                                "(potential x propensity) among those of at least "
                                "segmentation.min_accounts accounts"
                              : "no rule segment has segmentation.min_accounts accounts: the "
                                "cluster with the largest expected expansion ARR";
                }
            }
        }
        json_t *silhouettes = json_object ();
        for (size_t k = groups.clusters->k_min;
             groups.clusters->k && k <= groups.clusters->k_max; k++) {
            char key[16];
            snprintf (key, sizeof key, "%zu", k);
            json_object_set_new (
                silhouettes, key,
                answer_json_rounded (
                    round (groups.clusters->silhouettes[k - groups.clusters->k_min] * 10000) /
                        10000,
                    0));
        }
        root = json_pack (
            "{s:s, s:I, s:o, s:o, s:s, s:{s:I, s:o, s:o, s:I, s:I}, s:o}", "task",
            "segmentation.target_segments", "accounts", (json_int_t)n, "portfolio_arr",
            json_real (round (portfolio_arr)), "portfolio_potential_arr",
            json_real (round (portfolio_potential)), "trigger_basis", basis, "clusters", "k",
            (json_int_t)groups.clusters->k, "silhouette",
            answer_json_rounded (round (groups.clusters->silhouette * 10000) / 10000, 0),
            "silhouette_by_k", silhouettes, "silhouette_sample",
            (json_int_t)self->clusters->silhouette_sample, "seed",
            (json_int_t)self->clusters->seed, "segments", list);
        if (!root) {
            rc = err_set (err, ERR_NOMEM, "out of memory");
        } else if (target >= 0) {
            const segments_group_t *group = &groups.group[target];
            json_t *item = json_array_get (list, (size_t)target);
            json_object_set_new (root, "target", json_string (group->name));
            json_object_set_new (root, "target_reason", json_string (why));
            answer_fact (answer, "segment.target", group->name, (double)group->n);
            answer_fact (answer, "segment.target.arr", NULL,
                         json_real_value (json_object_get (item, "arr")));
            answer_fact (answer, "segment.target.potential", NULL,
                         json_real_value (json_object_get (item, "potential_arr")));
            answer_fact (answer, "segment.target.expected", NULL,
                         json_real_value (json_object_get (item, "expected_arr")));
            json_t *triggers = json_object_get (item, "triggers");
            for (size_t t = 0; t < json_array_size (triggers); t++) {
                json_t *trigger = json_array_get (triggers, t);
                answer_factf (answer, json_real_value (json_object_get (trigger, "lift")),
                              json_string_value (json_object_get (trigger, "signal")),
                              "segment.target.trigger.%zu", t + 1);
            }
            snprintf (answer->summary, sizeof answer->summary,
                      "target segment '%s': %zu accounts, $%.0f ARR, $%.0f potential; %zu rule "
                      "segments, %zu clusters (silhouette %.2f)",
                      group->name, group->n, json_real_value (json_object_get (item, "arr")),
                      json_real_value (json_object_get (item, "potential_arr")), self->rules->n,
                      groups.clusters->k, groups.clusters->silhouette);
        } else {
            json_object_set_new (root, "target", json_null ());
            json_object_set_new (root, "target_reason",
                                 json_string ("no segment has segmentation.min_accounts "
                                              "accounts"));
            snprintf (answer->summary, sizeof answer->summary,
                      "no target segment: none of %zu segments has %zu accounts (%zu accounts "
                      "in the portfolio)",
                      groups.n, self->min_accounts, n);
        }
        answer_fact (answer, "segment.segments", NULL, (double)self->rules->n);
        answer_fact (answer, "segment.clusters", NULL, (double)groups.clusters->k);
        answer_fact (answer, "segment.clusters.silhouette", NULL, groups.clusters->silhouette);
    }
    if (!rc)
        segments_payload (answer, root);
    if (!rc && answer->nomem)
        rc = err_set (err, ERR_NOMEM, "out of memory");
    free (base);
    free (positive);
    free (member);
    free (portfolio_median);
    segments_groups_free (&groups);
    profiles_free (&profiles);
    return rc;
}
