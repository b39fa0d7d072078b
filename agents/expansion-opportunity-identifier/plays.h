/*  plays.h: the campaign's plays as data (seed "Weeks 5-7" and "Campaign Variations"),
    shared by the week-2 design, the weeks 5-7 monitoring and the weeks 8-10 forecast.

    One entry of the top-level `plays` list per opportunity type:
      type          seat | tier | cross-sell | geo
      cycle_days    [fastest, slowest] days from opened to close
      win_rate      [low, high] historical win rate (the prior of a conversion target)
      steps         ( { name; touchpoint; days; }, ... ) the play in order; days > 0
      stall_days    { <stage> = days; ... } optional: this play's limit per stage,
                    overriding identifier.monitor.stall_days
    A type without an entry has no play: design and forecast report it, never guess.
    campaign-gen reads type, cycle_days and win_rate from the same entries.
*/
#ifndef CAMPAIGN_PLAYS_H
#define CAMPAIGN_PLAYS_H

#include <stddef.h>

#include "conf.h"
#include "err.h"

#define PLAYS_MAX      8
#define PLAYS_STEPS    12
#define PLAYS_STAGES   16
#define PLAYS_NAME_MAX 96

typedef struct {
    char name[PLAYS_NAME_MAX];
    char touchpoint[PLAYS_NAME_MAX];
    int days;
} plays_step_t;

typedef struct {
    char stage[32];
    int days;
} plays_limit_t;

typedef struct {
    char type[32];
    int cycle_days[2];
    double win_rate[2];
    plays_step_t steps[PLAYS_STEPS];
    size_t n_steps;
    plays_limit_t stall[PLAYS_STAGES];
    size_t n_stall;
} plays_play_t;

typedef struct {
    plays_play_t play[PLAYS_MAX];
    size_t n_play;
} plays_t;

/*  Read the `plays` list into out (caller's storage). ERR_INVALID with file:line for a
    missing type, a bad range, a step without name or days, a duplicate type. */
int plays_load (conf_t *conf, plays_t *out, err_t *err);

/*  The play of an opportunity type, or NULL. Borrowed from self. */
const plays_play_t *plays_find (const plays_t *self, const char *type);

/*  Days of the whole play (sum of its steps). */
int plays_days (const plays_play_t *play);

/*  Middle of the play's cycle in days ((fastest + slowest) / 2, rounded down). */
int plays_cycle_mid (const plays_play_t *play);

/*  The play's stall limit for stage, or -1 when the play sets none. */
int plays_stall_limit (const plays_play_t *play, const char *stage);

#endif
