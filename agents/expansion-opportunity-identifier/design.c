/*  design.c: the week-2 campaign design arithmetic (design.h). */
#include "design.h"

#include <math.h>
#include <string.h>

int
design_load (conf_t *conf, design_t *out, err_t *err)
{
    int64_t week = 3, seats = 10;
    double share = 0.1;
    int rc = conf_int_range (conf, "identifier.design.start_week", 3, 1, 52, &week, err);
    if (!rc)
        rc = conf_double_range (conf, "identifier.design.pilot_share", 0.1, 0, 1, &share, err);
    if (!rc)
        rc = conf_int_range (conf, "identifier.design.pilot_min_seats", 10, 0, 1000000, &seats,
                             err);
    if (rc)
        return rc;
    out->start_week = (int)week;
    out->pilot_share = share;
    out->pilot_min_seats = (int)seats;
    return 0;
}

int32_t
design_start (const design_t *self, int32_t campaign_start)
{
    return campaign_start + 7 * (self->start_week - 1);
}

void
design_schedule (const plays_play_t *play, int32_t start, design_slot_t *slots)
{
    for (size_t i = 0; i < play->n_steps; i++) {
        slots[i].start = start;
        slots[i].end = start + play->steps[i].days - 1;
        start += play->steps[i].days;
    }
}

void
design_roi (const design_t *self, const plays_play_t *play, const Campaign__Account *account,
            const char *type, double potential, design_roi_t *out)
{
    memset (out, 0, sizeof *out);
    double seats = account->seats_purchased;
    out->price_per_seat = seats > 0 ? account->arr / seats : 0;
    if (strcmp (type, "seat") == 0) {
        out->value_per_added_seat = out->price_per_seat;
        out->added_seats =
            out->price_per_seat > 0 ? round (potential / out->price_per_seat) : 0;
    } else if (strcmp (type, "tier") == 0) {
        out->next_tier_value = potential;
        out->next_tier_per_seat = seats > 0 ? potential / seats : 0;
    } else {
        double pilot = ceil (self->pilot_share * account->seats_active);
        if (pilot < self->pilot_min_seats)
            pilot = self->pilot_min_seats;
        out->pilot_seats = pilot < seats ? pilot : seats;
        for (size_t i = 0; play && i < play->n_steps; i++)
            if (strcmp (play->steps[i].touchpoint, "pilot") == 0)
                out->pilot_days = play->steps[i].days;
    }
}

void
design_target (const plays_play_t *play, size_t history_deals, double history_rate,
               design_target_t *out)
{
    if (history_deals > 0) {
        out->conversion = history_rate;
        out->source = "history benchmark";
    } else {
        out->conversion = (play->win_rate[0] + play->win_rate[1]) / 2;
        out->source = "configured prior (plays.win_rate; the task input carries no history)";
    }
}
