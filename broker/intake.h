/*  intake.h: what the broker does with each kind of submission (SPEC section 8).

    One handler per submission kind, each named after it: it checks that the submission
    is well formed and refers to things that exist, and applies it to the store inside
    the caller's transaction, or changes nothing and says why. A submission is accepted
    when it is well formed, refers to what exists, and its acceptance window (campaign.h)
    is open.
*/
#ifndef CAMPAIGN_INTAKE_H
#define CAMPAIGN_INTAKE_H

#include <stddef.h>

#include "campaign.pb-c.h"
#include "err.h"
#include "turn.h"

/*  Apply one submission within turn, made by submission->person. First the person's
    role must allow it (roles.h); role (role_size bytes) receives that role, "" if
    unknown, whatever the outcome. On success detail (detail_size bytes) says what
    happened in a line ("1500 accounts imported"). On failure err says what and where;
    codes: ERR_FORBIDDEN (the person's role does not allow it), ERR_INVALID (bad value),
    ERR_NOTFOUND (unknown account, opportunity, handoff), ERR_STATE (outside its
    acceptance window, or not possible now), ERR_STORAGE. */
int intake_submission (const turn_t *turn, const Campaign__Submission *submission, char *role,
                       size_t role_size, char *detail, size_t detail_size, err_t *err);

#endif
