/*  qualify.c: BANT, rank, tiers, assignment (see qualify.h). */
#include "qualify.h"

#include "calendar.h"
#include "whitespace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define Q_PHRASES 16
#define Q_PHRASE  48

struct _qualify_t {
    double note_weight;
    double threshold;
    double max_share;
    int64_t renewal_window_days;
    double budget_arr_over;
    double need_full_potential;
    double need_full_usage_growth;
    char soon[Q_PHRASES][Q_PHRASE];
    int n_soon;
    char later[Q_PHRASES][Q_PHRASE];
    int n_later;
    double health_weight;
    double not_ready_factor;
    double missing_health;
    double tier1_share;
    double tier2_share;
    bool exclude_at_risk;
    char complex_segments[4][Q_PHRASE];
    int n_complex_segments;
    double complex_over;
    double hours[WS_TYPES];
    double time_share;
    int64_t last_week;
};

static const char *const s_default_soon[] = {"now",     "asap",    "this month", "this quarter",
                                             "30 days", "60 days", "90 days",    "q4"};
static const char *const s_default_later[] = {"next year", "later",    "6 months",
                                              "12 months", "no plans", "not this year"};

/*  An array of strings into out; missing: the defaults. */
static int
s_phrases (conf_t *conf, const char *path, const char *const *dflt, int n_dflt,
           char (*out)[Q_PHRASE], int max, int *n, err_t *err)
{
    config_setting_t *array = conf_lookup (conf, path);
    char where[256];
    if (!array) {
        for (int i = 0; i < n_dflt; i++)
            snprintf (out[i], Q_PHRASE, "%s", dflt[i]);
        *n = n_dflt;
        return 0;
    }
    conf_where (conf, array, where, sizeof where);
    int count = config_setting_length (array);
    if ((config_setting_type (array) != CONFIG_TYPE_ARRAY &&
         config_setting_type (array) != CONFIG_TYPE_LIST) ||
        count > max)
        return err_set (err, ERR_INVALID, "%s: %s must be an array of up to %d strings", where,
                        path, max);
    for (int i = 0; i < count; i++) {
        const char *text = config_setting_get_string_elem (array, i);
        if (!text || !*text || strlen (text) >= Q_PHRASE)
            return err_set (err, ERR_INVALID, "%s: %s item %d must be a short string", where,
                            path, i + 1);
        snprintf (out[i], Q_PHRASE, "%s", text);
    }
    *n = count;
    return 0;
}

static int
s_load_hours (qualify_t *self, conf_t *conf, err_t *err)
{
    static const double dflt[WS_TYPES] = {15.0, 18.0, 20.0, 20.0};
    int rc = 0;
    for (int t = 0; !rc && t < WS_TYPES; t++) {
        char path[96];
        snprintf (path, sizeof path, "identifier.assignment.hours.%s", whitespace_types[t]);
        rc = conf_double_range (conf, path, dflt[t], 0.1, 1000, &self->hours[t], err);
    }
    config_setting_t *group = conf_lookup (conf, "identifier.assignment.hours");
    for (int i = 0; !rc && group && i < config_setting_length (group); i++) {
        config_setting_t *item = config_setting_get_elem (group, i);
        if (whitespace_type_index (config_setting_name (item)) < 0) {
            char where[256];
            rc = err_set (err, ERR_INVALID,
                          "%s: identifier.assignment.hours: '%s' is not a play "
                          "(seat, tier, cross-sell, geo)",
                          conf_where (conf, item, where, sizeof where),
                          config_setting_name (item));
        }
    }
    return rc;
}

int
qualify_load (conf_t *conf, qualify_t **out, err_t *err)
{
    qualify_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = conf_double_range (conf, "identifier.qualify.note_weight", 0.7, 0, 1,
                                &self->note_weight, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.qualify.threshold", 2.5, 0, 4,
                                &self->threshold, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.qualify.max_share", 0.05, 0, 1,
                                &self->max_share, err);
    if (!rc)
        rc = conf_int_range (conf, "identifier.qualify.renewal_window_days", 120, 1, 3650,
                             &self->renewal_window_days, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.qualify.budget_arr_over", 50000, 0, 1e12,
                                &self->budget_arr_over, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.qualify.need_full_potential", 50000, 1, 1e12,
                                &self->need_full_potential, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.qualify.need_full_usage_growth", 20, 0.1,
                                1000, &self->need_full_usage_growth, err);
    if (!rc)
        rc = s_phrases (conf, "identifier.qualify.timing_soon", s_default_soon,
                        (int)(sizeof s_default_soon / sizeof s_default_soon[0]), self->soon,
                        Q_PHRASES, &self->n_soon, err);
    if (!rc)
        rc = s_phrases (conf, "identifier.qualify.timing_later", s_default_later,
                        (int)(sizeof s_default_later / sizeof s_default_later[0]), self->later,
                        Q_PHRASES, &self->n_later, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.qualify.readiness.health_weight", 0.5, 0, 1,
                                &self->health_weight, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.qualify.readiness.not_ready_factor", 0.7, 0,
                                1, &self->not_ready_factor, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.qualify.readiness.missing_health", 0.5, 0, 1,
                                &self->missing_health, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.tiers.tier1_share", 0.024, 0, 1,
                                &self->tier1_share, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.tiers.tier2_share", 0.026, 0, 1,
                                &self->tier2_share, err);
    if (!rc)
        rc = conf_bool (conf, "identifier.exclude_at_risk", true, &self->exclude_at_risk, err);
    if (!rc) {
        static const char *const dflt[] = {"enterprise"};
        rc = s_phrases (conf, "identifier.complex.segments", dflt, 1, self->complex_segments, 4,
                        &self->n_complex_segments, err);
    }
    if (!rc)
        rc = conf_double_range (conf, "identifier.complex.potential_over", 30000, 0, 1e12,
                                &self->complex_over, err);
    if (!rc)
        rc = s_load_hours (self, conf, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.assignment.time_share", 0.5, 0, 1,
                                &self->time_share, err);
    if (!rc)
        rc = conf_int_range (conf, "identifier.assignment.last_week", 10, 1, 52,
                             &self->last_week, err);
    if (rc)
        qualify_destroy (&self);
    else
        *out = self;
    return rc;
}

