/*  calendar.c: campaign dates and the campaign clock (see calendar.h).

    Dates are converted with Howard Hinnant's days_from_civil / civil_from_days, which
    are exact for the proleptic Gregorian calendar and need neither the TZ environment
    nor timegm: the local date of the calendar clock is UTC shifted by a fixed number of
    minutes. A calendar_t owns its settings and, in simulated mode, the stored today and
    the wall time (anchor) from which seconds_per_week drift is counted. The anchor is
    set by calendar_restore and calendar_advance, or else by the first calendar_today,
    so a simulated clock starts drifting when it is first read.
*/
#include "calendar.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_DAY   86400000LL
#define DAY_FIRST    (-719528) /* 0000-01-01 */
#define DAY_LAST_MAX 2932896   /* 9999-12-31 */
/*  More weeks of drift than any campaign lasts, small enough to add without overflow. */
#define DRIFT_WEEKS_MAX 100000.0

struct _calendar_t {
    int32_t start;
    int weeks;
    calendar_mode_t mode;
    int utc_offset_minutes;
    double seconds_per_week; /* simulated: 0 moves only by advance */
    int32_t today;           /* simulated: today as of the anchor */
    int64_t anchor_ms;       /* simulated: wall time the drift counts from */
    bool anchored;
};

static int64_t
s_days_from_civil (int64_t year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t year_of_era = year - era * 400;
    int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static void
s_civil_from_days (int64_t days, int64_t *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t day_of_era = days - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153; /* month counted from March */
    *day = (int)(day_of_year - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = year_of_era + era * 400 + (*month <= 2);
}

static bool
s_leap_year (int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
s_month_days (int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && s_leap_year (year) ? 29 : days[month - 1];
}

/*  Read exactly `width` decimal digits. */
static bool
s_digits (const char *text, int width, int *value)
{
    int result = 0;
    for (int i = 0; i < width; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        result = result * 10 + (text[i] - '0');
    }
    *value = result;
    return true;
}

static void
s_put_digits (char *out, int value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

int
date_parse (const char *text, int32_t *day)
{
    if (!text || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
        return ERR_INVALID;
    int year, month, mday;
    if (!s_digits (text, 4, &year) || !s_digits (text + 5, 2, &month) ||
        !s_digits (text + 8, 2, &mday))
        return ERR_INVALID;
    if (year < 1900 || month < 1 || month > 12 || mday < 1 || mday > s_month_days (year, month))
        return ERR_INVALID;
    *day = (int32_t)s_days_from_civil (year, month, mday);
    return 0;
}

char *
date_format (int32_t day, char *buf)
{
    assert (buf);
    /*  Only years 0..9999 fit the text; days outside are written as the nearest end. */
    int64_t clamped = day < DAY_FIRST ? DAY_FIRST : day > DAY_LAST_MAX ? DAY_LAST_MAX : day;
    int64_t year;
    int month, mday;
    s_civil_from_days (clamped, &year, &month, &mday);
    s_put_digits (buf, (int)year, 4);
    buf[4] = '-';
    s_put_digits (buf + 5, month, 2);
    buf[7] = '-';
    s_put_digits (buf + 8, mday, 2);
    buf[10] = '\0';
    return buf;
}

int
calendar_mode_parse (const char *text, calendar_mode_t *mode)
{
    if (text && strcmp (text, "calendar") == 0)
        *mode = CALENDAR_REAL;
    else if (text && strcmp (text, "simulated") == 0)
        *mode = CALENDAR_SIMULATED;
    else
        return ERR_INVALID;
    return 0;
}

const char *
calendar_mode_name (calendar_mode_t mode)
{
    return mode == CALENDAR_SIMULATED ? "simulated" : "calendar";
}

calendar_t *
calendar_new (int32_t start_day, int weeks, calendar_mode_t mode)
{
    if (weeks < 1 || (mode != CALENDAR_REAL && mode != CALENDAR_SIMULATED))
        return NULL;
    calendar_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->start = start_day;
    self->weeks = weeks;
    self->mode = mode;
    self->today = start_day;
    return self;
}

void
calendar_destroy (calendar_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

void
calendar_set_utc_offset (calendar_t *self, int minutes)
{
    assert (self);
    self->utc_offset_minutes = minutes;
}

void
calendar_set_seconds_per_week (calendar_t *self, double seconds)
{
    assert (self);
    /*  Negative or NaN would make weeks run backwards or never end: treat as off. */
    self->seconds_per_week = seconds > 0 ? seconds : 0;
}

calendar_mode_t
calendar_mode (calendar_t *self)
{
    assert (self);
    return self->mode;
}

int32_t
calendar_start (calendar_t *self)
{
    assert (self);
    return self->start;
}

int
calendar_weeks (calendar_t *self)
{
    assert (self);
    return self->weeks;
}

static int64_t
s_floor_div (int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/*  Days the simulated clock has drifted since the anchor, in whole weeks: each
    seconds_per_week moves today by seven days at once, as an advance of a week would. */
static int64_t
s_drift_days (calendar_t *self, int64_t now_ms)
{
    if (self->seconds_per_week <= 0 || now_ms <= self->anchor_ms)
        return 0;
    double weeks = (double)(now_ms - self->anchor_ms) / (self->seconds_per_week * 1000.0);
    if (weeks > DRIFT_WEEKS_MAX)
        weeks = DRIFT_WEEKS_MAX;
    return (int64_t)weeks * 7;
}

static int32_t
s_clamp_day (int64_t day)
{
    if (day > DAY_LAST_MAX)
        return DAY_LAST_MAX;
    if (day < INT32_MIN)
        return INT32_MIN;
    return (int32_t)day;
}

int32_t
calendar_today (calendar_t *self, int64_t now_ms)
{
    assert (self);
    if (self->mode == CALENDAR_REAL) {
        int64_t local_ms = now_ms + (int64_t)self->utc_offset_minutes * 60000;
        return s_clamp_day (s_floor_div (local_ms, MS_PER_DAY));
    }
    if (!self->anchored) {
        self->anchor_ms = now_ms;
        self->anchored = true;
    }
    return s_clamp_day ((int64_t)self->today + s_drift_days (self, now_ms));
}

int
calendar_restore (calendar_t *self, int32_t today, int64_t now_ms)
{
    assert (self);
    if (self->mode != CALENDAR_SIMULATED)
        return ERR_STATE;
    self->today = today;
    self->anchor_ms = now_ms;
    self->anchored = true;
    return 0;
}

int
calendar_advance (calendar_t *self, int days, int64_t now_ms, err_t *err)
{
    assert (self);
    if (self->mode != CALENDAR_SIMULATED)
        return err_set (err, ERR_STATE,
                        "the campaign clock is 'calendar' and follows the wall clock; "
                        "advancing needs campaign.clock = \"simulated\"");
    if (days <= 0)
        return err_set (err, ERR_INVALID, "cannot advance by %d days: give 1 or more", days);
    /*  Whole weeks drifted so far are kept; the part of a week in progress restarts
        from now, as the contract says advance re-anchors. */
    int64_t today = (int64_t)calendar_today (self, now_ms);
    if (today + days > DAY_LAST_MAX) {
        char date[DATE_TEXT_MAX];
        return err_set (err, ERR_INVALID, "cannot advance %s by %d days: past 9999-12-31",
                        date_format ((int32_t)today, date), days);
    }
    self->today = (int32_t)(today + days);
    self->anchor_ms = now_ms;
    self->anchored = true;
    return 0;
}

int
calendar_week_of (calendar_t *self, int32_t day)
{
    assert (self);
    if (day < self->start)
        return 0;
    int64_t week = ((int64_t)day - self->start) / 7 + 1;
    return week > self->weeks ? self->weeks + 1 : (int)week;
}

int32_t
calendar_week_start (calendar_t *self, int week)
{
    assert (self);
    return s_clamp_day ((int64_t)self->start + ((int64_t)week - 1) * 7);
}

int32_t
date_days_to_next_anniversary (const char *text, int32_t today, int32_t unknown)
{
    int32_t day;
    if (!text || date_parse (text, &day))
        return unknown;
    /*  Years of 365 days: a day's drift over a few years does not matter to a renewal
        window measured in months. */
    while (day < today)
        day += 365;
    return day - today;
}
