/*  propensity.h: expansion propensity 0-100 per account and play, explained (SPEC
    section 5, issue 5 item 1).

    For play X (seat, tier, cross-sell, geo):

        propensity_X = 100 x logistic (intercept_X + sum_k w_Xk z_k),  z_k = (x_k - mean_k) /
   scale_k

    and every score carries its top contributing features, each with its signed
    contribution w_Xk z_k in log-odds (largest magnitude first).

    Features x_k of an account, in their raw units:
      utilisation   seats_active / seats_purchased (ratio)
      penetration   seats_purchased / employees (ratio)
      headcount     employee_growth_pct (%)
      adoption      feature_adoption_pct (%)
      usage_growth  usage_growth_pct (%)
      usage_limit   usage_limit_pct (% of the plan limit)
      nps           nps (-100..100)
      detractor     1 if nps < 0, else 0
      support       log (1 + support_tickets_90d)
      modules       modules owned (core included)
      adjacent      modules not owned but adjacent to one owned (whitespace.h)
      geo_gap       regions present but not licensed
      champion      1 if a champion is on record
      sponsor       1 if an executive sponsor is on record
      stakeholder   exp (-days / 180) after a key stakeholder change, else 0

    The model format (what a `campaign-model` tool writes; a layer on top of the
    configuration replaces it):

        identifier = { propensity = {
            top_features = 3;
            features = { utilisation = { mean = 0.7397; scale = 0.1761; }; ... };
            seat = { intercept = -3.3596; weights = { utilisation = 1.391; ... }; };
            tier = { ... };  cross-sell = { ... };  geo = { ... };
        }; };

    Or a campaign-model file (lib/model.h), fitted with --group on the opportunity type:
    identifier.propensity.model = "path"; each group named after a play replaces that
    play's intercept, weights and its features' mean and scale, and scores exactly as
    model_predict would. A group with a categorical or unknown feature is refused.

    A feature absent from `features` is used raw (mean 0, scale 1); a `features` or
    `weights` group replaces the default one whole. Defaults: the coefficients of
    campaign-gen's truth as calibrated on its 1,500-account seed-7 portfolio (truth.md),
    equal to config/campaign.cfg. An unknown feature, a scale <= 0 or a non-finite
    number is refused with file:line.
*/
#ifndef CAMPAIGN_PROPENSITY_H
#define CAMPAIGN_PROPENSITY_H

#include <stddef.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"

typedef enum { PROP_SEAT, PROP_TIER, PROP_CROSS_SELL, PROP_GEO, PROP_PLAYS } propensity_play_t;

enum {
    PROP_UTILISATION,
    PROP_PENETRATION,
    PROP_HEADCOUNT,
    PROP_ADOPTION,
    PROP_USAGE_GROWTH,
    PROP_USAGE_LIMIT,
    PROP_NPS,
    PROP_DETRACTOR,
    PROP_SUPPORT,
    PROP_MODULES,
    PROP_ADJACENT,
    PROP_GEO_GAP,
    PROP_CHAMPION,
    PROP_SPONSOR,
    PROP_STAKEHOLDER,
    PROP_FEATURES
};

#define PROPENSITY_TOP_MAX 8

/*  Feature names, indexed as above; play names "seat", "tier", "cross-sell", "geo". */
extern const char *const propensity_features[PROP_FEATURES];
extern const char *const propensity_plays[PROP_PLAYS];

typedef struct {
    const char *feature; /* static name */
    double value;        /* raw x */
    double contribution; /* signed log-odds w z */
} propensity_factor_t;

typedef struct {
    double score; /* 0..100 */
    double logit;
    propensity_factor_t top[PROPENSITY_TOP_MAX];
    size_t n_top;
} propensity_t;

typedef struct _propensity_model_t propensity_model_t;

/*  Read identifier.propensity.* (see above). */
int propensity_model_load (conf_t *conf, propensity_model_t **out, err_t *err);
void propensity_model_destroy (propensity_model_t **self_p);

/*  The raw features of account into x[PROP_FEATURES]; adjacent is
    whitespace_adjacent_modules () (the catalogue lives there). */
void propensity_account_features (const Campaign__Account *account, double adjacent,
                                  double x[PROP_FEATURES]);

/*  Score play from raw features x. Pure, always succeeds. */
void propensity_score (const propensity_model_t *model, propensity_play_t play,
                       const double x[PROP_FEATURES], propensity_t *out);

/*  "utilisation +1.20, headcount +0.85, penetration -0.40" into buf; returns buf. */
const char *propensity_explain (const propensity_t *score, char *buf, size_t size);

#endif
