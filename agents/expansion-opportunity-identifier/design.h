/*  design.h: the week-2 campaign design (issue 5 item 2): each play laid out on the
    campaign calendar, the ROI-calculator inputs of each opportunity, and suggested
    conversion targets.

    Calendar: a play starts on the first day of identifier.design.start_week (the first
    selling week, 3) and its steps (plays.h) follow one another, each taking its days.

    ROI inputs of one opportunity (the business case), from the account's record:
      price_per_seat        ARR / seats purchased (what a seat is worth today)
      seat                  added_seats = potential / price_per_seat; value per added
                            seat = price_per_seat
      tier                  next_tier_value = potential (the yearly uplift of the next
                            plan), next_tier_per_seat = potential / seats purchased
      cross-sell and geo    pilot_seats = max (pilot_min_seats, pilot_share x active
                            seats), never above the seats purchased; pilot_days = the
                            days of the play's step whose touchpoint is "pilot"

    Conversion target per type: the history's win rate of the type when history exists
    (TaskInput carries none today), otherwise the middle of the play's configured
    win_rate; design_target says which it used.
*/
#ifndef CAMPAIGN_DESIGN_H
#define CAMPAIGN_DESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"
#include "plays.h"

typedef struct {
    int start_week;      /* identifier.design.start_week (default 3) */
    double pilot_share;  /* identifier.design.pilot_share (default 0.1) */
    int pilot_min_seats; /* identifier.design.pilot_min_seats (default 10) */
} design_t;

typedef struct {
    int32_t start; /* campaign days */
    int32_t end;   /* last day of the step */
} design_slot_t;

typedef struct {
    double price_per_seat;
    double added_seats;
    double value_per_added_seat;
    double next_tier_value;
    double next_tier_per_seat;
    double pilot_seats;
    int pilot_days;
} design_roi_t;

typedef struct {
    double conversion;  /* 0..1 */
    const char *source; /* static text: where the figure comes from */
} design_target_t;

/*  Read identifier.design.* into out. ERR_INVALID with file:line when out of range. */
int design_load (conf_t *conf, design_t *out, err_t *err);

/*  The first day of the selling weeks, given the campaign's start day. */
int32_t design_start (const design_t *self, int32_t campaign_start);

/*  Lay play's steps out from day start: slots[i] for step i (caller gives n_steps). */
void design_schedule (const plays_play_t *play, int32_t start, design_slot_t *slots);

/*  ROI inputs of an opportunity of type with potential ARR on account. play may be NULL
    (no pilot days then). */
void design_roi (const design_t *self, const plays_play_t *play,
                 const Campaign__Account *account, const char *type, double potential,
                 design_roi_t *out);

/*  Suggested conversion target: history_rate when history_deals > 0, else the middle of
    the play's win_rate. */
void design_target (const plays_play_t *play, size_t history_deals, double history_rate,
                    design_target_t *out);

#endif
