/*  synth.h: a synthetic customer portfolio with a known truth behind it (campaign-gen).

    synth writes, for N accounts and a seed, the four files of a campaign's world:
    accounts.csv, roster.csv and history.csv (SPEC section 4, loadable by records_load_*)
    and truth.csv, the ground truth the data was drawn from, plus truth.md, which records
    this run's calibrated model. The same parameters give byte-identical files: every
    account is drawn from its own xoshiro256** stream seeded (splitmix64) from the seed and
    the account's index, so accounts can be generated again in any pass without storing
    them, and nothing depends on the platform's rand().

    The portfolio (what an account looks like)
    ------------------------------------------
    segment smb / mid-market / enterprise (gen.segment_mix, 55/33/12 %); home region
    americas / emea / apac (gen.region_mix, 50/30/20 %); an industry. Two latent factors,
    both standard normal and independent, are drawn first and drive what is observed:

      engagement E: feature adoption, usage growth, seat utilisation, NPS and modules
                    owned rise with it; support tickets fall with it; champion and
                    executive sponsor are likelier with it (and with account size).
      growth G:     headcount growth, usage growth and usage against the plan limit.

    Employees are log-normal by segment (smb ~60, mid-market ~600, enterprise ~5,000);
    seats purchased are a segment-typical share of them (employees > seats always);
    seats active = purchased x utilisation (which may exceed 1 a little: over-deployment).
    Tier is drawn per segment (smb mostly starter, enterprise mostly enterprise and
    enterprise-plus). Modules: core always, then analytics, workflow, automation,
    security, integrations, each likelier with engagement and tier and when an adjacent
    module is owned (adjacency: core-analytics, core-workflow, analytics-integrations,
    workflow-automation, workflow-integrations, automation-security,
    integrations-security). ARR = tier price per seat (gen.tier_prices) x seats x (1 +
    uplifts of the modules owned, gen.module_uplift) x a volume discount 1 / (1 +
    gen.volume_discount x log2(seats / 25)) x +-5 % negotiation, whole dollars.
    usage_limit_pct is usage against the plan's limit: high for lower tiers, engaged and
    growing accounts (above 100 = over the limit). Other regions are present more often
    for larger accounts; each present region is licensed or not (the geo whitespace).
    gen.stakeholder_change_share (12.5 %, a little more among disengaged accounts) had a
    key stakeholder change 1..365 days ago. Renewal dates are uniform over the 365 days
    from the start date; the contract started on the renewal's anniversary 2..5 years
    earlier (so 1..5 years before the start).

    Roster: per region one CSM per gen.accounts_per_csm (50) accounts expected there, one
    AE per gen.csms_per_ae (5) CSMs (at least one per region), LEAD-01..02, MKT-01..02,
    PRD-01..02, OPS-01. Accounts of a region go round-robin to its CSMs.

    The truth (what would happen)
    -----------------------------
    Features x, each standardised to z = (x - mean) / sd over the population:
      utilisation     seats_active / seats_purchased
      penetration     seats_purchased / employees
      headcount       employee_growth_pct
      adoption        feature_adoption_pct
      usage_growth    usage_growth_pct
      usage_limit     usage_limit_pct
      nps             nps
      detractor       1 if nps < 0
      support         log (1 + support_tickets_90d)
      modules         modules owned, core included
      adjacent        modules not owned but adjacent to one owned
      geo_gap         regions present but not licensed
      champion, sponsor  1 if yes
      stakeholder     exp (-days / 180) after a stakeholder change, else 0

    For play X in seat, tier, cross-sell, geo the probability that the account expands by
    X if worked in a campaign is

        p_X = logistic (a_X + s * sum_k w_Xk z_k)

    and 0 where the play is impossible (tier: already enterprise-plus; cross-sell: owns
    every module; geo: no region present but unlicensed). The relative weights w (also
    printed, times s, in truth.md):

      seat        utilisation +1.0, headcount +0.8, penetration -0.6, adoption +0.3,
                  champion +0.3, nps +0.2, stakeholder -0.4
      tier        usage_limit +1.0, adoption +0.7, usage_growth +0.4, sponsor +0.3,
                  nps +0.2, stakeholder -0.3
      cross-sell  adoption +0.5, nps +0.5, adjacent +0.5, modules -0.6, support -0.4,
                  champion +0.3, stakeholder -0.3
      geo         geo_gap +1.0, headcount +0.4, sponsor +0.4, adoption +0.3, nps +0.2
      churn       adoption -0.7, usage_growth -0.5, utilisation -0.5, detractor +0.6,
                  support +0.5, stakeholder +0.6, champion -0.3, sponsor -0.3

    Calibration, by bisection on (a sample of up to gen.calibration_sample accounts of)
    the generated population:
    - a_X so that the mean p_X over the play's targeted high-propensity accounts (the
      top gen.high_propensity_share, 10 %, of the accounts the play is possible for,
      ranked by its score) is the play's win rate: the middle of plays.[].win_rate in
      the configuration (seat 0.60-0.70, tier 0.45-0.55, cross-sell 0.35-0.45; geo, not
      in the seed, gen.geo_win_rate 0.35-0.45);
    - one sharpness s shared by the four plays (with every a_X re-calibrated for each
      trial s) so that a portfolio of 1,500 accounts holds gen.opportunities_per_1500
      (125) opportunities in the target segment (gen.target_segment, mid-market, the
      seed's "healthy mid-market"): an opportunity is an (account, play) pair with
      p_X >= gen.opportunity_probability (0.30, the seed's medium propensity);
    - p_churn = logistic (a_churn + sum_k w_churn,k z_k), the probability of churning at
      the next renewal, with a_churn so that its mean is gen.churn_rate (0.10).
    p_expand = 1 - prod (1 - p_X) treats the plays as independent. Probabilities are
    written with 6 decimals, kept within [1e-6, 1 - 1e-6] where the play is possible;
    the written value is the one history is drawn from.

    truth.csv: account_id, segment, engagement, growth, p_seat, p_tier, p_cross_sell,
    p_geo, p_expand, p_churn, arr_seat, arr_tier, arr_cross_sell, arr_geo (the ARR a won
    deal of that play adds: seat, about 10-50 % more seats with headcount growth; tier,
    gen.tier_upgrade_share of the contract moved to the next tier's price; cross-sell,
    the next module's uplift; geo, a quarter of the seats again in the next unlicensed
    region), next_module, next_region.

    History: --history-campaigns past campaigns, every gen.history_spacing_days (182:
    bi-annual, labelled 2026-H1; under 120 days apart they are labelled 2026-Q2, and
    2026-04 where two would share a label) before the start. In each, an account that was
   already a customer had an opportunity with probability gen.history_share x p_expand / mean
   p_expand (capped at 0.95), of play X with probability proportional to p_X; it opened in weeks
   2-4 of that campaign and closed after the play's cycle (seat 30-45 days, tier 60-90,
   cross-sell 60-120, geo 60-120; lost deals end after 40-100 % of it), won with probability p_X
   (features are taken as stationary), arr_delta the play's ARR +-20 % (rounded to $10) if won,
   0 if lost. Closing dates never reach the next campaign or the start date.
*/
#ifndef CAMPAIGN_SYNTH_H
#define CAMPAIGN_SYNTH_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

