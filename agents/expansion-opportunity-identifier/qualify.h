/*  qualify.h: BANT qualification, rank, tiers and assignment by capacity (SPEC section
    5, issue 5 item 3).

    BANT, per opportunity, each letter 0..1 with its evidence. A discovery note's answer
    and a data signal are blended: letter = note_weight x note + (1 - note_weight) x data
    when the note answers the letter, the data signal alone otherwise.
      budget     note yes 1, no 0 (unknown: no answer); data 0.5 x [renewal within
                 renewal_window_days] + 0.5 x [ARR >= budget_arr_over]
      authority  note yes 1, no 0; data 0.5 x exec sponsor + 0.5 x champion
      need       note high 1, medium 0.6, low 0.3, none 0; data 0.5 x min (1, potential /
                 need_full_potential) + 0.5 x clamp (usage growth % / need_full_usage_growth)
      timing     note text containing a timing_soon phrase 1, a timing_later phrase 0.2,
                 other text 0.5; data 1 if the renewal is within renewal_window_days, 0.5
                 within twice that, else 0
    bant = the sum (0..4). readiness = health_weight x health part + (1 - health_weight)
    x bant / 4, the health part being score / 100 (x not_ready_factor unless
    expansion-ready), or missing_health when no score is known.
    rank = propensity / 100 x potential ARR x readiness (dollars, expected-value-like).

    At risk (health band "at-risk"): with identifier.exclude_at_risk, excluded (tier 3,
    never qualified); without, kept and only flagged. passed = bant >= threshold and not
    excluded; qualify_score sets qualified = passed, qualify_tiers caps it (below).
    complex = segment in identifier.complex.segments and potential above
    identifier.complex.potential_over.

    Tiers over one batch: the passed opportunities by rank, highest first. The first
    round (identifier.qualify.max_share x accounts in the batch) stay qualified, the
    rest are not (passed, over the cap: Tier 3, nurture); 0 means no cap. Why a cap: the
    BANT threshold alone qualified 413 of ~1,300 opportunities of the 1,500-account demo,
    while the seed plans 60-80 qualified (Tier 1 30-40) for such a portfolio: the
    campaign's hours go to the best-ranked few. Of the qualified, the first round
    (tier1_share x accounts) are Tier 1 (close now), the next round (tier2_share x
    accounts) Tier 2 (develop), everything else Tier 3 (nurture). Shares of a batch, as
    the broker sends 500 accounts at a time: the portfolio's figure is the sum over
    batches (a batch under 1 / share accounts may get none).

    Assignment (qualify_ledger_*): Tier 1 and 2 need CSM hours (identifier.assignment.
    hours per play); capacity = capacity_hours_per_week x time_share x weeks left until
    last_week. An opportunity goes to the account's CSM if the hours fit, else to the CSM
    of the account's region with the most free hours that fit, else nobody (reported by
    the caller, never dropped). A ledger sees one batch only: the broker splits the
    portfolio, and an agent cannot see the hours other batches took, so each batch may
    plan up to every CSM's whole capacity. Known limitation, documented in the report.
*/
#ifndef CAMPAIGN_QUALIFY_H
#define CAMPAIGN_QUALIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"

typedef struct _qualify_t qualify_t;

enum { QUALIFY_BUDGET, QUALIFY_AUTHORITY, QUALIFY_NEED, QUALIFY_TIMING, QUALIFY_LETTERS };

typedef struct {
    double score; /* 0..1 */
    char evidence[200];
} qualify_letter_t;

/*  What one opportunity is qualified from; health and note may be NULL. */
typedef struct {
    const Campaign__Account *account;
    const Campaign__AccountHealth *health;
    const Campaign__Note *note;
    const char *type;
    double potential_arr;
    double propensity; /* 0..100 */
} qualify_input_t;

typedef struct {
    qualify_letter_t letters[QUALIFY_LETTERS];
    double bant; /* 0..4 */
    double readiness;
    double rank;
    bool at_risk;
    bool excluded;
    bool passed;    /* BANT at the threshold, not excluded */
    bool qualified; /* passed and within the cap (qualify_tiers) */
    bool complex;
    uint32_t tier; /* set by qualify_tiers */
} qualify_result_t;

/*  Read identifier.qualify.*, identifier.tiers.*, identifier.exclude_at_risk,
    identifier.complex.*, identifier.assignment.* (defaults = config/campaign.cfg). 0, or
    ERR_INVALID (a value out of range, with file:line) or ERR_NOMEM. */
int qualify_load (conf_t *conf, qualify_t **out, err_t *err);
void qualify_destroy (qualify_t **self_p);

/*  BANT, readiness, rank, exclusion of one opportunity on campaign day today. */
void qualify_score (const qualify_t *self, const qualify_input_t *in, int32_t today,
                    qualify_result_t *out);

/*  Cap the qualified results and tier every result of a batch of `accounts` accounts
    (see above): sets tier of each, and clears qualified past the cap. */
void qualify_tiers (const qualify_t *self, qualify_result_t *results, size_t n,
                    size_t accounts);

/*  Hours one opportunity of type takes (identifier.assignment.hours). */
double qualify_hours (const qualify_t *self, const char *type);

/*  Capacity bookkeeping of one batch. */
typedef struct _qualify_ledger_t qualify_ledger_t;

/*  The CSMs of people (role "csm"), each with capacity_hours_per_week x time_share x
    weeks_left hours. people is borrowed and must outlive the ledger. NULL: no memory. */
qualify_ledger_t *qualify_ledger_new (const qualify_t *self, Campaign__Person *const *people,
                                      size_t n_people, int weeks_left);
void qualify_ledger_destroy (qualify_ledger_t **self_p);

/*  Book hours for an opportunity of the account owned by owner in region: the owner if
    the hours fit, else the CSM of region with the most free hours that fit. Returns the
    person id (borrowed from people), or NULL if nobody has the hours. */
const char *qualify_ledger_assign (qualify_ledger_t *self, const char *owner,
                                   const char *region, double hours);

/*  Free hours of person (-1 if not a CSM of the ledger). */
double qualify_ledger_free (const qualify_ledger_t *self, const char *person);

/*  Weeks of selling left on campaign week `week` (last_week - week + 1, at least 0). */
int qualify_weeks_left (const qualify_t *self, int week);

#endif
