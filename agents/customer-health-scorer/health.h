/*  health.h: account health, explained (SPEC section 5, issue 4).

    health = 100 x the weighted average of normalised measures, each measure mapped
    linearly from its configured [low, high] onto 0..1 and clamped (low > high means
    "less is better", e.g. support load). Every score is explained: each measure's
    signed contribution in points, so that score = 50 + sum of contributions, largest
    first. Weights come from configuration and need not sum to 1 (they are normalised).

    Measures: feature_adoption (% of features used), usage_trend (usage growth %),
    seat_utilisation (active / purchased seats, %), nps (-100..100), support_load
    (tickets in 90 days per 100 purchased seats), sponsorship (champion and executive
    sponsor, 0..1), stakeholder_stability (days since a key stakeholder changed; none on
    record counts as fully stable), renewal_proximity (days to the next renewal).

    Bands: healthy >= health.bands.healthy (70), watch >= health.bands.watch (50),
    else at-risk. Risk flags, each with its numbers: stakeholder_change (within
    health.stakeholder_quiet_days), usage_falling, support_spike, detractor (NPS),
    renewal_risk (renewal soon with low health), no_champion. Expansion-ready: score
    above health.ready_above (70), no stakeholder change in the quiet period, no flag.
*/
#ifndef CAMPAIGN_HEALTH_H
#define CAMPAIGN_HEALTH_H

#include <stdint.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"

typedef struct _health_model_t health_model_t;

/*  Read the model from conf (health.* settings; defaults are the seed's). A measure
    that does not exist, a negative weight, weights summing to 0 or a band order that
    makes no sense are refused with file, line and setting. */
int health_model_load (conf_t *conf, health_model_t **out, err_t *err);
void health_model_destroy (health_model_t **self_p);

/*  Score account on campaign day today. *out is malloc'd piecewise: free it with
    campaign__account_health__free_unpacked (out, NULL). */
int health_score (const health_model_t *model, const Campaign__Account *account, int32_t today,
                  Campaign__AccountHealth **out, err_t *err);

/*  value mapped from [low, high] onto 0..1, clamped; low > high reverses the direction. */
double health_normalise (double value, double low, double high);

/*  The names of the measures, NULL-terminated. */
extern const char *const health_measures[];

#endif
