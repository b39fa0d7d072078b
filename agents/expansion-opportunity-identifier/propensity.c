/*  propensity.c: the logistic propensity model (see propensity.h). */
#include "propensity.h"

#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const propensity_features[PROP_FEATURES] = {
    "utilisation", "penetration", "headcount", "adoption", "usage_growth",
    "usage_limit", "nps",         "detractor", "support",  "modules",
    "adjacent",    "geo_gap",     "champion",  "sponsor",  "stakeholder"};
const char *const propensity_plays[PROP_PLAYS] = {"seat", "tier", "cross-sell", "geo"};

/*  Defaults: campaign-gen's truth for seed 7 (truth.md), as in config/campaign.cfg. */
static const double s_default_mean[PROP_FEATURES] = {0.7397,  0.3441,  8.3403, 47.7697, 5.3156,
                                                     70.0862, 22.0360, 0.2893, 1.7262,  2.8327,
                                                     2.0827,  0.1900,  0.4953, 0.3093,  0.0489};
static const double s_default_scale[PROP_FEATURES] = {
    0.1761, 0.1574, 9.6882, 21.3157, 15.2108, 18.8165, 42.0882, 0.4536,
    0.8593, 1.3945, 0.7268, 0.4313,  0.5001,  0.4624,  0.1567};
static const double s_default_intercept[PROP_PLAYS] = {-3.3596, -4.6187, -3.6876, -6.0059};
static const double s_default_weights[PROP_PLAYS][PROP_FEATURES] = {
    [PROP_SEAT] = {[PROP_UTILISATION] = 1.3910,
                   [PROP_PENETRATION] = -0.8346,
                   [PROP_HEADCOUNT] = 1.1128,
                   [PROP_ADOPTION] = 0.4173,
                   [PROP_NPS] = 0.2782,
                   [PROP_CHAMPION] = 0.4173,
                   [PROP_STAKEHOLDER] = -0.5564},
    [PROP_TIER] = {[PROP_ADOPTION] = 0.9737,
                   [PROP_USAGE_GROWTH] = 0.5564,
                   [PROP_USAGE_LIMIT] = 1.3910,
                   [PROP_NPS] = 0.2782,
                   [PROP_SPONSOR] = 0.4173,
                   [PROP_STAKEHOLDER] = -0.4173},
    [PROP_CROSS_SELL] = {[PROP_ADOPTION] = 0.6955,
                         [PROP_NPS] = 0.6955,
                         [PROP_SUPPORT] = -0.5564,
                         [PROP_MODULES] = -0.8346,
                         [PROP_ADJACENT] = 0.6955,
                         [PROP_CHAMPION] = 0.4173,
                         [PROP_STAKEHOLDER] = -0.4173},
    [PROP_GEO] = {[PROP_HEADCOUNT] = 0.5564,
                  [PROP_ADOPTION] = 0.4173,
                  [PROP_NPS] = 0.2782,
                  [PROP_GEO_GAP] = 1.3910,
                  [PROP_SPONSOR] = 0.5564},
};

struct _propensity_model_t {
    double mean[PROP_FEATURES];
    double scale[PROP_FEATURES];
    double intercept[PROP_PLAYS];
    double weights[PROP_PLAYS][PROP_FEATURES];
    size_t top;
};

static int
s_feature (const char *name)
{
    for (int k = 0; name && k < PROP_FEATURES; k++)
        if (strcmp (propensity_features[k], name) == 0)
            return k;
    return -1;
}

static const char s_feature_names[] =
    "utilisation, penetration, headcount, adoption, usage_growth, usage_limit, nps, "
    "detractor, support, modules, adjacent, geo_gap, champion, sponsor, stakeholder";

static int
s_unknown_feature (err_t *err, const char *where, const char *path, const char *name)
{
    return err_set (err, ERR_INVALID, "%s: %s: feature '%s' does not exist (%s)", where, path,
                    name, s_feature_names);
}

static int
s_load_features (propensity_model_t *self, conf_t *conf, err_t *err)
{
    memcpy (self->mean, s_default_mean, sizeof self->mean);
    memcpy (self->scale, s_default_scale, sizeof self->scale);
    config_setting_t *group = conf_lookup (conf, "identifier.propensity.features");
    if (!group)
        return 0;
    char where[256];
    if (config_setting_type (group) != CONFIG_TYPE_GROUP)
        return err_set (err, ERR_INVALID,
                        "%s: identifier.propensity.features must be a group "
                        "( adoption = { mean = 47.8; scale = 21.3; }; )",
                        conf_where (conf, group, where, sizeof where));
    for (int k = 0; k < PROP_FEATURES; k++) {
        self->mean[k] = 0;
        self->scale[k] = 1;
    }
    for (int i = 0; i < config_setting_length (group); i++) {
        config_setting_t *item = config_setting_get_elem (group, i);
        conf_where (conf, item, where, sizeof where);
        int k = s_feature (config_setting_name (item));
        if (k < 0)
            return s_unknown_feature (err, where, "identifier.propensity.features",
                                      config_setting_name (item));
        config_setting_t *mean = config_setting_get_member (item, "mean");
        config_setting_t *scale = config_setting_get_member (item, "scale");
        if (!mean || !scale || conf_setting_number (mean, &self->mean[k]) ||
            conf_setting_number (scale, &self->scale[k]) || self->scale[k] <= 0)
            return err_set (err, ERR_INVALID,
                            "%s: identifier.propensity.features.%s needs mean = a number and "
                            "scale = a number > 0",
                            where, propensity_features[k]);
    }
    return 0;
}

