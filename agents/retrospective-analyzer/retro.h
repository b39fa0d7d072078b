/*  retro.h: the week-12 retrospective (issue 7 item 2), retrospective.run.

    From the whole campaign (the task is one batch: every account, opportunity, the
    history, the targets, every fact the agents established and the team's `retro`
    submissions):
      summary          targets against actuals: ARR won, deals, conversion (won /
                       qualified), win rate, average deal and cycle, ROI (ARR won /
                       investment)
      what worked      plays, tiers and account segments whose win rate is at least
      and what not     retrospective.margin above (below) the campaign's, on at least
                       retrospective.min_deals closed deals; the top loss reasons; the
                       stages where open deals sat longest; merged with the team's
                       `worked` / `didnt` input
      start/stop/      derived from the above (continue what worked, stop what did not,
      continue         start on the high-performing cohorts the segmentation found and on
                       the refined model when it is better), then the team's own lists
      refined model    refit.h: before/after AUC and Brier, the model file
      updated plays    playbook.h: observed cycle, win rate, stage conversion, the plays file
      success stories  the retrospective.stories largest wins with their numbers (for the
                       Marketing handoff)
      recommendations  for the next campaign, each with the figure behind it

    Payload: JSON (with the model and plays files as text: campaign-report writes them
    next to retrospective.md). Facts: retro.*.
*/
#ifndef CAMPAIGN_RETRO_H
#define CAMPAIGN_RETRO_H

#include "answer.h"
#include "conf.h"
#include "err.h"
#include "playbook.h"
#include "refit.h"

typedef struct {
    refit_t refit;
    playbook_t playbook;
    size_t min_deals;
    double margin;
    size_t stories;
    char campaign[128];
} retro_t;

int retro_load (conf_t *conf, retro_t *out, err_t *err);
void retro_free (retro_t *self);

/*  The retrospective of input on campaign day today into answer. 0, ERR_NOMEM, or
    ERR_INVALID (the refit refused the data) with err. */
int retro_run (const retro_t *self, const Campaign__TaskInput *input, int32_t today,
               answer_t *answer, err_t *err);

#endif