/*  The plays, in the order of the truth's columns. */
typedef enum {
    SYNTH_SEAT = 0,
    SYNTH_TIER,
    SYNTH_CROSS_SELL,
    SYNTH_GEO,
    SYNTH_PLAYS
} synth_play_t;

#define SYNTH_SEGMENTS 3
#define SYNTH_REGIONS  3
#define SYNTH_TIERS    4
#define SYNTH_MODULES  6 /* core and five add-on modules */

/*  Everything a run depends on. synth_params_default fills the defaults documented
    above; synth_params_load overrides them from configuration. */
typedef struct {
    uint64_t accounts;     /* N, at least 1 */
    uint64_t seed;         /* any value */
    int history_campaigns; /* past campaigns in history.csv, 0.. */
    int32_t start_day;     /* campaign start, days since 1970-01-01 */

    double segment_mix[SYNTH_SEGMENTS];  /* smb, mid-market, enterprise; normalised */
    double region_mix[SYNTH_REGIONS];    /* americas, emea, apac; normalised */
    double tier_prices[SYNTH_TIERS];     /* USD per seat per year, ascending */
    double module_uplift[SYNTH_MODULES]; /* ARR uplift per module; [0] (core) is 0 */
    double volume_discount;              /* slope of the volume discount per doubling */
    double tier_upgrade_share;           /* share of a contract a tier upgrade moves */
    double stakeholder_change_share;     /* accounts with a change in the last year */
    double accounts_per_csm;
    double csms_per_ae;

    double win_rate[SYNTH_PLAYS];   /* targeted high-propensity accounts' mean p */
    int cycle_days[SYNTH_PLAYS][2]; /* days from opened to closed, won deals */
    double high_propensity_share;   /* top share of the possible accounts, per play */
    int target_segment;             /* index into records_segments */
    double opportunities_per_1500;  /* in the target segment */
    double opportunity_probability; /* p_X at which a pair counts as an opportunity */
    double churn_rate;              /* mean p_churn */
    double history_share;           /* accounts with an opportunity per past campaign */
    int history_spacing_days;       /* between past campaigns */
    uint64_t calibration_sample;    /* accounts the calibration looks at, at most */
} synth_params_t;