static int
s_load_play (propensity_model_t *self, conf_t *conf, int play, err_t *err)
{
    char path[128];
    snprintf (path, sizeof path, "identifier.propensity.%s.intercept", propensity_plays[play]);
    int rc = conf_double (conf, path, s_default_intercept[play], &self->intercept[play], err);
    if (!rc && !isfinite (self->intercept[play]))
        rc = err_set (err, ERR_INVALID, "%s must be a finite number", path);
    memcpy (self->weights[play], s_default_weights[play], sizeof self->weights[play]);
    snprintf (path, sizeof path, "identifier.propensity.%s.weights", propensity_plays[play]);
    config_setting_t *group = conf_lookup (conf, path);
    if (rc || !group)
        return rc;
    char where[256];
    if (config_setting_type (group) != CONFIG_TYPE_GROUP)
        return err_set (err, ERR_INVALID, "%s: %s must be a group ( adoption = 0.97; ... )",
                        conf_where (conf, group, where, sizeof where), path);
    memset (self->weights[play], 0, sizeof self->weights[play]);
    for (int i = 0; i < config_setting_length (group); i++) {
        config_setting_t *item = config_setting_get_elem (group, i);
        conf_where (conf, item, where, sizeof where);
        int k = s_feature (config_setting_name (item));
        if (k < 0)
            return s_unknown_feature (err, where, path, config_setting_name (item));
        if (conf_setting_number (item, &self->weights[play][k]))
            return err_set (err, ERR_INVALID, "%s: %s.%s must be a finite number", where, path,
                            propensity_features[k]);
    }
    return 0;
}

/*  A campaign-model file (lib/model.h) grouped by play: each group named after a play
    replaces that play's intercept and weights, and its numeric features' mean and scale
    (one per feature, shared by every group of a campaign-model file). The identifier's
    features are numbers: a categorical feature or an unknown name is refused. */
static int
s_load_model_file (propensity_model_t *self, const char *path, err_t *err)
{
    model_t *model = NULL;
    err_t why;
    int rc = model_load (path, &model, &why);
    if (rc)
        return err_set (err, rc, "identifier.propensity.model: %s", why.msg);
    /*  One mean and scale per feature, as the identifier standardises each feature once
        for every play. */
    double mean[PROP_FEATURES], scale[PROP_FEATURES];
    bool set[PROP_FEATURES] = {false};
    for (size_t g = 0; !rc && g < model_groups (model); g++) {
        const model_group_t *group = model_group (model, g);
        for (size_t i = 0; !rc && i < group->n_numeric; i++) {
            int k = s_feature (group->numeric[i].name);
            if (k < 0)
                continue; /* refused below, naming the group */
            if (set[k] &&
                (mean[k] != group->numeric[i].mean || scale[k] != group->numeric[i].scale))
                rc = err_set (err, ERR_INVALID,
                              "%s: feature '%s' has another mean or scale in group '%s': the "
                              "identifier standardises a feature once for every play",
                              path, group->numeric[i].name, group->group);
            mean[k] = group->numeric[i].mean;
            scale[k] = group->numeric[i].scale;
            set[k] = true;
        }
    }
    /*  A play the file does not hold keeps its coefficients, re-expressed on the file's
        standardisation so that its scores do not change: w (x - m) / s =
        w s' / s (x - m') / s' + w (m' - m) / s. */
    for (int play = 0; !rc && play < PROP_PLAYS; play++) {
        if (model_group_find (model, propensity_plays[play]))
            continue;
        for (int k = 0; k < PROP_FEATURES; k++)
            if (set[k]) {
                double w = self->weights[play][k];
                self->intercept[play] += w * (mean[k] - self->mean[k]) / self->scale[k];
                self->weights[play][k] = w * scale[k] / self->scale[k];
            }
    }
    size_t used = 0;
    for (int play = 0; !rc && play < PROP_PLAYS; play++) {
        const model_group_t *group = model_group_find (model, propensity_plays[play]);
        if (!group)
            continue;
        used++;
        if (group->n_categorical)
            rc = err_set (err, ERR_INVALID,
                          "%s: group '%s' has the categorical feature '%s': the identifier's "
                          "features are numbers (%s)",
                          path, group->group, group->categorical[0].name, s_feature_names);
        self->intercept[play] = group->intercept;
        memset (self->weights[play], 0, sizeof self->weights[play]);
        for (size_t i = 0; !rc && i < group->n_numeric; i++) {
            const model_numeric_t *f = &group->numeric[i];
            int k = s_feature (f->name);
            if (k < 0)
                rc =
                    err_set (err, ERR_INVALID,
                             "%s: group '%s': feature '%s' is not one of the identifier's (%s)",
                             path, group->group, f->name, s_feature_names);
            else {
                self->mean[k] = f->mean;
                self->scale[k] = f->scale;
                self->weights[play][k] = f->weight;
            }
        }
    }
    if (!rc && !used)
        rc = err_set (err, ERR_INVALID,
                      "%s: no group is named after a play (seat, tier, cross-sell, geo): fit "
                      "it with --group on the opportunity type",
                      path);
    model_destroy (&model);
    return rc;
}