void
qualify_destroy (qualify_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

static bool
s_contains (const char *text, const char *phrase)
{
    size_t n = strlen (phrase);
    for (; *text; text++)
        if (strncasecmp (text, phrase, n) == 0)
            return true;
    return false;
}

static double
s_clamp01 (double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/*  Blend a note's answer (answered: note >= 0) with the data signal. */
static double
s_blend (const qualify_t *self, double note, double data)
{
    return note >= 0 ? self->note_weight * note + (1 - self->note_weight) * data : data;
}

static void
s_letters (const qualify_t *self, const qualify_input_t *in, int32_t today,
           qualify_result_t *out)
{
    const Campaign__Account *a = in->account;
    const Campaign__Note *note = in->note;
    double days = date_days_to_next_anniversary (a->renewal_date, today, 365);
    bool renewing = days <= self->renewal_window_days;
    qualify_letter_t *l;

    double note_b = -1;
    if (note && note->budget && strcasecmp (note->budget, "yes") == 0)
        note_b = 1;
    else if (note && note->budget && strcasecmp (note->budget, "no") == 0)
        note_b = 0;
    double data_b = 0.5 * renewing + 0.5 * (a->arr >= self->budget_arr_over);
    l = &out->letters[QUALIFY_BUDGET];
    l->score = s_blend (self, note_b, data_b);
    snprintf (l->evidence, sizeof l->evidence, "note: %s; renewal in %.0f days; ARR $%.0f",
              note_b < 0 ? "no answer" : note->budget, days, a->arr);

    double note_a = -1;
    if (note && note->authority && strcasecmp (note->authority, "yes") == 0)
        note_a = 1;
    else if (note && note->authority && strcasecmp (note->authority, "no") == 0)
        note_a = 0;
    double data_a = 0.5 * a->exec_sponsor + 0.5 * a->champion;
    l = &out->letters[QUALIFY_AUTHORITY];
    l->score = s_blend (self, note_a, data_a);
    snprintf (l->evidence, sizeof l->evidence, "note: %s; exec sponsor %s; champion %s",
              note_a < 0 ? "no answer" : note->authority, a->exec_sponsor ? "yes" : "no",
              a->champion ? "yes" : "no");

    double note_n = -1;
    if (note && note->need) {
        if (strcasecmp (note->need, "high") == 0)
            note_n = 1;
        else if (strcasecmp (note->need, "medium") == 0)
            note_n = 0.6;
        else if (strcasecmp (note->need, "low") == 0)
            note_n = 0.3;
        else if (strcasecmp (note->need, "none") == 0)
            note_n = 0;
    }
    double data_n = 0.5 * fmin (1, in->potential_arr / self->need_full_potential) +
                    0.5 * s_clamp01 (a->usage_growth_pct / self->need_full_usage_growth);
    l = &out->letters[QUALIFY_NEED];
    l->score = s_blend (self, note_n, data_n);
    snprintf (l->evidence, sizeof l->evidence, "note: %s; %s whitespace $%.0f; usage %+.0f%%",
              note_n < 0 ? "no answer" : note->need, in->type ? in->type : "?",
              in->potential_arr, a->usage_growth_pct);

    double note_t = -1;
    if (note && note->timing && *note->timing) {
        note_t = 0.5;
        for (int i = 0; i < self->n_later && note_t == 0.5; i++)
            if (s_contains (note->timing, self->later[i]))
                note_t = 0.2;
        for (int i = 0; i < self->n_soon && note_t == 0.5; i++)
            if (s_contains (note->timing, self->soon[i]))
                note_t = 1;
    }
    double data_t = renewing ? 1 : days <= 2.0 * self->renewal_window_days ? 0.5 : 0;
    l = &out->letters[QUALIFY_TIMING];
    l->score = s_blend (self, note_t, data_t);
    snprintf (l->evidence, sizeof l->evidence, "note: %s%s%s; renewal in %.0f days",
              note_t < 0 ? "no answer" : "\"", note_t < 0 ? "" : note->timing,
              note_t < 0 ? "" : "\"", days);
}

void
qualify_score (const qualify_t *self, const qualify_input_t *in, int32_t today,
               qualify_result_t *out)
{
    memset (out, 0, sizeof *out);
    s_letters (self, in, today, out);
    for (int i = 0; i < QUALIFY_LETTERS; i++)
        out->bant += out->letters[i].score;
    const Campaign__AccountHealth *h = in->health;
    double health_part = self->missing_health;
    if (h && h->has_score)
        health_part = h->score / 100 * (h->expansion_ready ? 1 : self->not_ready_factor);
    out->readiness =
        self->health_weight * health_part + (1 - self->health_weight) * out->bant / 4;
    out->rank = in->propensity / 100 * in->potential_arr * out->readiness;
    out->at_risk = h && h->band && strcmp (h->band, "at-risk") == 0;
    out->excluded = out->at_risk && self->exclude_at_risk;
    out->passed = out->bant >= self->threshold - 1e-9 && !out->excluded;
    out->qualified = out->passed;
    for (int i = 0; i < self->n_complex_segments; i++)
        if (in->account->segment &&
            strcmp (in->account->segment, self->complex_segments[i]) == 0)
            out->complex = in->potential_arr > self->complex_over;
    out->tier = 3;
}

/*  An insertion sort of the qualified results' indices, highest rank first (stable, no
    shared state; a batch holds a few thousand at most); then the cap and the tiers. */
void
qualify_tiers (const qualify_t *self, qualify_result_t *results, size_t n, size_t accounts)
{
    size_t *order = malloc ((n ? n : 1) * sizeof *order);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        results[i].tier = 3;
        if (order && results[i].qualified) {
            size_t j = m++;
            while (j > 0 && results[order[j - 1]].rank < results[i].rank) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
    }
    size_t tier1 = (size_t)llround (self->tier1_share * (double)accounts);
    size_t tier2 = (size_t)llround (self->tier2_share * (double)accounts);
    size_t cap = self->max_share > 0 ? (size_t)llround (self->max_share * (double)accounts) : m;
    for (size_t k = 0; order && k < m; k++) {
        results[order[k]].qualified = k < cap;
        results[order[k]].tier = k >= cap ? 3 : k < tier1 ? 1 : k < tier1 + tier2 ? 2 : 3;
    }
    free (order);
}

double
qualify_hours (const qualify_t *self, const char *type)
{
    int t = whitespace_type_index (type);
    return t >= 0 ? self->hours[t] : self->hours[WS_SEAT];
}

int
qualify_weeks_left (const qualify_t *self, int week)
{
    int64_t left = self->last_week - week + 1;
    return left < 0 ? 0 : (int)left;
}

typedef struct {
    const Campaign__Person *person;
    double free;
} s_csm_t;

struct _qualify_ledger_t {
    s_csm_t *csms;
    size_t n;
};

qualify_ledger_t *
qualify_ledger_new (const qualify_t *self, Campaign__Person *const *people, size_t n_people,
                    int weeks_left)
{
    qualify_ledger_t *ledger = calloc (1, sizeof *ledger);
    if (ledger)
        ledger->csms = calloc (n_people ? n_people : 1, sizeof *ledger->csms);
    if (!ledger || !ledger->csms) {
        qualify_ledger_destroy (&ledger);
        return NULL;
    }
    for (size_t i = 0; i < n_people; i++) {
        const Campaign__Person *p = people[i];
        if (!p->person_id || !p->role || strcmp (p->role, "csm") != 0)
            continue;
        ledger->csms[ledger->n].person = p;
        ledger->csms[ledger->n].free =
            fmax (0, p->capacity_hours_per_week) * self->time_share * weeks_left;
        ledger->n++;
    }
    return ledger;
}

void
qualify_ledger_destroy (qualify_ledger_t **self_p)
{
    if (self_p && *self_p) {
        free ((*self_p)->csms);
        free (*self_p);
        *self_p = NULL;
    }
}

const char *
qualify_ledger_assign (qualify_ledger_t *self, const char *owner, const char *region,
                       double hours)
{
    s_csm_t *best = NULL;
    for (size_t i = 0; i < self->n; i++) {
        s_csm_t *c = &self->csms[i];
        if (owner && strcmp (c->person->person_id, owner) == 0 && c->free >= hours) {
            best = c;
            break;
        }
        if (region && c->person->region && strcmp (c->person->region, region) == 0 &&
            c->free >= hours && (!best || c->free > best->free))
            best = c;
    }
    if (!best)
        return NULL;
    best->free -= hours;
    return best->person->person_id;
}

double
qualify_ledger_free (const qualify_ledger_t *self, const char *person)
{
    for (size_t i = 0; i < self->n; i++)
        if (strcmp (self->csms[i].person->person_id, person) == 0)
            return self->csms[i].free;
    return -1;
}
