/*  dashboard.h: the campaign's one-page dashboard, dashboard.html (SPEC section 6).

    dashboard_render writes one self-contained HTML page: inline CSS, the charts drawn
    here as inline SVG, no script, no network, no other file. Sections: the header
    (campaign, date, week, phase, held), the funnel, pipeline by stage and type, won ARR
    and the forecast vs the target over the weeks, conversion by tier, the propensity
    score's calibration, open handoffs, the gate history, and a short retrospective when
    its JSON is there.

    Every chart carries its figures twice: as text a person reads and as data-*
    attributes on the element of each mark (ids chart-* and table-*), so a test reads
    the numbers behind the picture. A section without data yet (mid-campaign) says what
    is missing instead. Every text that comes from data is HTML-escaped.

    The caller owns every input and must keep it alive during the call.
*/
#ifndef CAMPAIGN_DASHBOARD_H
#define CAMPAIGN_DASHBOARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "campaign.pb-c.h"
#include "err.h"

typedef struct {
    const Campaign__Snapshot *snapshot;
    Campaign__Opportunity *const *opportunities; /* every opportunity (may be 0 of them) */
    size_t n_opportunities;
    const char *const *stages; /* pipeline.stages in order, NULL-terminated, or NULL */
    int32_t start_day;         /* campaign.start_date: week 1 starts that day */
    int weeks;                 /* campaign.weeks */
    const char *reports_dir;   /* where the agents' JSON reports are, or NULL */
} dashboard_input_t;

/*  Write the page to out. 0, ERR_NOMEM, or ERR_IO when out reports an error. */
int dashboard_render (FILE *out, const dashboard_input_t *input, err_t *err);

/*  The campaign week (1..weeks) a "YYYY-MM-DD" date falls in: before the start is week
    1, after the end the last week; 0 when the text is not a date. */
int dashboard_week_of (const dashboard_input_t *input, const char *date);

#endif
