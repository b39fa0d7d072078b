/*  report.h: the campaign's reports, written from what the broker says (SPEC section 6).

    report_write asks the broker for a snapshot and every opportunity (PipelineRequest,
    page by page) and writes into a directory, each file complete or not at all (written
    under a temporary name, then renamed):
      snapshot.json   the snapshot, as campaign-status --once --json prints it
      pipeline.csv    every opportunity, one row each (RFC 4180)
      pipeline.json   the same as a JSON array
      targets.csv     the tiered target list: qualified opportunities, Tier 1 first, then
                      by potential ARR, with the assignee and the AE
      segments.csv    the week-1 segments (rule and cluster: size, potential, top trigger)
      cohorts.csv     the week-11 cohorts (segment, rule segment, cluster, region, play,
                      tier) with win and expansion rates and the high/low verdict
      calibration.csv the propensity score's calibration and lift by bin
      dashboard.html  the campaign on one self-contained page (dashboard.h)
    segments.csv, cohorts.csv and calibration.csv convert the segmentation analyst's JSON
    that the broker wrote into the same directory (reports.task_outputs), when it is
    there: campaign-report runs on the broker's host; the dashboard reads it too. From
    the retrospective's JSON, the same way: retrospective.md, propensity.model and
    plays.cfg (retrospective.h). Run mid-campaign, every report holds what exists so far.
*/
#ifndef CAMPAIGN_REPORT_H
#define CAMPAIGN_REPORT_H

#include "client.h"
#include "err.h"

#include <stdint.h>

typedef struct {
    const char *dir;           /* where to write (reports.dir) */
    const char *const *stages; /* pipeline.stages in order, NULL-terminated, or NULL */
    int32_t start_day;         /* campaign.start_date as a day number */
    int weeks;                 /* campaign.weeks */
} report_settings_t;

/*  Write the reports for the broker behind client into settings->dir (created if
    missing). *written receives how many opportunities the reports hold. ERR_UNREACHABLE
    if the broker does not answer, ERR_IO with the path when a file cannot be written. */
int report_write (client_t *client, const report_settings_t *settings, size_t *written,
                  err_t *err);

/*  One report file, complete or absent: report_file_open creates dir/.name.tmp (tmp and
    final receive both paths, size bytes each), report_file_close flushes, closes and
    renames it to dir/name, or removes it. NULL / ERR_IO with err naming the path. */
FILE *report_file_open (const char *dir, const char *name, char *tmp, char *final, size_t size,
                        err_t *err);
int report_file_close (FILE *file, const char *tmp, const char *final, err_t *err);

#endif
