/*  playbook.h: the plays as this campaign ran them (issue 7 item 2, "updated plays").

    Per play (plays.h): the observed cycle of won deals (opened to closed, in days: the
    25th and 75th percentiles become the new cycle_days), the observed win rate (won /
    closed, +-retrospective.plays.win_rate_band around it becomes the new win_rate) and the
    conversion between consecutive pipeline stages (of the deals that reached a stage, the
    share that reached the next; a won deal reached every open stage, an open deal every
    stage up to its own; a lost deal's last stage is not kept by the pipeline, so lost
    deals count at the first stage only). A play with fewer than
    retrospective.plays.min_deals closed deals keeps its configured cycle and win rate.

    The result is a configuration file holding the whole `plays` list (steps and stall
    limits as configured), which the next campaign layers with -c: a list replaces the
    configured one whole.
*/
#ifndef CAMPAIGN_PLAYBOOK_H
#define CAMPAIGN_PLAYBOOK_H

#include <jansson.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"
#include "plays.h"

typedef struct {
    plays_t plays;
    char stages[PLAYS_STAGES][32]; /* pipeline.stages, open ones first as configured */
    size_t n_stages;
    size_t min_deals;
    double band;
} playbook_t;

int playbook_load (conf_t *conf, playbook_t *out, err_t *err);

/*  The updated plays of input's opportunities: *json (per play: observed figures and the
    stage conversion) and *config (the `plays` file text, malloc'd). campaign names the
    campaign in the file's comment. 0 or ERR_NOMEM. */
int playbook_update (const playbook_t *self, const Campaign__TaskInput *input,
                     const char *campaign, const char *today, json_t **json, char **config,
                     err_t *err);

#endif
