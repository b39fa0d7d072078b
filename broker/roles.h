/*  roles.h: who may make which submission (issue 9).

    Each submission kind is allowed for configured roles (`roles.allow.<kind>`, defaults
    from the seeds: leadership sets targets and overrides gates, CSMs and AEs report on
    their own accounts and deals, marketing and product acknowledge their handoffs,
    operators import data, advance the simulated clock and queue tasks, everyone gives
    retrospective input). A person's role is the one the imported roster gives them;
    the people in `roles.operators` are operators whatever the roster says.

    Ownership: a CSM may submit notes, stage changes and outcomes only on accounts they
    own (accounts.csm) or are assigned to (an opportunity's csm); an AE only on deals
    they are attached to (the opportunity's AE, or a Sales handoff on the account).

    Bootstrapping: before any roster exists, the only submission accepted is
    import-roster, from a person in `roles.operators`, or from anyone when that list is
    empty (the first roster then defines who is who; with CURVE on, "anyone" means a
    holder of a person certificate the operator issued).

    `roles.enforce = false` turns the checks off (the role is still looked up for the
    audit trail).
*/
#ifndef CAMPAIGN_ROLES_H
#define CAMPAIGN_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"
#include "turn.h"

typedef struct _roles_t roles_t;

/*  Read the `roles` block of conf (absent: the seed defaults, enforced). A misspelt
    submission kind or role name is an error naming file, line and setting. */
int roles_load (conf_t *conf, roles_t **out, err_t *err);
void roles_destroy (roles_t **self_p);

bool roles_enforced (const roles_t *self);

/*  May person make submission now? 0, or ERR_FORBIDDEN with err naming the role(s) the
    kind needs and the person's role (or that they are not on the roster). role (size
    bytes) receives the person's role ("" when unknown), for the audit trail. A
    submission naming an account or opportunity that does not exist is let through, so
    intake reports it as not found. */
int roles_check (const roles_t *self, const turn_t *turn, const Campaign__Submission *sub,
                 const char *person, char *role, size_t size, err_t *err);

/*  May person read the audit trail (`roles.read_audit`, default leadership and
    operator)? 0 or ERR_FORBIDDEN naming the roles. */
int roles_may_read_audit (const roles_t *self, store_t *store, const char *person, err_t *err);

/*  May person read the status topic (`roles.read_status`, default every role)? Only
    meaningful with CURVE, where the person is the certificate's, not a claim: the broker
    asks it of every snapshot and pipeline request and of every subscription to its PUB
    socket. Before a roster exists, anyone the certificates admit may read. 0 or
    ERR_FORBIDDEN naming the roles. */
int roles_may_read_status (const roles_t *self, store_t *store, const char *person, err_t *err);

#endif