int
propensity_model_load (conf_t *conf, propensity_model_t **out, err_t *err)
{
    propensity_model_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int64_t top = 3;
    int rc = conf_int_range (conf, "identifier.propensity.top_features", 3, 1,
                             PROPENSITY_TOP_MAX, &top, err);
    self->top = (size_t)top;
    if (!rc)
        rc = s_load_features (self, conf, err);
    for (int play = 0; !rc && play < PROP_PLAYS; play++)
        rc = s_load_play (self, conf, play, err);
    const char *path = NULL;
    if (!rc)
        rc = conf_string (conf, "identifier.propensity.model", "", &path, err);
    if (!rc && *path)
        rc = s_load_model_file (self, path, err);
    if (rc)
        propensity_model_destroy (&self);
    else
        *out = self;
    return rc;
}

void
propensity_model_destroy (propensity_model_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

void
propensity_account_features (const Campaign__Account *a, double adjacent,
                             double x[PROP_FEATURES])
{
    double purchased = a->seats_purchased;
    size_t gap = 0;
    for (size_t i = 0; i < a->n_regions_present; i++) {
        size_t j = 0;
        while (j < a->n_regions_licensed &&
               strcmp (a->regions_present[i], a->regions_licensed[j]) != 0)
            j++;
        gap += j == a->n_regions_licensed;
    }
    x[PROP_UTILISATION] = purchased > 0 ? a->seats_active / purchased : 0;
    x[PROP_PENETRATION] = a->employees > 0 ? purchased / a->employees : 1;
    x[PROP_HEADCOUNT] = a->employee_growth_pct;
    x[PROP_ADOPTION] = a->feature_adoption_pct;
    x[PROP_USAGE_GROWTH] = a->usage_growth_pct;
    x[PROP_USAGE_LIMIT] = a->usage_limit_pct;
    x[PROP_NPS] = a->nps;
    x[PROP_DETRACTOR] = a->nps < 0;
    x[PROP_SUPPORT] = log1p ((double)a->support_tickets_90d);
    x[PROP_MODULES] = (double)a->n_products;
    x[PROP_ADJACENT] = adjacent;
    x[PROP_GEO_GAP] = (double)gap;
    x[PROP_CHAMPION] = a->champion;
    x[PROP_SPONSOR] = a->exec_sponsor;
    x[PROP_STAKEHOLDER] =
        a->has_stakeholder_change_days ? exp (-(double)a->stakeholder_change_days / 180) : 0;
}

void
propensity_score (const propensity_model_t *model, propensity_play_t play,
                  const double x[PROP_FEATURES], propensity_t *out)
{
    memset (out, 0, sizeof *out);
    double logit = model->intercept[play];
    propensity_factor_t all[PROP_FEATURES];
    size_t n = 0;
    for (int k = 0; k < PROP_FEATURES; k++) {
        double w = model->weights[play][k];
        if (w == 0)
            continue;
        double c = w * (x[k] - model->mean[k]) / model->scale[k];
        logit += c;
        all[n++] = (propensity_factor_t){propensity_features[k], x[k], c};
    }
    /*  Top by magnitude: a selection over at most PROP_FEATURES items, stable. */
    for (size_t t = 0; t < model->top && t < n; t++) {
        size_t best = t;
        for (size_t i = t + 1; i < n; i++)
            if (fabs (all[i].contribution) > fabs (all[best].contribution))
                best = i;
        propensity_factor_t swap = all[t];
        all[t] = all[best];
        all[best] = swap;
        out->top[out->n_top++] = all[t];
    }
    out->logit = logit;
    out->score = 100.0 / (1.0 + exp (-logit));
}

const char *
propensity_explain (const propensity_t *score, char *buf, size_t size)
{
    size_t used = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < score->n_top && used < size; i++)
        used += snprintf (buf + used, size - used, "%s%s %+.2f", i ? ", " : "",
                          score->top[i].feature, score->top[i].contribution);
    return buf;
}
