/*  calendar.h: campaign dates and the campaign clock.

    A date is a day number (days since 1970-01-01, proleptic Gregorian) so arithmetic is
    plain integer arithmetic; text is ISO "YYYY-MM-DD". The campaign has a start date and
    a number of weeks (12 by default); week 1 is start_date .. start_date+6.

    Two clocks (SPEC section 3):
    - calendar: today is the local date of the wall clock, where "local" is UTC shifted
      by utc_offset_minutes, so weeks change at the configured local midnight.
    - simulated: today is a stored date that moves only when calendar_advance is called
      (campaign-submit advance), or, if seconds_per_week > 0, also by one week every
      seconds_per_week of wall time since the last anchor.
    The broker persists calendar_today() so a restart does not move the date.
*/
#ifndef CAMPAIGN_CALENDAR_H
#define CAMPAIGN_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define DATE_TEXT_MAX 11 /* "YYYY-MM-DD" + NUL */

/*  Parse strictly "YYYY-MM-DD" (a real calendar date, year 1900..9999). 0 or
    ERR_INVALID. */
int date_parse (const char *text, int32_t *day);

/*  Days from today until the next yearly recurrence of the date text (a renewal date:
    one in the past has renewed, so its next anniversary counts); `unknown` when the text
    is missing or not a date. */
int32_t date_days_to_next_anniversary (const char *text, int32_t today, int32_t unknown);

/*  Write "YYYY-MM-DD" into buf (at least DATE_TEXT_MAX bytes); returns buf. */
char *date_format (int32_t day, char *buf);

typedef enum { CALENDAR_REAL = 0, CALENDAR_SIMULATED = 1 } calendar_mode_t;

/*  Parse "calendar" or "simulated". */
int calendar_mode_parse (const char *text, calendar_mode_t *mode);
const char *calendar_mode_name (calendar_mode_t mode);

typedef struct _calendar_t calendar_t;

/*  A clock for a campaign starting on start_day lasting weeks weeks. For the simulated
    mode the initial date is start_day. */
calendar_t *calendar_new (int32_t start_day, int weeks, calendar_mode_t mode);
void calendar_destroy (calendar_t **self_p);

void calendar_set_utc_offset (calendar_t *self, int minutes);
/*  Simulated mode: make a week pass every `seconds` of wall time (0: only by advance). */
void calendar_set_seconds_per_week (calendar_t *self, double seconds);

calendar_mode_t calendar_mode (calendar_t *self);
int32_t calendar_start (calendar_t *self);
int calendar_weeks (calendar_t *self);

/*  Today for the campaign, given the wall clock now_ms (Unix ms). */
int32_t calendar_today (calendar_t *self, int64_t now_ms);

/*  Simulated mode only: set today (restoring persisted state) or move it forward by
    days (> 0). now_ms re-anchors the seconds_per_week drift. ERR_STATE in calendar mode,
    ERR_INVALID for days <= 0. */
int calendar_restore (calendar_t *self, int32_t today, int64_t now_ms);
int calendar_advance (calendar_t *self, int days, int64_t now_ms, err_t *err);

/*  The campaign week of a day: 0 before the start, 1..weeks during, weeks+1 after. */
int calendar_week_of (calendar_t *self, int32_t day);

/*  First day of week w (1-based). */
int32_t calendar_week_start (calendar_t *self, int week);

#endif
