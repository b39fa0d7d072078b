/*  turn.h: what the broker's handlers share during one turn of its loop.

    The broker fills a turn_t at the start of each turn (wall clock, campaign date) and
    hands it to the modules that apply submissions and results (intake, pipeline,
    handoff, campaign). Everything they write goes into the turn's open store
    transaction; every event they emit is published only after it commits.
*/
#ifndef CAMPAIGN_TURN_H
#define CAMPAIGN_TURN_H

#include <czmq.h>
#include <stdint.h>

#include "calendar.h"
#include "campaign.pb-c.h"
#include "queue.h"
#include "store.h"

typedef struct _plan_t plan_t;
typedef struct _campaign_t campaign_t;
typedef struct _roles_t roles_t;

/*  Queue a status event on topic (the broker sets sequence, time, date, week). */
typedef void (turn_emit_fn) (void *arg, const char *topic, Campaign__StatusEvent *event);

typedef struct {
    store_t *store;
    queue_t *queue;
    plan_t *plan;
    calendar_t *calendar;
    campaign_t *campaign;
    zhashx_t *agent_kinds;  /* configured kinds (keys) */
    const roles_t *roles;   /* who may submit what */
    int64_t now_ms;         /* wall clock of this turn */
    int32_t today;          /* campaign date */
    const char *today_text; /* the same as YYYY-MM-DD */
    turn_emit_fn *emit;
    void *emit_arg;
} turn_t;

static inline void
turn_emit (const turn_t *turn, const char *topic, Campaign__StatusEvent *event)
{
    if (turn->emit)
        turn->emit (turn->emit_arg, topic, event);
}

#endif
