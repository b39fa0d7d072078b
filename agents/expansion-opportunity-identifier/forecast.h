/*  forecast.h: the weeks 8-10 forecast (issue 5 item 5).

    Win probability of an open deal: identifier.forecast.win_prob.<stage> = [tier 1,
    tier 2, tier 3] (configured priors; a deal not tiered takes the tier-3 column). A
    stage without an entry is refused when the forecast is loaded if it is an open stage
    of pipeline.stages (closed-won and closed-lost need none).
    Learning from outcomes, in two steps, each a Beta prior of
    identifier.forecast.prior_weight (w) pseudo-deals updated with won and lost deals:
    1. The play factor (forecast_play_factor): the play's posterior win rate over its
       prior, the middle of the play's win_rate (plays.h); the evidence is the play's won
       and lost deals in the history of the accounts and in this campaign so far.
    2. The stage x tier rates (forecast_stage_ratio): at each open stage s, for tier t, the
       configured win_prob[s][t] updated with the decided deals that reached s:
       ratio[s][t] = posterior / prior, learned[s][t] = min (win_prob[s][t] x ratio, 0.99).
       What counts as having reached s (forecast_evidence_*, filled by weeks.c):
       - This campaign's closed deals. The broker overwrites a closing deal's stage with
         closed-won/closed-lost and keeps no record of the stage it closed from, so the
         furthest stage known of a closed deal is "qualified" when it was qualified (every
         stage after that is a guess), else "identified". A qualified deal is evidence at
         "qualified" only, not at "identified": leaving "identified" is the qualification,
         a selection; the deals still identified are the ones not selected (nurture, never
         worked or closed), and the selected deals' win rate says nothing about them. An
         unqualified closed deal is evidence at "identified". So the stages after
         "qualified" keep their priors until the broker records the stage a deal closed
         from (a won deal passed every stage, but a lost one may have stopped anywhere:
         counting only the won ones there would be biased up).
       - History records (past campaigns: play, outcome, no stage, no tier): decided
         deals of past campaigns were worked deals, evidence at "qualified" only, of an
         unknown tier (see pooling below).
       Tiers, partial pooling: a tier's prior is first moved by what the other tiers'
       deals (and the history) at s show relative to their own priors, keeping the
       configured ratio between tiers, then updated with the tier's own deals:
         pooled = Beta ratio of the other tiers' and untiered evidence, prior mean = the
                  mean of those deals' expected probabilities, weight w (1: none)
         own    = Beta ratio of the tier's own deals, prior mean = their mean expected
                  probability x pooled, weight w (1: none)
         ratio  = pooled x own
       Few deals of its own: the tier follows the pooled ratio; many: its own rate. No
       threshold to configure, and no deal is counted twice (a tier's deals are left out
       of its own pooled ratio). Untiered history takes, as its expected probability at
       "qualified", the tiers' priors weighted by this campaign's qualified deals per
       tier (past worked deals are taken to be like this campaign's), or their plain
       mean when there are none.
    Combining the two without counting an outcome twice: a deal's expected probability,
    in the stage evidence, is its configured prior x its play factor, so the stage ratio
    learns only what the play factors have not already explained (a campaign whose
    plays all win less than configured lowers the play factors, and the stage ratios do
    not lower the same stages again). The play factor stays as it was because history,
    its main evidence, has no stage: it is the only step that carries past campaigns to
    the stages after "qualified".
    p = min (win_prob[s][t] x ratio[s][t] x play factor, 0.99).
    Category: commit when p >= identifier.forecast.commit_from, best case when p >=
    best_case_from, pipeline otherwise.
    Expected close: opened + the middle of the play's cycle_days, or today when that is
    already past (a deal that is late is expected now, and counted as slipping).

    Campaign forecast: the won deals' amounts (certain) + sum over open deals of amount x
    p. The same restricted to the open deals expected to close by the campaign's last
    day (campaign.weeks after the start) is the forecast within the campaign
    (forecast.expected_in_campaign): a 90-day play opened in week 8 lands after it. Open deals
   are independent Bernoulli trials, so the variance is sum amount^2 x p x (1 - p); the band is
   the normal approximation mean -/+ 1.2816 sd (the 10th and 90th percentiles of a normal),
   clamped to what can happen: at least the won ARR, at most the won ARR + every open amount.
   With few deals the normal is rough; it is the documented approximation of issue 5 item 5.

    At-risk deals and acceleration. An open deal that is worked (qualified, or in a stage
    past "qualified") is at risk for each of these reasons that holds (listed in this
    order; an unqualified deal still identified is nurture, not a deal anyone closes):
      slipping        open past opened + the play's slowest cycle_days
      stalled         days in stage past the stage's limit (monitor.h)
      health-dropped  the account's health fell by identifier.monitor.health_drop points
                      or more since the last score, or its band is at-risk (monitor.h)
    Each reason of an at-risk deal gets the text of the first rule of
    identifier.forecast.acceleration whose play and risk match ("*" matches anything),
    as { play; risk; text; }; a reason no rule matches gets none. A rule's play must be
    "*" or a play of `plays`, its risk one of the reasons above or "*".
*/
#ifndef CAMPAIGN_FORECAST_H
#define CAMPAIGN_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "plays.h"

