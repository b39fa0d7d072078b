/*  retrospective.h: the retrospective's files in the reports directory (issue 7 item 3).

    The retrospective-analyzer's JSON, written by the broker as retrospective.run.json
    into reports.dir, becomes:
      retrospective.md   the retrospective for people: summary against targets, what
                         worked and what did not, start / stop / continue, the refined
                         model's before/after, the plays as they ran, success stories,
                         recommendations
      propensity.model   the refined propensity model (campaign-model format), for the
                         next campaign: identifier.propensity.model = "<path>"
      plays.cfg          the updated plays, for the next campaign: -c plays.cfg
    Each file is complete or absent (written under a temporary name, then renamed).
*/
#ifndef CAMPAIGN_RETROSPECTIVE_H
#define CAMPAIGN_RETROSPECTIVE_H

#include "err.h"

/*  Write the three files into dir from dir/retrospective.run.json; nothing when that is
    not there (the retrospective has not run). 0, or ERR_IO / ERR_INVALID naming the
    file. */
int retrospective_write (const char *dir, err_t *err);

#endif
