/*  health.c: the health model (see health.h). */
#include "health.h"

#include "calendar.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const health_measures[] = {
    "feature_adoption", "usage_trend",           "seat_utilisation",  "nps", "support_load",
    "sponsorship",      "stakeholder_stability", "renewal_proximity", NULL};

enum {
    M_ADOPTION,
    M_USAGE,
    M_SEATS,
    M_NPS,
    M_SUPPORT,
    M_SPONSOR,
    M_STAKEHOLDER,
    M_RENEWAL,
    M_COUNT
};

typedef struct {
    double weight;
    double low;
    double high;
} s_measure_t;

/*  Defaults: the seed's priorities (adoption and usage first), ranges a CS team uses. */
static const s_measure_t s_defaults[M_COUNT] = {
    [M_ADOPTION] = {0.20, 10, 80},    [M_USAGE] = {0.15, -20, 30},   [M_SEATS] = {0.15, 40, 95},
    [M_NPS] = {0.15, -50, 60},        [M_SUPPORT] = {0.10, 20, 0},   [M_SPONSOR] = {0.10, 0, 1},
    [M_STAKEHOLDER] = {0.10, 0, 365}, [M_RENEWAL] = {0.05, 30, 180},
};

struct _health_model_t {
    s_measure_t measures[M_COUNT];
    double weight_sum;
    double healthy;
    double watch;
    double ready_above;
    int64_t quiet_days;
    double usage_falling_below;
    double support_spike_above;
    double detractor_below;
    int64_t renewal_days;
    double renewal_low_health;
};

