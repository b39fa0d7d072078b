/*  handoff.c: handoff rules and acknowledgements (see handoff.h). */
#include "handoff.h"

#include "log.h"
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*  Announce a handoff and the team's new open count on handoff.<team>. */
static void
s_publish (const turn_t *turn, const Campaign__Handoff *handoff, const char *what)
{
    int64_t open = store_handoffs_open_count (turn->store, handoff->team);
    Campaign__Count count = CAMPAIGN__COUNT__INIT;
    count.name = handoff->team;
    count.has_count = 1;
    count.count = (uint64_t)open;
    Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
    char summary[640];
    snprintf (summary, sizeof summary, "handoff %s to %s %s: %s", handoff->handoff_id,
              handoff->team, what, handoff->detail ? handoff->detail : "");
    event.summary = summary;
    event.handoff = (Campaign__Handoff *)handoff;
    event.handoffs = &count;
    char topic[64];
    snprintf (topic, sizeof topic, "handoff.%s", handoff->team);
    turn_emit (turn, topic, &event);
    log_info ("%s", summary);
}

static int
s_add (const turn_t *turn, Campaign__Handoff *handoff, err_t *err)
{
    handoff->created = (char *)turn->today_text;
    bool created = false;
    int rc = store_handoff_add (turn->store, handoff, turn->today, &created, err);
    if (!rc && created)
        s_publish (turn, handoff, "opened");
    return rc;
}

int
handoff_after_opportunity (const turn_t *turn, Campaign__Opportunity *opportunity, err_t *err)
{
    const plan_handoffs_t *rules = plan_handoffs (turn->plan);
    int rc = 0;
    bool big = opportunity->potential_arr > rules->sales_arr_over;
    if (opportunity->qualified && (big || opportunity->complex) &&
        !(opportunity->ae && *opportunity->ae)) {
        char *ae = NULL;
        err_t pick_err;
        if (store_pick_ae (turn->store, opportunity->account_id, &ae, &pick_err) == 0)
            opportunity->ae = ae; /* the caller's message frees it */
        Campaign__Handoff handoff = CAMPAIGN__HANDOFF__INIT;
        char detail[256];
        snprintf (detail, sizeof detail,
                  "%s %s opportunity, $%.0f potential%s; AE %s, %.0f/%.0f split",
                  opportunity->complex ? "complex" : "qualified",
                  opportunity->type ? opportunity->type : "", opportunity->potential_arr,
                  big ? "" : " (under the threshold)",
                  ae ? ae : "not assigned: no AE on the roster",
                  rules->sales_credit_split * 100, (1 - rules->sales_credit_split) * 100);
        handoff.team = "sales";
        handoff.kind = "ae-attached";
        handoff.opportunity_id = opportunity->opportunity_id;
        handoff.account_id = opportunity->account_id;
        handoff.detail = detail;
        handoff.ae = ae;
        handoff.has_credit_split = 1;
        handoff.credit_split = rules->sales_credit_split;
        rc = s_add (turn, &handoff, err);
    }
    if (!rc && rules->marketing_nurture_tier &&
        opportunity->tier == rules->marketing_nurture_tier) {
        /*  The seed sends Tier 3 *accounts* to nurture: one handoff per account, however
            many of its opportunities land there. */
        Campaign__Handoff handoff = CAMPAIGN__HANDOFF__INIT;
        char detail[128];
        snprintf (detail, sizeof detail, "Tier %u account to nurture", opportunity->tier);
        handoff.team = "marketing";
        handoff.kind = "nurture";
        handoff.account_id = opportunity->account_id;
        handoff.detail = detail;
        rc = s_add (turn, &handoff, err);
    }
    return rc;
}

int
handoff_after_win (const turn_t *turn, const Campaign__Opportunity *opportunity, err_t *err)
{
    if (!plan_handoffs (turn->plan)->marketing_case_study)
        return 0;
    Campaign__Handoff handoff = CAMPAIGN__HANDOFF__INIT;
    char detail[256];
    snprintf (detail, sizeof detail, "case-study candidate: %s won, $%.0f (%s)",
              opportunity->type ? opportunity->type : "deal", opportunity->amount,
              opportunity->reason ? opportunity->reason : "");
    handoff.team = "marketing";
    handoff.kind = "case-study";
    handoff.opportunity_id = opportunity->opportunity_id;
    handoff.account_id = opportunity->account_id;
    handoff.detail = detail;
    return s_add (turn, &handoff, err);
}

int
handoff_after_note (const turn_t *turn, const Campaign__Note *note, err_t *err)
{
    if (!plan_handoffs (turn->plan)->product_feature_requests)
        return 0;
    int rc = 0;
    for (size_t i = 0; !rc && i < note->n_feature_requests; i++) {
        Campaign__Handoff handoff = CAMPAIGN__HANDOFF__INIT;
        handoff.team = "product";
        handoff.kind = "feature-request";
        handoff.account_id = note->account_id;
        handoff.detail = note->feature_requests[i];
        rc = s_add (turn, &handoff, err);
    }
    return rc;
}

int
handoff_ack (const turn_t *turn, const char *id, const char *person, char *detail,
             size_t detail_size, err_t *err)
{
    Campaign__Handoff *handoff = NULL;
    int rc = store_handoff_get (turn->store, id, &handoff, err);
    if (rc)
        return rc;
    char *role = NULL;
    rc = store_person_role (turn->store, person, &role, err);
    if (rc == ERR_NOTFOUND)
        rc = err_set (err, ERR_FORBIDDEN,
                      "ack-handoff: '%s' is not on the roster; a person of the %s team "
                      "acknowledges this handoff",
                      person, handoff->team);
    const char *wanted = strcmp (handoff->team, "sales") == 0 ? "ae" : handoff->team;
    if (!rc && strcmp (role, wanted) != 0 && strcmp (role, "leadership") != 0)
        rc = err_set (err, ERR_FORBIDDEN,
                      "ack-handoff: %s is a handoff to %s; it needs role %s (or leadership), "
                      "and %s is %s",
                      id, handoff->team, wanted, person, role);
    if (!rc)
        rc = store_handoff_ack (turn->store, id, person, turn->today, turn->today_text, err);
    if (!rc) {
        char **acked_by = &handoff->acked_by, *old = *acked_by;
        *acked_by = (char *)person;
        s_publish (turn, handoff, "acknowledged");
        *acked_by = old;
        snprintf (detail, detail_size, "handoff %s to %s acknowledged", id, handoff->team);
    }
    free (role);
    campaign__handoff__free_unpacked (handoff, NULL);
    return rc;
}
