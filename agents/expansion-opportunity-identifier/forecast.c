/*  forecast.c: win probabilities, categories and the P10-P90 band (forecast.h). */
#include "forecast.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *const forecast_risk_names[FORECAST_RISKS] = {"slipping", "stalled",
                                                         "health-dropped"};

static int
s_rules (conf_t *conf, const plays_t *plays, forecast_t *out, err_t *err)
{
    char where[256];
    config_setting_t *rules = conf_lookup (conf, "identifier.forecast.acceleration");
    int count = rules ? config_setting_length (rules) : 0;
    if (rules && (config_setting_type (rules) != CONFIG_TYPE_LIST || count > FORECAST_RULES))
        return err_set (err, ERR_INVALID,
                        "%s: identifier.forecast.acceleration must be a list of up to %d rules "
                        "{ play; risk; text; }",
                        conf_where (conf, rules, where, sizeof where), FORECAST_RULES);
    for (int i = 0; i < count; i++) {
        config_setting_t *item = config_setting_get_elem (rules, i);
        forecast_rule_t *rule = &out->rules[i];
        int rc = conf_member_text (conf, item, "identifier.forecast.acceleration", "play",
                                   rule->play, sizeof rule->play, err);
        if (!rc)
            rc = conf_member_text (conf, item, "identifier.forecast.acceleration", "risk",
                                   rule->risk, sizeof rule->risk, err);
        if (!rc)
            rc = conf_member_text (conf, item, "identifier.forecast.acceleration", "text",
                                   rule->text, sizeof rule->text, err);
        if (rc)
            return rc;
        conf_where (conf, item, where, sizeof where);
        if (strcmp (rule->play, "*") != 0 && plays && !plays_find (plays, rule->play))
            return err_set (err, ERR_INVALID,
                            "%s: identifier.forecast.acceleration: play '%s' is not a play of "
                            "`plays` (or *)",
                            where, rule->play);
        bool known = strcmp (rule->risk, "*") == 0;
        for (int k = 0; k < FORECAST_RISKS; k++)
            known |= strcmp (rule->risk, forecast_risk_names[k]) == 0;
        if (!known)
            return err_set (err, ERR_INVALID,
                            "%s: identifier.forecast.acceleration: risk '%s' is not one of "
                            "slipping, stalled, health-dropped, *",
                            where, rule->risk);
    }
    out->n_rules = (size_t)count;
    return 0;
}

int
forecast_load (conf_t *conf, const plays_t *plays, forecast_t *out, err_t *err)
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
    /*  The timing model's defaults are config/campaign.cfg's (see forecast.h). A slip
        share of 0 would make a deal seen past its slowest cycle impossible: refused. */
    if (!rc)
        rc = conf_double_range (conf, "identifier.forecast.slip_share", 0.25, 1e-6, 1,
                                &out->slip_share, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.forecast.slip_mean", 0.5, 1e-3, 100,
                                &out->slip_mean, err);
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
    /*  Every open stage of the pipeline needs its priors. A stage's rank is its place
        in pipeline.stages (the order deals move in), or in win_prob without that list;
        a win_prob stage the pipeline lacks has none (-1). */
    config_setting_t *stages = conf_lookup (conf, "pipeline.stages");
    for (size_t i = 0; i < out->n; i++)
        out->rank[i] = stages ? -1 : (int)i;
    for (int i = 0; stages && i < config_setting_length (stages); i++) {
        const char *stage = config_setting_get_string_elem (stages, i);
        int at = forecast_stage (out, stage);
        if (at >= 0)
            out->rank[at] = i;
        if (!stage || strncmp (stage, "closed", 6) == 0)
            continue;
        if (forecast_probability (out, stage, 1) < 0)
            return err_set (err, ERR_INVALID,
                            "%s: identifier.forecast.win_prob has no entry for stage '%s' of "
                            "pipeline.stages",
                            conf_where (conf, group, where, sizeof where), stage);
    }
    return s_rules (conf, plays, out, err);
}

const char *
forecast_acceleration (const forecast_t *self, const char *play, int risk)
{
    if (risk < 0 || risk >= FORECAST_RISKS)
        return NULL;
    for (size_t i = 0; i < self->n_rules; i++) {
        const forecast_rule_t *rule = &self->rules[i];
        bool play_ok =
            strcmp (rule->play, "*") == 0 || (play && strcmp (rule->play, play) == 0);
        bool risk_ok = strcmp (rule->risk, "*") == 0 ||
                       strcmp (rule->risk, forecast_risk_names[risk]) == 0;
        if (play_ok && risk_ok)
            return rule->text;
    }
    return NULL;
}

/*  The win_prob column of tier: 1..3, a deal not tiered (0) takes tier 3's. */
static size_t
s_column (uint32_t tier)
{
    return tier >= 1 && tier <= 3 ? tier - 1 : 2;
}

int
forecast_stage (const forecast_t *self, const char *stage)
{
    for (size_t i = 0; stage && i < self->n; i++)
        if (strcmp (self->stages[i], stage) == 0)
            return (int)i;
    return -1;
}