double
health_normalise (double value, double low, double high)
{
    if (low == high)
        return value >= high ? 1.0 : 0.0;
    double x = (value - low) / (high - low);
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

static int
s_load_measures (health_model_t *self, conf_t *conf, err_t *err)
{
    memcpy (self->measures, s_defaults, sizeof s_defaults);
    config_setting_t *list = conf_lookup (conf, "health.measures");
    char where[256];
    if (list) {
        if (config_setting_type (list) != CONFIG_TYPE_LIST)
            return err_set (
                err, ERR_INVALID,
                "%s: health.measures must be a list ( { name = ...; weight = ...; } )",
                conf_where (conf, list, where, sizeof where));
        /*  Listed measures replace the defaults; unlisted ones weigh nothing. */
        for (int m = 0; m < M_COUNT; m++)
            self->measures[m].weight = 0;
        for (int i = 0; i < config_setting_length (list); i++) {
            config_setting_t *item = config_setting_get_elem (list, i);
            const char *name = NULL;
            if (!config_setting_lookup_string (item, "name", &name))
                return err_set (err, ERR_INVALID, "%s: health.measures item %d needs a name",
                                conf_where (conf, item, where, sizeof where), i + 1);
            int m = 0;
            while (health_measures[m] && strcmp (health_measures[m], name) != 0)
                m++;
            if (!health_measures[m])
                return err_set (
                    err, ERR_INVALID,
                    "%s: health measure '%s' does not exist (feature_adoption, "
                    "usage_trend, seat_utilisation, nps, support_load, sponsorship, "
                    "stakeholder_stability, renewal_proximity)",
                    conf_where (conf, item, where, sizeof where), name);
            double weight = 0;
            if (!config_setting_lookup_float (item, "weight", &weight) || weight < 0 ||
                !isfinite (weight))
                return err_set (err, ERR_INVALID,
                                "%s: health measure '%s' needs weight = a number >= 0 (as 0.2)",
                                conf_where (conf, item, where, sizeof where), name);
            self->measures[m].weight = weight;
            double low, high;
            if (config_setting_lookup_float (item, "low", &low))
                self->measures[m].low = low;
            if (config_setting_lookup_float (item, "high", &high))
                self->measures[m].high = high;
            if (self->measures[m].low == self->measures[m].high)
                return err_set (err, ERR_INVALID, "%s: health measure '%s' has low == high",
                                conf_where (conf, item, where, sizeof where), name);
        }
    }
    self->weight_sum = 0;
    for (int m = 0; m < M_COUNT; m++)
        self->weight_sum += self->measures[m].weight;
    if (self->weight_sum <= 0)
        return err_set (err, ERR_INVALID, "health.measures: the weights sum to 0");
    return 0;
}

int
health_model_load (conf_t *conf, health_model_t **out, err_t *err)
{
    health_model_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = s_load_measures (self, conf, err);
    if (!rc)
        rc = conf_double_range (conf, "health.bands.healthy", 70, 0, 100, &self->healthy, err);
    if (!rc)
        rc = conf_double_range (conf, "health.bands.watch", 50, 0, 100, &self->watch, err);
    if (!rc && self->watch > self->healthy)
        rc = err_set (err, ERR_INVALID,
                      "health.bands: watch (%g) must not be above healthy (%g)", self->watch,
                      self->healthy);
    if (!rc)
        rc =
            conf_double_range (conf, "health.ready_above", 70, 0, 100, &self->ready_above, err);
    if (!rc)
        rc = conf_int_range (conf, "health.stakeholder_quiet_days", 90, 0, 3650,
                             &self->quiet_days, err);
    if (!rc)
        rc = conf_double (conf, "health.flags.usage_falling_below", -10,
                          &self->usage_falling_below, err);
    if (!rc)
        rc = conf_double (conf, "health.flags.support_spike_above", 15,
                          &self->support_spike_above, err);
    if (!rc)
        rc = conf_double (conf, "health.flags.detractor_below", 0, &self->detractor_below, err);
    if (!rc)
        rc = conf_int_range (conf, "health.flags.renewal_days", 90, 0, 3650,
                             &self->renewal_days, err);
    if (!rc)
        rc = conf_double_range (conf, "health.flags.renewal_low_health", 60, 0, 100,
                                &self->renewal_low_health, err);
    if (rc)
        health_model_destroy (&self);
    else
        *out = self;
    return rc;
}

void
health_model_destroy (health_model_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

static int s_flag (Campaign__AccountHealth *health, const char *code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
s_flag (Campaign__AccountHealth *health, const char *code, const char *fmt, ...)
{
    Campaign__RiskFlag **grown =
        realloc (health->flags, (health->n_flags + 1) * sizeof *health->flags);
    Campaign__RiskFlag *flag = calloc (1, sizeof *flag);
    char reason[256];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (reason, sizeof reason, fmt, ap);
    va_end (ap);
    if (grown)
        health->flags = grown;
    if (!grown || !flag) {
        free (flag);
        return ERR_NOMEM;
    }
    campaign__risk_flag__init (flag);
    flag->code = strdup (code);
    flag->reason = strdup (reason);
    health->flags[health->n_flags++] = flag;
    return flag->code && flag->reason ? 0 : ERR_NOMEM;
}

static int
s_by_magnitude (const void *a, const void *b)
{
    double x = fabs ((*(Campaign__Contribution *const *)a)->points);
    double y = fabs ((*(Campaign__Contribution *const *)b)->points);
    return x < y ? 1 : x > y ? -1 : 0;
}

int
health_score (const health_model_t *model, const Campaign__Account *account, int32_t today,
              Campaign__AccountHealth **out, err_t *err)
{
    double purchased = account->seats_purchased > 0 ? account->seats_purchased : 1;
    bool changed = account->has_stakeholder_change_days;
    double values[M_COUNT] = {
        [M_ADOPTION] = account->feature_adoption_pct,
        [M_USAGE] = account->usage_growth_pct,
        [M_SEATS] = 100.0 * account->seats_active / purchased,
        [M_NPS] = account->nps,
        [M_SUPPORT] = 100.0 * account->support_tickets_90d / purchased,
        [M_SPONSOR] = 0.5 * account->champion + 0.5 * account->exec_sponsor,
        [M_STAKEHOLDER] =
            changed ? account->stakeholder_change_days : model->measures[M_STAKEHOLDER].high,
        [M_RENEWAL] = date_days_to_next_anniversary (account->renewal_date, today, 365),
    };
    Campaign__AccountHealth *health = calloc (1, sizeof *health);
    if (!health)
        return err_set (err, ERR_NOMEM, "out of memory");
    campaign__account_health__init (health);
    int rc = 0;
    health->account_id = strdup (account->account_id ? account->account_id : "");
    health->contributions = calloc (M_COUNT, sizeof *health->contributions);
    if (!health->account_id || !health->contributions)
        rc = ERR_NOMEM;
    double score = 50;
    for (int m = 0; !rc && m < M_COUNT; m++) {
        const s_measure_t *measure = &model->measures[m];
        if (measure->weight <= 0)
            continue;
        double normalised = health_normalise (values[m], measure->low, measure->high);
        double points = 100.0 * measure->weight / model->weight_sum * (normalised - 0.5);
        score += points;
        Campaign__Contribution *c = calloc (1, sizeof *c);
        if (!c) {
            rc = ERR_NOMEM;
            break;
        }
        campaign__contribution__init (c);
        c->measure = strdup (health_measures[m]);
        c->has_value = c->has_normalised = c->has_points = 1;
        c->value = values[m];
        c->normalised = normalised;
        c->points = points;
        health->contributions[health->n_contributions++] = c;
        if (!c->measure)
            rc = ERR_NOMEM;
    }
    if (!rc)
        qsort (health->contributions, health->n_contributions, sizeof *health->contributions,
               s_by_magnitude);
    score = score < 0 ? 0 : score > 100 ? 100 : score;
    health->has_score = 1;
    health->score = round (score * 10) / 10;
    const char *band = health->score >= model->healthy ? "healthy"
                       : health->score >= model->watch ? "watch"
                                                       : "at-risk";
    health->band = strdup (band);
    char date[DATE_TEXT_MAX];
    health->scored_on = strdup (date_format (today, date));
    if (!health->band || !health->scored_on)
        rc = ERR_NOMEM;

    bool recent_change = changed && account->stakeholder_change_days <= model->quiet_days;
    if (!rc && recent_change)
        rc = s_flag (health, "stakeholder_change", "a key stakeholder changed %u days ago",
                     account->stakeholder_change_days);
    if (!rc && account->usage_growth_pct < model->usage_falling_below)
        rc = s_flag (health, "usage_falling", "usage %+.0f%% (below %+.0f%%)",
                     account->usage_growth_pct, model->usage_falling_below);
    if (!rc && values[M_SUPPORT] > model->support_spike_above)
        rc = s_flag (health, "support_spike",
                     "%.1f tickets per 100 seats in 90 days (above %.0f)", values[M_SUPPORT],
                     model->support_spike_above);
    if (!rc && account->nps < model->detractor_below)
        rc = s_flag (health, "detractor", "NPS %d", account->nps);
    if (!rc && values[M_RENEWAL] <= model->renewal_days &&
        health->score < model->renewal_low_health)
        rc = s_flag (health, "renewal_risk", "renewal in %.0f days with health %.0f",
                     values[M_RENEWAL], health->score);
    if (!rc && !account->champion)
        rc = s_flag (health, "no_champion", "no champion on record");
    health->has_expansion_ready = 1;
    health->expansion_ready =
        health->score > model->ready_above && !recent_change && health->n_flags == 0;
    if (rc) {
        campaign__account_health__free_unpacked (health, NULL);
        return err_set (err, ERR_NOMEM, "out of memory scoring %s", account->account_id);
    }
    *out = health;
    return 0;
}