/*  What the calibration reached (on its sample), for reports and truth.md. */
typedef struct {
    double sharpness;                   /* s */
    double intercept[SYNTH_PLAYS + 1];  /* a_X, then a_churn */
    double targeted_rate[SYNTH_PLAYS];  /* mean p_X of the targeted accounts */
    double mean_rate[SYNTH_PLAYS];      /* mean p_X over every account */
    double possible_share[SYNTH_PLAYS]; /* accounts the play is possible for */
    double opportunities[SYNTH_PLAYS];  /* per 1,500 accounts, in the target segment */
    double opportunities_total;         /* their sum */
    double expand_rate;                 /* mean p_expand */
    double churn_rate;                  /* mean p_churn */
    uint64_t sample;                    /* accounts calibrated on */
} synth_rates_t;

/*  What was written. */
typedef struct {
    uint64_t accounts;
    uint64_t people;
    uint64_t history_records;
} synth_counts_t;

typedef struct _synth_t synth_t;

/*  The defaults; accounts, seed and start_day are left 0 for the caller to set. */
void synth_params_default (synth_params_t *params);

/*  Override params from the optional gen.* settings, the plays' win_rate ranges and
    (unless start_day is already set) campaign.start_date. ERR_INVALID with err naming
    the setting and its file:line when a value is of the wrong type or out of range. */
int synth_params_load (synth_params_t *params, conf_t *conf, err_t *err);

/*  A generator for params (copied). NULL if out of memory. */
synth_t *synth_new (const synth_params_t *params);
void synth_destroy (synth_t **self_p);

/*  Fit the intercepts and the sharpness (done by synth_write if not yet done). 0,
    ERR_NOMEM. */
int synth_calibrate (synth_t *self, err_t *err);

/*  The calibrated rates; NULL before synth_calibrate. Owned by self. */
const synth_rates_t *synth_rates (synth_t *self);

/*  Write accounts.csv, roster.csv, history.csv, truth.csv and truth.md into dir (created
    if missing, its parent must exist). Each file is written under a temporary name and
    renamed when complete, so a failed run leaves no partial file of that name. counts
    may be NULL. 0, ERR_IO or ERR_NOMEM with err naming the file. */
int synth_write (synth_t *self, const char *dir, synth_counts_t *counts, err_t *err);

#endif
