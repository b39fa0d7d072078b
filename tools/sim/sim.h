/*  sim.h: the participant simulator (campaign-sim, SPEC sections 1 and 8, issue 8).

    sim plays every person of a campaign against a running fleet, on the simulated clock,
    through the same protocol campaign-submit speaks: an operator imports roster, history
    and portfolio in week 1; leadership sets targets in week 2 (or whenever a gate holds
    for them) and overrides a gate that holds with nothing people can supply; CSMs send
    discovery notes in weeks 3-4; CSMs and AEs move qualified deals along the plays'
    timelines in weeks 5-10 and close them when their expected close date passes, won
    with the ground truth's probability (campaign-gen's truth.csv); Sales, Marketing and
    Product acknowledge the handoffs the status topic announces; leadership and a few
    CSMs give retrospective input in week 12. Between steps it waits (bounded, polling
    snapshots) until no task is queued or leased, then advances the clock one week.

    Determinism: every draw comes from a xoshiro256** stream seeded (splitmix64) from the
    seed, the campaign id, what is decided and the account or opportunity it is about,
    and entities are visited sorted by id, so a seed on a fresh state gives the same
    campaign. Every submission's message id is derived from the seed, the campaign id
    and the action it performs (e.g. "stage O-A-0001-seat proposal"), so a re-run, or a
    run resumed after an interruption, against the same broker state is idempotent: the
    broker acknowledges what it has already applied as a duplicate.

    Several submissions are in flight at once (sim.in_flight); nothing the simulator
    decides depends on the order in which their acknowledgements arrive.

    Settings read (all optional): sim.poll_ms (150), sim.settle_timeout_ms (600000),
    sim.in_flight (16; 1 sends one submission at a time),
    sim.targets.{arr_goal, conversion, deals, investment} per 1,500 accounts (400000,
    0.40, 25, 60000), plus the client's (broker.endpoint, campaign.id, client.*) and
    broker.status_endpoint.
*/
#ifndef CAMPAIGN_SIM_H
#define CAMPAIGN_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "err.h"

typedef struct {
    const char *data_dir; /* accounts.csv, roster.csv, history.csv, truth.csv */
    uint64_t seed;
    bool quiet; /* no progress lines, only the summary */
} sim_options_t;

typedef struct _sim_t sim_t;

/*  Load the settings and campaign-gen's files from options->data_dir (borrowed strings
    need not outlive the call). ERR_INVALID for a bad setting, ERR_IO / ERR_PARSE /
    ERR_INVALID for a missing or bad data file, with err naming file, line and value;
    ERR_NOMEM. On success *out is owned by the caller (sim_destroy). */
int sim_new (conf_t *conf, const sim_options_t *options, sim_t **out, err_t *err);

void sim_destroy (sim_t **self_p);

/*  Play the campaign from wherever the broker is to the retrospective in week 12.
    0 when the campaign reached it; ERR_UNREACHABLE when the broker stopped answering;
    ERR_TIMEOUT when the agents' tasks did not settle in time; ERR_REJECTED / ERR_STATE
    when the campaign could not be completed (an import or the clock refused, or week 12
    never reached); err says why and in which week. */
int sim_run (sim_t *self, err_t *err);

/*  The final figures (from the broker's pipeline and gate history, after sim_run):
    ARR won, deals won and lost, win rate by play, handoffs acknowledged, gates
    overridden. Deterministic for a seed, so runs can be compared line by line. */
void sim_print_summary (sim_t *self, FILE *out);

#endif
