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
       What counts as having reached s (forecast_reached, forecast_evidence_*, filled by
       weeks.c):
       - This campaign's closed deals. The broker records the stage a deal closed from
         (Opportunity.closed_from, set by the outcome). A closed deal is evidence at every
         open stage from its entry stage through closed_from, in pipeline.stages order: a
         won deal passed each of them and won; a lost deal reached each of them and failed
         after the last, a loss for every one (win_prob[s] is the win rate of the deals
         that reached s, whatever happened after). The entry stage is "qualified" for a
         qualified deal, "identified" otherwise: leaving "identified" is the
         qualification, a selection; the deals still identified are the ones not
         selected (nurture, never worked), and the selected deals' win rate says nothing
         about them, so a qualified deal is not evidence at "identified". The stages
         count in the pipeline's linear order, as the monitoring's funnel does (monitor.h):
         the evaluation stages demo, trial and pilot are alternatives in practice (one
         per play), so a deal that went through "trial" counts at "demo" too; the
         opportunity keeps no stage history to say which it took.
         Older stores (no closed_from, or one without a win_prob entry): the furthest
         stage known is the entry stage, and the deal is evidence there only; every
         stage after "qualified" keeps its prior for such deals (a won deal passed every
         stage, but a lost one may have stopped anywhere: counting only the won ones
         there would be biased up).
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
    Timing (forecast_decided_by, forecast_close). When a deal is decided (won or lost)
    is independent of whether it wins. A play's cycle_days = [fastest, slowest] says when
    its deals are decided, counted from the day the opportunity opened; the model reads
    it as: a share 1 - slip_share of deals decide uniformly between fastest and
    slowest, the rest (slip_share) are still undecided at slowest and from then on decide
    at a constant rate, on average slip_mean x the play's middle cycle ((fastest +
    slowest) / 2) later. So the probability that a deal is undecided at age x days is
      S(x) = 1                                                      x < fastest
             1 - (1 - slip_share) (x - fastest) / (slowest - fastest)  x < slowest
             slip_share exp (-(x - slowest) / (slip_mean x middle))     x >= slowest
    and a deal still open at age a (today - opened) is decided within the next d days
    with probability q = 1 - S(a + d) / S(a). Past the slowest cycle this is 1 -
    exp (-d / (slip_mean x middle)), whatever the age: a slipped deal is no closer to a
    decision for being later, which discounts it against one still inside its cycle.
    identifier.forecast.slip_share and slip_mean are planning assumptions (config/
    campaign.cfg); a deal of a type without a play has no cycle to weigh and keeps q = 1.
    Expected close (forecast_close): the median of the same model, the first day by
    which the deal is as likely decided as not (S(x) <= S(a) / 2), never before today;
    a deal without a play: today. A late deal is no longer "expected now".

    Campaign forecast: the won deals' amounts (certain) + sum over open deals of amount x
    p: every open deal whenever it closes (forecast.expected_arr, with its band
    forecast.p10 / p90), nurture included. Within the campaign (forecast.
    expected_in_campaign, band forecast.in_campaign_p10 / p90): the won ARR + sum over
    the worked open deals of amount x p x q, d being the selling days left from today
    through the last day of the selling window (identifier.assignment.last_week, at most
    the campaign's last day; 0 once it is over, when only the won ARR is left): the seed
    sells in weeks 3-10, weeks 11-12 are wrap-up. Nurture, a deal nobody works (not
    qualified and not moved past "qualified": the complement of the worked deals of the
    at-risk list below), is left out of it and reported alone (forecast.nurture_deals,
    nurture_expected), still part of expected_arr.
    Open deals are independent Bernoulli trials, so the variance is sum amount^2 x p x
    (1 - p), with p x q in place of p within the campaign; the band is the normal
    approximation mean -/+ 1.2816 sd (the 10th and 90th percentiles of a normal),
    clamped to what can happen: at least the won ARR, at most the won ARR + every open
    amount counted. With few deals the normal is rough; it is the documented
    approximation of issue 5 item 5.

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
    int rank[PLAYS_STAGES]; /* each stage's place in pipeline.stages, -1 if none */
    double prior_weight;    /* pseudo-deals behind each prior */
    double slip_share;      /* deals still undecided at their play's slowest cycle */
    double slip_mean;       /* their mean time to a decision, in middle cycles */
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

/*  The win_prob stages a closed deal is evidence at (see above): from its entry stage
    ("qualified" if qualified, else "identified") through closed_from in pipeline order;
    without closed_from (NULL, "", or a stage without a win_prob entry) the entry stage
    alone. Writes their indices in self->stages to out; returns how many (0 when the
    entry stage has no win_prob entry and closed_from is unknown). */
size_t forecast_reached (const forecast_t *self, bool qualified, const char *closed_from,
                         size_t out[PLAYS_STAGES]);

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

/*  The probability that a deal of play opened on day opened, still open on day today,
    is decided by day by, both included (q above); 0 when by is before today, 1 without
    a play. */
double forecast_decided_by (const forecast_t *self, const plays_play_t *play, int32_t opened,
                            int32_t today, int32_t by);

/*  Expected close day (the median above), never before today; play NULL: today. */
int32_t forecast_close (const forecast_t *self, const plays_play_t *play, int32_t opened,
                        int32_t today);

/*  Add a won deal / an open deal of amount with probability p to sum. */
void forecast_add_won (forecast_sum_t *sum, double amount);
void forecast_add_open (const forecast_t *self, forecast_sum_t *sum, double amount, double p);

/*  The acceleration text of the first rule matching play (a type, NULL: none) and
    risk (a FORECAST_* reason), borrowed from self; NULL when no rule matches. */
const char *forecast_acceleration (const forecast_t *self, const char *play, int risk);

/*  Set p10 and p90 of sum (see above). */
void forecast_band (forecast_sum_t *sum);

#endif
