/*  handoff.h: the seed's "Key Handoffs": CS to Sales, Marketing and Product.

    Rules (thresholds from the plan's handoffs settings):
    - sales: a qualified opportunity above handoffs.sales.arr_over, or marked complex,
      gets an AE (same region first, then the least loaded) and the credit split;
    - marketing: a won deal becomes a case-study candidate; an account with an
      opportunity in the nurture tier (Tier 3) goes to nurture, once;
    - product: every feature request in a discovery note.
    Each is a durable record (one per team, kind, subject and detail), published on
    handoff.<team>, acknowledged by a person of that team (or leadership).
*/
#ifndef CAMPAIGN_HANDOFF_H
#define CAMPAIGN_HANDOFF_H

#include "campaign.pb-c.h"
#include "err.h"
#include "turn.h"

/*  After an opportunity was created or re-scored; may set opportunity->ae (malloc'd,
    owned by the caller's message). */
int handoff_after_opportunity (const turn_t *turn, Campaign__Opportunity *opportunity,
                               err_t *err);
int handoff_after_win (const turn_t *turn, const Campaign__Opportunity *opportunity,
                       err_t *err);
int handoff_after_note (const turn_t *turn, const Campaign__Note *note, err_t *err);

/*  person acknowledges handoff id. ERR_NOTFOUND, ERR_STATE (already acknowledged), or
    ERR_INVALID when person's role is not the team's. */
int handoff_ack (const turn_t *turn, const char *id, const char *person, char *detail,
                 size_t detail_size, err_t *err);

#endif
