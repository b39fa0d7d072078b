/*  forecast.c: win probabilities, categories and the P10-P90 band (forecast.h). */
#include "forecast.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int
forecast_load (conf_t *conf, forecast_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    char where[256];
    int rc = conf_double_range (conf, "identifier.forecast.commit_from", 0.7, 0, 1,
                                &out->commit_from, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.forecast.prior_weight", 20, 0, 1e6,
                                &out->prior_weight, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.forecast.best_case_from", 0.4, 0, 1,
                                &out->best_case_from, err);
    if (rc)
        return rc;
    if (out->best_case_from > out->commit_from)
        return err_set (
            err, ERR_INVALID,
            "%s: identifier.forecast: best_case_from (%g) must not be above "
            "commit_from (%g)",
            conf_where (conf, conf_lookup (conf, "identifier.forecast"), where, sizeof where),
            out->best_case_from, out->commit_from);
    config_setting_t *group = conf_lookup (conf, "identifier.forecast.win_prob");
    if (!group || config_setting_type (group) != CONFIG_TYPE_GROUP ||
        config_setting_length (group) > PLAYS_STAGES)
        return err_set (err, ERR_INVALID,
                        "%s: identifier.forecast.win_prob must be a group { <stage> = [tier 1, "
                        "tier 2, tier 3]; ... } of up to %d stages",
                        group ? conf_where (conf, group, where, sizeof where) : "configuration",
                        PLAYS_STAGES);
    for (int i = 0; i < config_setting_length (group); i++) {
        config_setting_t *item = config_setting_get_elem (group, i);
        const char *stage = config_setting_name (item);
        conf_where (conf, item, where, sizeof where);
        bool ok = strlen (stage) < 32 && config_setting_length (item) == 3;
        for (int k = 0; ok && k < 3; k++)
            ok = !conf_setting_number (config_setting_get_elem (item, k), &out->p[i][k]) &&
                 out->p[i][k] >= 0 && out->p[i][k] <= 1;
        if (!ok)
            return err_set (err, ERR_INVALID,
                            "%s: identifier.forecast.win_prob.%s must be [tier 1, tier 2, "
                            "tier 3], each 0..1",
                            where, stage);
        snprintf (out->stages[i], 32, "%s", stage);
        out->n++;
    }
    /*  Every open stage of the pipeline needs its priors. */
    config_setting_t *stages = conf_lookup (conf, "pipeline.stages");
    for (int i = 0; stages && i < config_setting_length (stages); i++) {
        const char *stage = config_setting_get_string_elem (stages, i);
        if (!stage || strncmp (stage, "closed", 6) == 0)
            continue;
        if (forecast_probability (out, stage, 1) < 0)
            return err_set (err, ERR_INVALID,
                            "%s: identifier.forecast.win_prob has no entry for stage '%s' of "
                            "pipeline.stages",
                            conf_where (conf, group, where, sizeof where), stage);
    }
    return 0;
}

double
forecast_probability (const forecast_t *self, const char *stage, uint32_t tier)
{
    size_t column = tier >= 1 && tier <= 3 ? tier - 1 : 2;
    for (size_t i = 0; stage && i < self->n; i++)
        if (strcmp (self->stages[i], stage) == 0)
            return self->p[i][column];
    return -1;
}

double
forecast_play_factor (const forecast_t *self, const plays_play_t *play, size_t won, size_t lost,
                      double *posterior)
{
    double prior = play ? (play->win_rate[0] + play->win_rate[1]) / 2 : 0;
    double pseudo = self->prior_weight;
    if (prior <= 0 || (pseudo <= 0 && won + lost == 0)) {
        *posterior = prior;
        return 1;
    }
    *posterior = (pseudo * prior + (double)won) / (pseudo + (double)(won + lost));
    return *posterior / prior;
}

const char *
forecast_category (const forecast_t *self, double p)
{
    return p >= self->commit_from      ? "commit"
           : p >= self->best_case_from ? "best case"
                                       : "pipeline";
}

int32_t
forecast_close (const plays_play_t *play, int32_t opened, int32_t today)
{
    if (!play)
        return today;
    int32_t close = opened + plays_cycle_mid (play);
    return close > today ? close : today;
}

void
forecast_add_won (forecast_sum_t *sum, double amount)
{
    sum->won += amount;
    sum->expected += amount;
}

void
forecast_add_open (const forecast_t *self, forecast_sum_t *sum, double amount, double p)
{
    sum->open += amount;
    sum->expected += amount * p;
    sum->variance += amount * amount * p * (1 - p);
    sum->deals++;
    const char *category = forecast_category (self, p);
    if (strcmp (category, "commit") == 0)
        sum->commit += amount;
    else if (strcmp (category, "best case") == 0)
        sum->best_case += amount;
    else
        sum->pipeline += amount;
}

void
forecast_band (forecast_sum_t *sum)
{
    double sd = sqrt (sum->variance);
    sum->p10 = sum->expected - FORECAST_Z90 * sd;
    sum->p90 = sum->expected + FORECAST_Z90 * sd;
    if (sum->p10 < sum->won)
        sum->p10 = sum->won;
    if (sum->p90 > sum->won + sum->open)
        sum->p90 = sum->won + sum->open;
}