double
forecast_probability (const forecast_t *self, const char *stage, uint32_t tier)
{
    int i = forecast_stage (self, stage);
    return i < 0 ? -1 : self->p[i][s_column (tier)];
}

/*  The rank of stage (forecast_load), -1 without one. */
static int
s_rank (const forecast_t *self, const char *stage)
{
    int i = forecast_stage (self, stage);
    return i < 0 ? -1 : self->rank[i];
}

size_t
forecast_reached (const forecast_t *self, bool qualified, const char *closed_from,
                  size_t out[PLAYS_STAGES])
{
    const char *entry = qualified ? "qualified" : "identified";
    int first = s_rank (self, entry), last = s_rank (self, closed_from);
    size_t n = 0;
    if (last < 0) {
        /*  Older stores: how far it got is unknown, the entry stage only. */
        int at = forecast_stage (self, entry);
        if (at >= 0)
            out[n++] = (size_t)at;
        return n;
    }
    if (first < 0 || first > last)
        first = last;
    for (size_t i = 0; i < self->n; i++)
        if (self->rank[i] >= first && self->rank[i] <= last)
            out[n++] = i;
    return n;
}

void
forecast_evidence_add (forecast_evidence_t *evidence, uint32_t tier, bool won, double expected)
{
    size_t column = s_column (tier);
    evidence->deals[column]++;
    evidence->won[column] += won;
    evidence->expected[column] += expected;
}

void
forecast_evidence_add_history (forecast_evidence_t *evidence, bool won, double expected)
{
    evidence->history++;
    evidence->history_won += won;
    evidence->history_expected += expected;
}

/*  Posterior over prior of a Beta prior of mean prior worth pseudo deals, after won of
    deals; 1 without deals or without a prior to compare with. */
static double
s_beta_ratio (double pseudo, double prior, double won, double deals)
{
    if (deals <= 0 || prior <= 0)
        return 1;
    return (pseudo * prior + won) / (pseudo + deals) / prior;
}

double
forecast_stage_ratio (const forecast_t *self, const forecast_evidence_t *evidence,
                      uint32_t tier)
{
    size_t own = s_column (tier);
    double deals = evidence->history, won = evidence->history_won,
           expected = evidence->history_expected;
    for (size_t k = 0; k < 3; k++)
        if (k != own) {
            deals += evidence->deals[k];
            won += evidence->won[k];
            expected += evidence->expected[k];
        }
    double pooled =
        deals > 0 ? s_beta_ratio (self->prior_weight, expected / deals, won, deals) : 1;
    if (evidence->deals[own] <= 0)
        return pooled;
    double prior = evidence->expected[own] / evidence->deals[own] * pooled;
    prior = prior > 0.99 ? 0.99 : prior;
    return pooled *
           s_beta_ratio (self->prior_weight, prior, evidence->won[own], evidence->deals[own]);
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

/*  The timing model of forecast.h for play: the probability that a deal is still
    undecided at age x days. */
typedef struct {
    double fastest, slowest; /* the play's cycle_days */
    double slip_share;       /* undecided at the slowest cycle */
    double slip_days;        /* mean days to a decision once past it */
} s_timing_t;

static s_timing_t
s_timing (const forecast_t *self, const plays_play_t *play)
{
    s_timing_t t = {play->cycle_days[0], play->cycle_days[1], self->slip_share, 0};
    t.slip_days = self->slip_mean * (t.fastest + t.slowest) / 2;
    if (t.slip_days < 1)
        t.slip_days = 1; /* a play of 0-1 days: still at least a day per decision */
    return t;
}

static double
s_undecided (const s_timing_t *t, double x)
{
    if (x < t->fastest)
        return 1;
    if (x < t->slowest)
        return 1 - (1 - t->slip_share) * (x - t->fastest) / (t->slowest - t->fastest);
    return t->slip_share * exp (-(x - t->slowest) / t->slip_days);
}

double
forecast_decided_by (const forecast_t *self, const plays_play_t *play, int32_t opened,
                     int32_t today, int32_t by)
{
    if (by < today)
        return 0;
    if (!play)
        return 1;
    s_timing_t t = s_timing (self, play);
    double age = today > opened ? today - opened : 0;
    double left = (double)by - today + 1; /* selling days left, today included */
    /*  Past the slowest cycle the rate is constant: the ratio below, computed directly
        (no underflow however late the deal is). */
    if (age >= t.slowest)
        return 1 - exp (-left / t.slip_days);
    return 1 - s_undecided (&t, age + left) / s_undecided (&t, age);
}

int32_t
forecast_close (const forecast_t *self, const plays_play_t *play, int32_t opened, int32_t today)
{
    if (!play)
        return today;
    s_timing_t t = s_timing (self, play);
    double age = today > opened ? today - opened : 0;
    double half = s_undecided (&t, age) / 2, x;
    if (age >= t.slowest)
        x = age + t.slip_days * log (2);
    else if (half >= t.slip_share)
        x = t.fastest + (1 - half) * (t.slowest - t.fastest) / (1 - t.slip_share);
    else
        x = t.slowest + t.slip_days * log (t.slip_share / half);
    int32_t close = opened + (int32_t)ceil (x - 1e-9);
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
