/*  calendar_test.c: date text, day arithmetic and both campaign clocks. */
#include "calendar.h"

#include <string.h>

#include "test_support.h"

TS_SUITE (calendar);

static int32_t
s_day (const char *text)
{
    int32_t day = 0;
    cr_assert_eq (date_parse (text, &day), 0, "date_parse (%s) failed", text);
    return day;
}

/*  Midnight UTC of a date plus some milliseconds, as the wall clock gives it. */
static int64_t
s_ms (const char *date, int64_t plus_ms)
{
    return (int64_t)s_day (date) * 86400000LL + plus_ms;
}

Test (calendar, known_day_numbers)
{
    cr_assert_eq (s_day ("1970-01-01"), 0);
    cr_assert_eq (s_day ("1970-01-02"), 1);
    cr_assert_eq (s_day ("1969-12-31"), -1);
    cr_assert_eq (s_day ("2000-03-01"), 11017);
    cr_assert_eq (s_day ("2026-01-05"), 20458);
    cr_assert_eq (s_day ("1900-01-01"), -25567);
    cr_assert_eq (s_day ("9999-12-31"), 2932896);
}

Test (calendar, leap_years)
{
    int32_t day;
    cr_assert_eq (date_parse ("2024-02-29", &day), 0);
    cr_assert_eq (day + 1, s_day ("2024-03-01"));
    cr_assert_eq (date_parse ("2000-02-29", &day), 0);
    cr_assert_eq (date_parse ("2023-02-29", &day), ERR_INVALID);
    cr_assert_eq (date_parse ("1900-02-29", &day), ERR_INVALID);
    cr_assert_eq (date_parse ("2100-02-29", &day), ERR_INVALID);
    cr_assert_eq (s_day ("2023-03-01") - s_day ("2023-02-28"), 1);
    cr_assert_eq (s_day ("2025-01-01") - s_day ("2024-01-01"), 366);
    cr_assert_eq (s_day ("2024-01-01") - s_day ("2023-01-01"), 365);
}

Test (calendar, parse_rejects_what_is_not_a_date)
{
    const char *bad[] = {"",
                         "2024-1-05",
                         "2024-01-5",
                         "24-01-05",
                         "2024/01/05",
                         "2024-01-05 ",
                         " 2024-01-05",
                         "2024-00-10",
                         "2024-13-01",
                         "2024-01-00",
                         "2024-01-32",
                         "2024-04-31",
                         "2024-06-31",
                         "1899-12-31",
                         "+024-01-05",
                         "2024-0a-05",
                         "2024-01-05T00:00:00"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int32_t day = 12345;
        cr_expect_eq (date_parse (bad[i], &day), ERR_INVALID, "accepted '%s'", bad[i]);
        cr_expect_eq (day, 12345, "'%s' wrote the output on failure", bad[i]);
    }
    int32_t day;
    cr_assert_eq (date_parse (NULL, &day), ERR_INVALID);
    cr_assert_eq (date_parse ("2024-04-30", &day), 0);
    cr_assert_eq (date_parse ("2024-12-31", &day), 0);
}

Test (calendar, round_trip_every_day_of_four_centuries)
{
    /*  1900-01-01 to 2300-12-31 covers every leap rule at least twice. */
    int32_t first = s_day ("1900-01-01");
    int32_t last = s_day ("2300-12-31");
    char text[DATE_TEXT_MAX];
    int32_t previous_month_day = 0;
    for (int32_t day = first; day <= last; day++) {
        date_format (day, text);
        int32_t back = -1;
        cr_assert_eq (date_parse (text, &back), 0, "day %d formatted as '%s'", day, text);
        cr_assert_eq (back, day, "'%s' read back as %d, not %d", text, back, day);
        int mday = (text[8] - '0') * 10 + (text[9] - '0');
        /*  Consecutive days: the day of month goes up by one or restarts at 1. */
        if (day > first)
            cr_assert (mday == previous_month_day + 1 || mday == 1, "%s follows day %d", text,
                       previous_month_day);
        previous_month_day = mday;
    }
}

Test (calendar, format)
{
    char text[DATE_TEXT_MAX];
    cr_assert_str_eq (date_format (0, text), "1970-01-01");
    cr_assert_str_eq (date_format (-1, text), "1969-12-31");
    cr_assert_str_eq (date_format (s_day ("2024-02-29"), text), "2024-02-29");
    cr_assert_str_eq (date_format (2932896, text), "9999-12-31");
}

Test (calendar, mode_names)
{
    calendar_mode_t mode = CALENDAR_SIMULATED;
    cr_assert_eq (calendar_mode_parse ("calendar", &mode), 0);
    cr_assert_eq (mode, CALENDAR_REAL);
    cr_assert_eq (calendar_mode_parse ("simulated", &mode), 0);
    cr_assert_eq (mode, CALENDAR_SIMULATED);
    cr_assert_eq (calendar_mode_parse ("real", &mode), ERR_INVALID);
    cr_assert_eq (calendar_mode_parse (NULL, &mode), ERR_INVALID);
    cr_assert_str_eq (calendar_mode_name (CALENDAR_REAL), "calendar");
    cr_assert_str_eq (calendar_mode_name (CALENDAR_SIMULATED), "simulated");
}

