/*  whitespace.h: expansion whitespace in ARR, by opportunity type (SPEC section 5,
    issue 5 item 1).

    The catalogue (`catalog = { ... }` in the configuration) is what the company sells:
      tiers      the plan ladder, lowest first, each with its list price per seat per year
      modules    each module with its list price per seat per year ("core" at 0)
      adjacency  per owned module, the modules next to it with a weight 0..1 (how natural
                 the step is): adjacency = { core = { analytics = 1.0; }; ... };
      regions    each region with the annual price of licensing it
    The rules (`identifier.whitespace.*`) say when a type applies and how big it is:

      seats       utilisation (active / purchased) >= seats.min_utilisation, and headcount
                  growth >= seats.min_growth_pct or penetration (purchased / employees)
                  <= seats.max_penetration. Added seats = purchased x clamp (base_share +
                  max (0, growth %) / 100, base_share, max_share), rounded, at least 1, at
                  most employees - purchased. Potential = added x the tier's price.
      tier        not at the top of the ladder, and usage against the plan limit >=
                  tier.near_limit_pct or feature adoption >= tier.high_adoption_pct or a
                  premium feature was requested. Potential = (next tier's price - this
                  tier's price) x purchased seats.
      cross-sell  only for healthy accounts (band "healthy" when a health score is known;
                  with none, cross_sell.require_health says). For each module not owned,
                  weight = the largest adjacency weight from a module owned; potential =
                  the best weight x module price x purchased seats (the next module a
                  cross-sell play would offer: one opportunity per account).
      geo         regions present but not licensed, each at its region's price.

    All money is US dollars of ARR. A catalogue or rule mistake (unknown module or tier,
    negative price, weight outside 0..1) is refused with file:line.
*/
#ifndef CAMPAIGN_WHITESPACE_H
#define CAMPAIGN_WHITESPACE_H

#include <stdbool.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"

/*  The opportunity types, in this order everywhere (arrays are indexed by them). */
typedef enum { WS_SEAT, WS_TIER, WS_CROSS_SELL, WS_GEO, WS_TYPES } whitespace_type_t;

/*  "seat", "tier", "cross-sell", "geo". */
extern const char *const whitespace_types[WS_TYPES];

typedef struct _whitespace_t whitespace_t;

/*  The potential of one account, by type, with the reason for each (for people). */
typedef struct {
    double arr[WS_TYPES];
    char why[WS_TYPES][256];
    char module[64];   /* cross-sell: the module offered ("" if none) */
    double adjacent;   /* modules not owned but adjacent to one owned */
    bool premium_asks; /* feature requests counted as a tier signal */
} whitespace_potential_t;

/*  Read the catalogue and rules from conf. Defaults (equal to config/campaign.cfg):
    tiers starter 240, professional 420, enterprise 660, enterprise-plus 960; modules
    core 0, analytics 96, workflow 84, automation 120, security 72, integrations 48; the
    adjacency of campaign-gen's catalogue at weight 1; regions 24,000 each. */
int whitespace_load (conf_t *conf, whitespace_t **out, err_t *err);
void whitespace_destroy (whitespace_t **self_p);

/*  The potential of account. health may be NULL (unknown); feature_requests is the
    number of premium feature requests on record (0 if none). Always succeeds for a
    decoded account: unknown tiers get no seat price and no tier potential. */
void whitespace_potential (const whitespace_t *self, const Campaign__Account *account,
                           const Campaign__AccountHealth *health, size_t feature_requests,
                           whitespace_potential_t *out);

/*  Modules not owned but adjacent (weight > 0) to one owned. */
double whitespace_adjacent_modules (const whitespace_t *self, const Campaign__Account *account);

/*  Index of type name in whitespace_types, or -1. */
int whitespace_type_index (const char *name);

#endif
