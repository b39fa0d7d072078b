/*  lookup.h: a task's accounts and health scores by account id.

    A TaskInput carries its batch's accounts and their latest health in the broker's
    order; an agent that joins them with opportunities, notes or history looks accounts
    up by id many times. lookup_new sorts pointers to them once (n log n), so every lookup
    is a binary search instead of a scan: a scan per item made a 100,000-account task
    quadratic. The records stay the input's: the lookup borrows them and must not outlive
    it.
*/
#ifndef CAMPAIGN_LOOKUP_H
#define CAMPAIGN_LOOKUP_H

#include "campaign.pb-c.h"

typedef struct _lookup_t lookup_t;

/*  The lookup of input's accounts and health; NULL on allocation failure. */
lookup_t *lookup_new (const Campaign__TaskInput *input);
void lookup_destroy (lookup_t **self_p);

/*  The account / latest health of account_id, or NULL (none, or id NULL). */
const Campaign__Account *lookup_account (const lookup_t *self, const char *account_id);
const Campaign__AccountHealth *lookup_health (const lookup_t *self, const char *account_id);

#endif
