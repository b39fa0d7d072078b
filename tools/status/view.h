/*  view.h: how campaign-status shows the campaign: a snapshot and the events after it,
    as text for people or as JSON for programs (the fields of SPEC section 8). */
#ifndef CAMPAIGN_STATUS_VIEW_H
#define CAMPAIGN_STATUS_VIEW_H

#include <jansson.h>
#include <stdio.h>

#include "campaign.pb-c.h"

/*  The snapshot as one JSON object (caller json_decref's it). */
json_t *view_snapshot_json (const Campaign__Snapshot *snapshot);
void view_snapshot_text (FILE *out, const Campaign__Snapshot *snapshot);

json_t *view_event_json (const Campaign__StatusEvent *event);
void view_event_text (FILE *out, const Campaign__StatusEvent *event);

json_t *view_opportunity_json (const Campaign__Opportunity *opportunity);
void view_opportunity_header (FILE *out);
void view_opportunity_text (FILE *out, const Campaign__Opportunity *opportunity);

/*  One entry of the audit trail. */
json_t *view_audit_json (const Campaign__AuditEntry *entry);
void view_audit_header (FILE *out);
void view_audit_text (FILE *out, const Campaign__AuditEntry *entry);

/*  Print a JSON value on one line. */
void view_print_json (FILE *out, json_t *value);

#endif