Test (calendar, new_rejects_no_weeks)
{
    cr_assert_null (calendar_new (0, 0, CALENDAR_REAL));
    calendar_t *calendar = calendar_new (0, 12, CALENDAR_SIMULATED);
    cr_assert_not_null (calendar);
    cr_assert_eq (calendar_mode (calendar), CALENDAR_SIMULATED);
    cr_assert_eq (calendar_weeks (calendar), 12);
    calendar_destroy (&calendar);
    cr_assert_null (calendar);
    calendar_destroy (&calendar);
    calendar_destroy (NULL);
}

Test (calendar, week_boundaries)
{
    int32_t start = s_day ("2026-01-05");
    calendar_t *calendar = calendar_new (start, 12, CALENDAR_REAL);
    cr_assert_eq (calendar_start (calendar), start);
    cr_assert_eq (calendar_week_of (calendar, start - 1), 0);
    cr_assert_eq (calendar_week_of (calendar, start - 400), 0);
    cr_assert_eq (calendar_week_of (calendar, start), 1);
    cr_assert_eq (calendar_week_of (calendar, start + 6), 1);
    cr_assert_eq (calendar_week_of (calendar, start + 7), 2);
    cr_assert_eq (calendar_week_of (calendar, s_day ("2026-03-29")), 12); /* last day */
    cr_assert_eq (calendar_week_of (calendar, s_day ("2026-03-30")), 13);
    cr_assert_eq (calendar_week_of (calendar, start + 10000), 13);
    for (int week = 1; week <= 12; week++) {
        int32_t first = calendar_week_start (calendar, week);
        cr_assert_eq (calendar_week_of (calendar, first), week);
        cr_assert_eq (calendar_week_of (calendar, first + 6), week);
    }
    cr_assert_eq (calendar_week_start (calendar, 1), start);
    cr_assert_eq (calendar_week_start (calendar, 12), s_day ("2026-03-23"));
    calendar_destroy (&calendar);
}

Test (calendar, real_clock_follows_wall_clock)
{
    calendar_t *calendar = calendar_new (s_day ("2026-01-05"), 12, CALENDAR_REAL);
    cr_assert_eq (calendar_today (calendar, s_ms ("2026-01-10", 0)), s_day ("2026-01-10"));
    cr_assert_eq (calendar_today (calendar, s_ms ("2026-01-10", 86399999)),
                  s_day ("2026-01-10"));
    cr_assert_eq (calendar_today (calendar, s_ms ("2026-01-11", 0)), s_day ("2026-01-11"));
    /*  Before 1970 the division must round down, not toward zero. */
    cr_assert_eq (calendar_today (calendar, -1), -1);
    cr_assert_eq (calendar_restore (calendar, 0, 0), ERR_STATE);
    calendar_destroy (&calendar);
}

Test (calendar, utc_offset_moves_midnight)
{
    calendar_t *calendar = calendar_new (s_day ("2026-01-05"), 12, CALENDAR_REAL);
    /*  23:30 UTC on Sunday the 4th is already Monday the 5th in UTC+1... */
    int64_t late = s_ms ("2026-01-04", 23 * 3600000LL + 30 * 60000);
    calendar_set_utc_offset (calendar, 60);
    cr_assert_eq (calendar_today (calendar, late), s_day ("2026-01-05"));
    cr_assert_eq (calendar_week_of (calendar, calendar_today (calendar, late)), 1);
    /*  ...still Sunday in UTC... */
    calendar_set_utc_offset (calendar, 0);
    cr_assert_eq (calendar_today (calendar, late), s_day ("2026-01-04"));
    cr_assert_eq (calendar_week_of (calendar, calendar_today (calendar, late)), 0);
    /*  ...and 00:30 UTC on the 5th is still the 4th in New York (UTC-5). */
    calendar_set_utc_offset (calendar, -300);
    cr_assert_eq (calendar_today (calendar, s_ms ("2026-01-05", 30 * 60000)),
                  s_day ("2026-01-04"));
    cr_assert_eq (calendar_today (calendar, s_ms ("2026-01-05", 5 * 3600000LL)),
                  s_day ("2026-01-05"));
    calendar_destroy (&calendar);
}

