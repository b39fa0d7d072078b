/*  campaign.h: the campaign engine: where the campaign is in its plan, and why.

    The engine keeps the activity the campaign is in. Each turn, campaign_step compares it
    with the activity the calendar says (the week of today) and crosses every boundary in
    between, in order: the gate of the next activity is evaluated (gate.h); if it holds,
    the campaign enters the activity (a "phase" event) and its configured tasks start;
    if not, the campaign is held there (a "gate" event naming the failing criteria) until
    the criteria are met or a person overrides the gate. Tasks whose `after` tasks are not
    all done yet start on a later turn, as soon as they are.

    Acceptance windows are judged against the activity week: the calendar week, or while
    held, the last week of the current activity, so a held campaign keeps accepting what
    its current activity accepts.

    State lives in the store (meta "campaign.activity", the gates and started tables), so
    a restart resumes exactly, in the middle of a held gate included.
*/
#ifndef CAMPAIGN_CAMPAIGN_H
#define CAMPAIGN_CAMPAIGN_H

#include <stdbool.h>

#include "campaign.pb-c.h"
#include "err.h"
#include "plan.h"
#include "turn.h"

int campaign_new (plan_t *plan, store_t *store, campaign_t **out, err_t *err);
void campaign_destroy (campaign_t **self_p);

/*  Reload the position from the store (after a rolled-back submission or commit). */
int campaign_reload (campaign_t *self, err_t *err);

/*  Cross the boundaries up to the calendar week of turn->today, start due tasks. */
int campaign_step (campaign_t *self, const turn_t *turn, err_t *err);

/*  A person overrides the gate holding the campaign: it is recorded with the criteria
    failing now, and the campaign enters the activity. ERR_STATE if nothing is held. */
int campaign_override (campaign_t *self, const turn_t *turn, const char *person,
                       const char *reason, char *detail, size_t detail_size, err_t *err);

/*  0 if a submission of kind is accepted now; ERR_STATE with a message naming the
    window, the week and the phase otherwise. */
int campaign_accepts (campaign_t *self, const turn_t *turn, const char *kind, err_t *err);

/*  Where the campaign is: the current activity (NULL before it starts), whether it is
    held, the activity week (see above). */
const plan_activity_t *campaign_activity (campaign_t *self);
bool campaign_held (campaign_t *self);
int campaign_activity_week (campaign_t *self, const turn_t *turn);

/*  The next gate's criteria, evaluated now, into snapshot (and its gate history). */
int campaign_fill_snapshot (campaign_t *self, const turn_t *turn, Campaign__Snapshot *snapshot,
                            err_t *err);

/*  Free what campaign_fill_snapshot allocated in snapshot. */
void campaign_free_snapshot (Campaign__Snapshot *snapshot);

#endif
