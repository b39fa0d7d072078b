/*  intake.h: what the broker does with each kind of submission (SPEC section 8).

    One handler per submission kind, each named after it: it checks that the submission
    is well formed and refers to things that exist, and applies it to the store inside
    the caller's transaction, or changes nothing and says why. Acceptance by campaign
    week (windows, gates) belongs to the campaign engine; here a submission is accepted
    when it is well formed.
*/
#ifndef CAMPAIGN_INTAKE_H
#define CAMPAIGN_INTAKE_H

#include <czmq.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "campaign.pb-c.h"
#include "err.h"
#include "queue.h"
#include "store.h"

typedef struct {
    store_t *store;
    queue_t *queue;
    calendar_t *calendar;
    zhashx_t *agent_kinds;     /* configured kinds (key only) */
    const char *const *stages; /* pipeline stage names, NULL-terminated */
    int64_t now_ms;            /* wall clock of this turn */
    const char *today;         /* campaign date, YYYY-MM-DD */
} intake_t;

/*  Apply one submission. On success detail (detail_size bytes) says what happened in a
    line ("1500 accounts imported"). On failure err says what and where; codes:
    ERR_INVALID (bad value), ERR_NOTFOUND (unknown account, handoff...), ERR_STATE (not
    possible now, e.g. advance on the calendar clock), ERR_STORAGE. */
int intake_submission (intake_t *ctx, const Campaign__Submission *submission, char *detail,
                       size_t detail_size, err_t *err);

/*  The default pipeline stages (SPEC section 5). */
extern const char *const intake_default_stages[];

#endif