#define FORECAST_Z90   1.2815515655446004 /* standard normal quantile of 0.9 */
#define FORECAST_RULES 32

/*  The reasons a deal is at risk, in the order they are listed. */
enum { FORECAST_SLIPPING, FORECAST_STALLED, FORECAST_HEALTH_DROPPED, FORECAST_RISKS };
extern const char *const forecast_risk_names[FORECAST_RISKS];

typedef struct {
    char play[32];
    char risk[32];
    char text[256];
} forecast_rule_t;

typedef struct {
    char stages[PLAYS_STAGES][32];
    double p[PLAYS_STAGES][3];
    size_t n;
    double commit_from;
    double best_case_from;
    double prior_weight;                   /* pseudo-deals behind each prior */
    forecast_rule_t rules[FORECAST_RULES]; /* identifier.forecast.acceleration */
    size_t n_rules;
} forecast_t;

typedef struct {
    double won;      /* ARR already won */
    double open;     /* sum of the open amounts */
    double expected; /* won + sum amount x p */
    double variance; /* sum amount^2 p (1 - p) */
    double p10, p90; /* set by forecast_band */
    double commit;   /* open amounts by category */
    double best_case;
    double pipeline;
    size_t deals; /* open deals added */
} forecast_sum_t;

/*  Read identifier.forecast.* (and pipeline.stages to check coverage) into out; plays
    (already loaded) names the plays a rule may name. A stage, rule, risk or play that
    is not valid is refused with file:line: 0 or ERR_INVALID. */
int forecast_load (conf_t *conf, const plays_t *plays, forecast_t *out, err_t *err);

/*  The decided deals counted at one open stage (see above), per tier column (1, 2, 3; a
    deal not tiered counts as tier 3, as in forecast_probability) and without a tier
    (history): how many, how many won, and the sum of the probability each was expected
    to have (configured prior x play factor). Zero it before use. */
typedef struct {
    double deals[3], won[3], expected[3];
    double history, history_won, history_expected;
} forecast_evidence_t;

/*  Win probability of a deal in stage of tier (0 or 3: tier 3) as configured (the prior);
    -1 if stage has none. */
double forecast_probability (const forecast_t *self, const char *stage, uint32_t tier);

/*  The index of stage in self->stages (the win_prob entries); -1 if it has none. */
int forecast_stage (const forecast_t *self, const char *stage);

/*  Count one decided deal of tier (0: tier 3), won or lost, expected to win with
    probability expected, in evidence. */
void forecast_evidence_add (forecast_evidence_t *evidence, uint32_t tier, bool won,
                            double expected);

/*  Count one history record (no tier) in evidence, as forecast_evidence_add. */
void forecast_evidence_add_history (forecast_evidence_t *evidence, bool won, double expected);

/*  learned / configured win probability of tier (0: tier 3) at a stage with evidence
    (see above); 1 without evidence. */
double forecast_stage_ratio (const forecast_t *self, const forecast_evidence_t *evidence,
                             uint32_t tier);

/*  The factor updating play's stage x tier priors from won and lost deals (see above);
 *posterior the play's updated win rate. 1 (no change) without a play or a prior. */
double forecast_play_factor (const forecast_t *self, const plays_play_t *play, size_t won,
                             size_t lost, double *posterior);

/*  "commit", "best case" or "pipeline". */
const char *forecast_category (const forecast_t *self, double p);

/*  Expected close day (see above); play NULL: today. */
int32_t forecast_close (const plays_play_t *play, int32_t opened, int32_t today);

/*  Add a won deal / an open deal of amount with probability p to sum. */
void forecast_add_won (forecast_sum_t *sum, double amount);
void forecast_add_open (const forecast_t *self, forecast_sum_t *sum, double amount, double p);

/*  The acceleration text of the first rule matching play (a type, NULL: none) and
    risk (a FORECAST_* reason), borrowed from self; NULL when no rule matches. */
const char *forecast_acceleration (const forecast_t *self, const char *play, int risk);

/*  Set p10 and p90 of sum (see above). */
void forecast_band (forecast_sum_t *sum);

#endif