Test (calendar, simulated_moves_only_by_advance)
{
    int32_t start = s_day ("2026-01-05");
    calendar_t *calendar = calendar_new (start, 12, CALENDAR_SIMULATED);
    int64_t now = s_ms ("2030-06-01", 0); /* the wall clock does not matter */
    cr_assert_eq (calendar_today (calendar, now), start);
    cr_assert_eq (calendar_today (calendar, now + 30LL * 86400000), start);

    err_t err;
    cr_assert_eq (calendar_advance (calendar, 7, now, &err), 0);
    cr_assert_eq (calendar_today (calendar, now), start + 7);
    cr_assert_eq (calendar_week_of (calendar, calendar_today (calendar, now)), 2);
    cr_assert_eq (calendar_advance (calendar, 1, now, NULL), 0);
    cr_assert_eq (calendar_today (calendar, now), start + 8);

    cr_assert_eq (calendar_advance (calendar, 0, now, &err), ERR_INVALID);
    cr_assert (strstr (err.msg, "0 days"), "%s", err.msg);
    cr_assert_eq (calendar_advance (calendar, -7, now, &err), ERR_INVALID);
    cr_assert_eq (calendar_today (calendar, now), start + 8);

    cr_assert_eq (calendar_restore (calendar, start + 70, now), 0);
    cr_assert_eq (calendar_today (calendar, now), start + 70);
    cr_assert_eq (calendar_week_of (calendar, start + 70), 11);

    cr_assert_eq (calendar_advance (calendar, 2000000000, now, &err), ERR_INVALID);
    cr_assert (strstr (err.msg, "9999-12-31"), "%s", err.msg);
    cr_assert_eq (calendar_today (calendar, now), start + 70);
    calendar_destroy (&calendar);
}

Test (calendar, advance_refused_in_calendar_mode)
{
    calendar_t *calendar = calendar_new (s_day ("2026-01-05"), 12, CALENDAR_REAL);
    err_t err;
    err_clear (&err);
    int64_t now = s_ms ("2026-01-06", 0);
    cr_assert_eq (calendar_advance (calendar, 7, now, &err), ERR_STATE);
    cr_assert_eq (err.code, ERR_STATE);
    cr_assert (strstr (err.msg, "simulated"), "%s", err.msg);
    cr_assert_eq (calendar_today (calendar, now), s_day ("2026-01-06"));
    calendar_destroy (&calendar);
}

Test (calendar, seconds_per_week_drift)
{
    int32_t start = s_day ("2026-01-05");
    calendar_t *calendar = calendar_new (start, 12, CALENDAR_SIMULATED);
    calendar_set_seconds_per_week (calendar, 60);
    int64_t t0 = 1000000;
    cr_assert_eq (calendar_today (calendar, t0), start); /* anchors the drift */
    cr_assert_eq (calendar_today (calendar, t0 + 59999), start);
    cr_assert_eq (calendar_today (calendar, t0 + 60000), start + 7);
    cr_assert_eq (calendar_today (calendar, t0 + 150000), start + 14);
    /*  A wall clock stepping back does not move the campaign back past the anchor. */
    cr_assert_eq (calendar_today (calendar, t0 - 500000), start);

    /*  Advancing keeps the weeks drifted so far and restarts the week in progress. */
    cr_assert_eq (calendar_advance (calendar, 1, t0 + 150000, NULL), 0);
    cr_assert_eq (calendar_today (calendar, t0 + 150000), start + 15);
    cr_assert_eq (calendar_today (calendar, t0 + 209999), start + 15);
    cr_assert_eq (calendar_today (calendar, t0 + 210000), start + 22);

    /*  Restoring persisted state anchors there too. */
    cr_assert_eq (calendar_restore (calendar, start + 35, t0 + 1000000), 0);
    cr_assert_eq (calendar_today (calendar, t0 + 1000000), start + 35);
    cr_assert_eq (calendar_today (calendar, t0 + 1030000), start + 35);
    cr_assert_eq (calendar_today (calendar, t0 + 1060000), start + 42);

    /*  Fractional seconds work, and zero turns the drift off. */
    calendar_set_seconds_per_week (calendar, 0.5);
    cr_assert_eq (calendar_today (calendar, t0 + 1001000), start + 49);
    calendar_set_seconds_per_week (calendar, 0);
    cr_assert_eq (calendar_today (calendar, t0 + 9000000), start + 35);
    calendar_set_seconds_per_week (calendar, -3);
    cr_assert_eq (calendar_today (calendar, t0 + 9000000), start + 35);
    calendar_destroy (&calendar);
}

Test (calendar, days_to_the_next_anniversary)
{
    int32_t today;
    cr_assert_eq (date_parse ("2026-10-05", &today), 0);
    cr_expect_eq (date_days_to_next_anniversary ("2026-10-15", today, -1), 10);
    cr_expect_eq (date_days_to_next_anniversary ("2026-10-05", today, -1), 0);
    /*  A renewal date in the past has renewed: its next anniversary counts. */
    cr_expect_eq (date_days_to_next_anniversary ("2026-09-30", today, -1), 360);
    /*  2024-10-10 + 2 x 365 days = 2026-10-10 (no 29 February in between). */
    cr_expect_eq (date_days_to_next_anniversary ("2024-10-10", today, -1), 5);
    cr_expect_eq (date_days_to_next_anniversary (NULL, today, 365), 365);
    cr_expect_eq (date_days_to_next_anniversary ("soon", today, 365), 365);
}
