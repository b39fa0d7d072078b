/*  results.h: the week-11 campaign results (issue 5 item 6; seed "Success Metrics").

    Over every opportunity of the portfolio (plain results_deal_t records):
      arr_won           sum of the won amounts
      deals won / lost  opportunities closed-won / closed-lost
      conversion        qualified to closed-won: won qualified / qualified, overall and
                        by tier (1-3), type and segment (the account's)
      avg_deal          arr_won / deals won
      avg_cycle_days    mean of closed - opened over won deals with both dates
      vs_target         arr_won / targets.arr_goal (0 when no goal)
      roi               arr_won / targets.investment (0 when no investment)
      cac_pct           100 x investment / arr_won (0 when nothing won)
      nrr_impact_pct    100 x arr_won / portfolio ARR: the points the campaign adds to
                        net revenue retention (NRR = (starting ARR + expansion -
                        contraction - churn) / starting ARR; the campaign moves only the
                        expansion term)
    Win/loss per group (tier, type, segment), over every closed deal, qualified or not:
      deals_won, deals_lost, win_rate = won / (won + lost) (0 when nothing closed),
      avg_won = the group's won ARR / deals_won, and the loss reasons (the Opportunity's
      reason of each closed-lost deal, compared without case; none: "unknown"), most
      frequent first, ties in the order first seen; past RESULTS_REASONS distinct
      reasons the rest count as "other". How many to report is the caller's
      (identifier.results.top_reasons).
*/
#ifndef CAMPAIGN_RESULTS_H
#define CAMPAIGN_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESULTS_GROUPS  8
#define RESULTS_REASONS 8
#define RESULTS_REASON  64 /* longer reasons are cut */

typedef struct {
    const char *type;
    const char *segment; /* NULL: unknown */
    uint32_t tier;       /* 0: not tiered */
    bool qualified;
    bool won;
    bool lost;
    double amount;  /* won deals */
    int32_t opened; /* campaign days; 0: unknown */
    int32_t closed;
    const char *reason; /* closed-lost deals: why; NULL: unknown */
} results_deal_t;

typedef struct {
    char text[RESULTS_REASON];
    size_t count;
} results_reason_t;

typedef struct {
    char key[32];
    size_t qualified;
    size_t won; /* of the qualified */
    double arr; /* won ARR, qualified or not */
    double conversion;
    size_t deals_won, deals_lost; /* win/loss, qualified or not */
    double win_rate;
    double avg_won;
    results_reason_t reasons[RESULTS_REASONS]; /* most frequent first */
    size_t n_reasons;
} results_group_t;

typedef struct {
    double arr_won;
    size_t won, lost, open;
    size_t qualified, qualified_won;
    double conversion;
    double avg_deal;
    double avg_cycle_days;
    double portfolio_arr;
    double arr_goal, investment;
    uint32_t deals_target;
    double conversion_target;
    double vs_target;
    double roi;
    double cac_pct;
    double nrr_impact_pct;
    results_group_t tier[3];
    results_group_t type[RESULTS_GROUPS];
    size_t n_type;
    results_group_t segment[RESULTS_GROUPS];
    size_t n_segment; /* more than RESULTS_GROUPS keys: the rest count in "other" */
} results_t;

/*  Compute every figure of deals into out. */
void results_compute (const results_deal_t *deals, size_t n, double portfolio_arr,
                      double arr_goal, double investment, uint32_t deals_target,
                      double conversion_target, results_t *out);

#endif
