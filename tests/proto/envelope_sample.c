/*  envelope_sample: writes one packed Envelope to stdout (a submission, or with
    "status" a status event), for decode_test.sh to read back with Google's protoc. */
#include "wire.h"

#include <stdio.h>
#include <string.h>

int
main (int argc, char **argv)
{
    wire_out_t out;
    wire_out_init (&out, "sample-campaign", "envelope-sample", "corr-1");
    Campaign__Submission sub = CAMPAIGN__SUBMISSION__INIT;
    Campaign__Note note = CAMPAIGN__NOTE__INIT;
    char *requests[] = {"SSO for contractors", "audit log export"};
    Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
    Campaign__TaskCounts counts = CAMPAIGN__TASK_COUNTS__INIT;
    if (argc > 1 && strcmp (argv[1], "status") == 0) {
        event.has_seq = 1;
        event.seq = 42;
        event.topic = "task";
        event.summary = "tasks: 3 queued";
        counts.has_queued = 1;
        counts.queued = 3;
        event.tasks = &counts;
        out.env.body_case = CAMPAIGN__ENVELOPE__BODY_STATUS_EVENT;
        out.env.status_event = &event;
    } else {
        note.account_id = "A-0001";
        note.need = "high";
        note.text = "wants 40 more seats";
        note.n_feature_requests = 2;
        note.feature_requests = requests;
        sub.person = "csm-7";
        sub.kind_case = CAMPAIGN__SUBMISSION__KIND_NOTE;
        sub.note = &note;
        out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
        out.env.submission = &sub;
    }
    zframe_t *frame;
    if (wire_pack (&out.env, &frame))
        return 1;
    fwrite (zframe_data (frame), 1, zframe_size (frame), stdout);
    zframe_destroy (&frame);
    return 0;
}
