/*  wire_test.c: the envelope gate (lib/wire.h).

    Proves that message ids are fresh hex, that an envelope with a submission survives
    pack/unpack intact, that wire_unpack turns every kind of bad frame (too big, garbage,
    truncated, wrong or missing schema version, bad message id, no sender, no body) into
    its documented error and frees what it decoded, that an unknown field from a newer
    schema is skipped, that the name tables are complete, and that wire_send/wire_recv
    frame correctly over a real inproc DEALER/ROUTER pair, identity included.
*/
#include "wire.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (wire);

/*  The parts of one test envelope; everything borrowed lives here. */
typedef struct {
    wire_out_t out;
    Campaign__Submission submission;
    Campaign__Note note;
    char *requests[2];
} s_note_t;

static void
s_note_init (s_note_t *self)
{
    wire_out_init (&self->out, "spring-expansion", "tool/alice", "corr-1");
    campaign__submission__init (&self->submission);
    campaign__note__init (&self->note);
    self->requests[0] = "sso";
    self->requests[1] = "audit log";
    self->note.account_id = "A0042";
    self->note.budget = "yes";
    self->note.need = "high";
    self->note.text = "wants two more regions";
    self->note.n_feature_requests = 2;
    self->note.feature_requests = self->requests;
    self->submission.person = "alice";
    self->submission.kind_case = CAMPAIGN__SUBMISSION__KIND_NOTE;
    self->submission.note = &self->note;
    self->out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    self->out.env.submission = &self->submission;
}

/*  Pack env into a malloc'd buffer. */
static uint8_t *
s_pack (const wire_envelope_t *env, size_t *size)
{
    zframe_t *frame = NULL;
    cr_assert_eq (wire_pack (env, &frame), 0);
    cr_assert_not_null (frame);
    *size = zframe_size (frame);
    uint8_t *data = malloc (*size + 16);
    cr_assert_not_null (data);
    memcpy (data, zframe_data (frame), *size);
    zframe_destroy (&frame);
    return data;
}

/*  Unpack, expecting failure with code; the output pointer must stay untouched. */
static void
s_expect_reject (const void *data, size_t size, size_t max, int code)
{
    wire_envelope_t *env = (wire_envelope_t *)(uintptr_t)0x1;
    err_t err;
    err_clear (&err);
    int rc = wire_unpack (data, size, max, &env, &err);
    cr_assert_eq (rc, code, "expected %s, got %s (%s)", err_name (code), err_name (rc),
                  err.msg);
    cr_assert_eq (err.code, code);
    cr_assert_neq (err.msg[0], '\0', "a rejection must say why");
    cr_assert_eq (env, (wire_envelope_t *)(uintptr_t)0x1, "output written on failure");
}

static void
s_expect_env_reject (const wire_envelope_t *env, int code)
{
    size_t size;
    uint8_t *data = s_pack (env, &size);
    s_expect_reject (data, size, WIRE_MAX_BYTES, code);
    free (data);
}

Test (wire, id_new_is_32_hex_and_fresh)
{
    char ids[64][33];
    for (int i = 0; i < 64; i++) {
        memset (ids[i], 'x', sizeof ids[i]);
        wire_id_new (ids[i]);
        cr_assert_eq (strlen (ids[i]), 32, "id %d is '%s'", i, ids[i]);
        for (int c = 0; c < 32; c++)
            cr_assert (isxdigit ((unsigned char)ids[i][c]) &&
                           !isupper ((unsigned char)ids[i][c]),
                       "id %d has '%c'", i, ids[i][c]);
        for (int j = 0; j < i; j++)
            cr_assert_str_neq (ids[i], ids[j]);
    }
}

Test (wire, out_init_fills_the_envelope)
{
    wire_out_t a, b;
    int64_t before = wire_now_ms ();
    wire_out_init (&a, NULL, NULL, NULL);
    wire_out_init (&b, "c", "s", "x");
    int64_t after = wire_now_ms ();
    cr_assert (a.env.has_schema_version);
    cr_assert_eq (a.env.schema_version, WIRE_SCHEMA_VERSION);
    cr_assert_eq (a.env.message_id, a.id);
    cr_assert_eq (strlen (a.id), 32);
    cr_assert_str_neq (a.id, b.id);
    cr_assert_str_eq (a.env.campaign_id, "");
    cr_assert_str_eq (a.env.sender, "");
    cr_assert_null (a.env.correlation_id);
    cr_assert_str_eq (b.env.correlation_id, "x");
    cr_assert (a.env.has_sent_at_ms);
    cr_assert (a.env.sent_at_ms >= before && a.env.sent_at_ms <= after);
    cr_assert_eq (a.env.body_case, CAMPAIGN__ENVELOPE__BODY__NOT_SET);
}

Test (wire, pack_unpack_round_trip_submission)
{
    s_note_t note;
    s_note_init (&note);
    note.out.env.sent_at_ms = 1700000000123;
    size_t size;
    uint8_t *data = s_pack (&note.out.env, &size);

    wire_envelope_t *env = NULL;
    err_t err;
    cr_assert_eq (wire_unpack (data, size, WIRE_MAX_BYTES, &env, &err), 0, "%s", err.msg);
    free (data);
    cr_assert_not_null (env);
    cr_assert (env->has_schema_version);
    cr_assert_eq (env->schema_version, WIRE_SCHEMA_VERSION);
    cr_assert_str_eq (env->message_id, note.out.id);
    cr_assert_str_eq (env->correlation_id, "corr-1");
    cr_assert_str_eq (env->campaign_id, "spring-expansion");
    cr_assert_str_eq (env->sender, "tool/alice");
    cr_assert (env->has_sent_at_ms);
    cr_assert_eq (env->sent_at_ms, 1700000000123);
    cr_assert_eq (env->body_case, CAMPAIGN__ENVELOPE__BODY_SUBMISSION);
    const Campaign__Submission *sub = env->submission;
    cr_assert_not_null (sub);
    cr_assert_str_eq (sub->person, "alice");
    cr_assert_eq (sub->kind_case, CAMPAIGN__SUBMISSION__KIND_NOTE);
    cr_assert_str_eq (sub->note->account_id, "A0042");
    cr_assert_str_eq (sub->note->budget, "yes");
    cr_assert_null (sub->note->authority);
    cr_assert_str_eq (sub->note->need, "high");
    cr_assert_str_eq (sub->note->text, "wants two more regions");
    cr_assert_eq (sub->note->n_feature_requests, 2);
    cr_assert_str_eq (sub->note->feature_requests[0], "sso");
    cr_assert_str_eq (sub->note->feature_requests[1], "audit log");
    wire_free (&env);
    cr_assert_null (env);
    wire_free (&env); /* NULL-safe */
    wire_free (NULL);
}

Test (wire, unpack_enforces_the_size_limit)
{
    s_note_t note;
    s_note_init (&note);
    size_t size;
    uint8_t *data = s_pack (&note.out.env, &size);
    s_expect_reject (data, size, size - 1, ERR_TOOBIG);
    s_expect_reject (data, size, 0, ERR_TOOBIG);
    wire_envelope_t *env = NULL;
    cr_assert_eq (wire_unpack (data, size, size, &env, NULL), 0, "exactly the limit is fine");
    wire_free (&env);
    free (data);
}

Test (wire, unpack_rejects_garbage)
{
    /*  An over-long varint, then a tag with the reserved wire type 7. */
    static const uint8_t varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t wiretype7[] = {0x0f, 0x01, 0x02, 0x03};
    /*  Field 2 (message_id) claims 100 bytes but has 3. */
    static const uint8_t overlong[] = {0x08, 0x01, 0x12, 0x64, 'a', 'b', 'c'};
    s_expect_reject (varint, sizeof varint, WIRE_MAX_BYTES, ERR_PARSE);
    s_expect_reject (wiretype7, sizeof wiretype7, WIRE_MAX_BYTES, ERR_PARSE);
    s_expect_reject (overlong, sizeof overlong, WIRE_MAX_BYTES, ERR_PARSE);
    /*  No error text to fill: must not crash. */
    wire_envelope_t *env = NULL;
    cr_assert_eq (wire_unpack (wiretype7, sizeof wiretype7, WIRE_MAX_BYTES, &env, NULL),
                  ERR_PARSE);
    cr_assert_null (env);
}

Test (wire, unpack_rejects_a_truncated_envelope)
{
    s_note_t note;
    s_note_init (&note);
    size_t size;
    uint8_t *data = s_pack (&note.out.env, &size);
    /*  The submission is packed last (field 20); cutting into it leaves its length
        prefix pointing past the end. */
    size_t body = campaign__submission__get_packed_size (&note.submission);
    cr_assert_gt (body, 8);
    s_expect_reject (data, size - 1, WIRE_MAX_BYTES, ERR_PARSE);
    s_expect_reject (data, size - body / 2, WIRE_MAX_BYTES, ERR_PARSE);
    free (data);
}

Test (wire, unpack_rejects_empty_input)
{
    /*  Zero bytes is a valid (empty) protobuf: it must still fail validation. */
    wire_envelope_t *env = NULL;
    int rc = wire_unpack ("", 0, WIRE_MAX_BYTES, &env, NULL);
    cr_assert_lt (rc, 0);
    cr_assert_null (env);
}

Test (wire, unpack_checks_the_schema_version)
{
    s_note_t note;
    s_note_init (&note);
    note.out.env.has_schema_version = 0;
    s_expect_env_reject (&note.out.env, ERR_UNSUPPORTED);
    note.out.env.has_schema_version = 1;
    note.out.env.schema_version = WIRE_SCHEMA_VERSION + 1;
    s_expect_env_reject (&note.out.env, ERR_UNSUPPORTED);
    note.out.env.schema_version = 0;
    s_expect_env_reject (&note.out.env, ERR_UNSUPPORTED);
}

Test (wire, unpack_checks_the_message_id)
{
    s_note_t note;
    s_note_init (&note);
    note.out.env.message_id = NULL;
    s_expect_env_reject (&note.out.env, ERR_INVALID);
    note.out.env.message_id = "";
    s_expect_env_reject (&note.out.env, ERR_INVALID);

    char id[WIRE_ID_MAX + 2];
    memset (id, 'm', WIRE_ID_MAX + 1);
    id[WIRE_ID_MAX + 1] = '\0';
    note.out.env.message_id = id; /* 65 chars */
    s_expect_env_reject (&note.out.env, ERR_INVALID);

    id[WIRE_ID_MAX] = '\0'; /* exactly 64 is accepted */
    size_t size;
    uint8_t *data = s_pack (&note.out.env, &size);
    wire_envelope_t *env = NULL;
    cr_assert_eq (wire_unpack (data, size, WIRE_MAX_BYTES, &env, NULL), 0);
    cr_assert_eq (strlen (env->message_id), WIRE_ID_MAX);
    wire_free (&env);
    free (data);
}

Test (wire, unpack_requires_a_sender)
{
    s_note_t note;
    s_note_init (&note);
    note.out.env.sender = NULL;
    s_expect_env_reject (&note.out.env, ERR_INVALID);
    note.out.env.sender = "";
    s_expect_env_reject (&note.out.env, ERR_INVALID);
}

Test (wire, unpack_requires_a_known_body)
{
    s_note_t note;
    s_note_init (&note);
    note.out.env.body_case = CAMPAIGN__ENVELOPE__BODY__NOT_SET;
    note.out.env.submission = NULL;
    s_expect_env_reject (&note.out.env, ERR_UNSUPPORTED);

    /*  A body from a newer schema (field 17, length-delimited, empty) is an unknown
        field to this build: no body it knows. */
    size_t size;
    uint8_t *data = s_pack (&note.out.env, &size);
    data[size] = 0x8a; /* tag (17 << 3 | 2) = 138 as a varint */
    data[size + 1] = 0x01;
    data[size + 2] = 0x00;
    s_expect_reject (data, size + 3, WIRE_MAX_BYTES, ERR_UNSUPPORTED);
    free (data);
}

Test (wire, unpack_skips_unknown_fields)
{
    s_note_t note;
    s_note_init (&note);
    size_t size;
    uint8_t *data = s_pack (&note.out.env, &size);
    /*  Field 99, varint: tag (99 << 3 | 0) = 792 = 0x98 0x06, value 1. */
    data[size] = 0x98;
    data[size + 1] = 0x06;
    data[size + 2] = 0x01;
    /*  Field 98, length-delimited, 3 bytes. */
    data[size + 3] = 0x92;
    data[size + 4] = 0x06;
    data[size + 5] = 0x03;
    memcpy (data + size + 6, "xyz", 3);
    wire_envelope_t *env = NULL;
    err_t err;
    cr_assert_eq (wire_unpack (data, size + 9, WIRE_MAX_BYTES, &env, &err), 0, "%s", err.msg);
    cr_assert_str_eq (env->message_id, note.out.id);
    cr_assert_eq (env->body_case, CAMPAIGN__ENVELOPE__BODY_SUBMISSION);
    cr_assert_str_eq (env->submission->note->account_id, "A0042");
    wire_free (&env);
    free (data);
}

Test (wire, body_names_cover_every_case)
{
    static const struct {
        int body_case;
        const char *name;
    } bodies[] = {
        {CAMPAIGN__ENVELOPE__BODY_HELLO, "hello"},
        {CAMPAIGN__ENVELOPE__BODY_WELCOME, "welcome"},
        {CAMPAIGN__ENVELOPE__BODY_HEARTBEAT, "heartbeat"},
        {CAMPAIGN__ENVELOPE__BODY_TASK, "task"},
        {CAMPAIGN__ENVELOPE__BODY_RESULT, "result"},
        {CAMPAIGN__ENVELOPE__BODY_FAILURE, "failure"},
        {CAMPAIGN__ENVELOPE__BODY_GOODBYE, "goodbye"},
        {CAMPAIGN__ENVELOPE__BODY_SUBMISSION, "submission"},
        {CAMPAIGN__ENVELOPE__BODY_ACK, "ack"},
        {CAMPAIGN__ENVELOPE__BODY_REJECTION, "rejection"},
        {CAMPAIGN__ENVELOPE__BODY_SNAPSHOT_REQUEST, "snapshot-request"},
        {CAMPAIGN__ENVELOPE__BODY_SNAPSHOT, "snapshot"},
        {CAMPAIGN__ENVELOPE__BODY_PIPELINE_REQUEST, "pipeline-request"},
        {CAMPAIGN__ENVELOPE__BODY_PIPELINE, "pipeline"},
        {CAMPAIGN__ENVELOPE__BODY_AUDIT_REQUEST, "audit-request"},
        {CAMPAIGN__ENVELOPE__BODY_AUDIT, "audit"},
        {CAMPAIGN__ENVELOPE__BODY_STATUS_EVENT, "status-event"},
    };
    size_t n = sizeof bodies / sizeof bodies[0];
    /*  Every member of the oneof in the generated descriptor has a name. */
    const ProtobufCMessageDescriptor *desc = &campaign__envelope__descriptor;
    size_t members = 0;
    for (unsigned i = 0; i < desc->n_fields; i++)
        if (desc->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            members++;
            cr_assert_str_neq (wire_body_name ((int)desc->fields[i].id), "none",
                               "body %s has no name", desc->fields[i].name);
        }
    cr_assert_eq (members, n, "the table below is out of date");
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq (wire_body_name (bodies[i].body_case), bodies[i].name);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq (bodies[i].name, bodies[j].name);
    }
    cr_assert_str_eq (wire_body_name (CAMPAIGN__ENVELOPE__BODY__NOT_SET), "none");
    cr_assert_str_eq (wire_body_name (9999), "none");
    cr_assert_str_eq (wire_body_name (-1), "none");
}

Test (wire, submission_names_cover_every_case)
{
    static const struct {
        int kind_case;
        const char *name;
    } kinds[] = {
        {CAMPAIGN__SUBMISSION__KIND_IMPORT_PORTFOLIO, "import-portfolio"},
        {CAMPAIGN__SUBMISSION__KIND_IMPORT_ROSTER, "import-roster"},
        {CAMPAIGN__SUBMISSION__KIND_IMPORT_HISTORY, "import-history"},
        {CAMPAIGN__SUBMISSION__KIND_TARGETS, "targets"},
        {CAMPAIGN__SUBMISSION__KIND_NOTE, "note"},
        {CAMPAIGN__SUBMISSION__KIND_STAGE, "stage"},
        {CAMPAIGN__SUBMISSION__KIND_OUTCOME, "outcome"},
        {CAMPAIGN__SUBMISSION__KIND_RETRO, "retro"},
        {CAMPAIGN__SUBMISSION__KIND_ADVANCE, "advance"},
        {CAMPAIGN__SUBMISSION__KIND_OVERRIDE_GATE, "override-gate"},
        {CAMPAIGN__SUBMISSION__KIND_ACK_HANDOFF, "ack-handoff"},
        {CAMPAIGN__SUBMISSION__KIND_RUN_TASK, "run-task"},
    };
    size_t n = sizeof kinds / sizeof kinds[0];
    const ProtobufCMessageDescriptor *desc = &campaign__submission__descriptor;
    size_t members = 0;
    for (unsigned i = 0; i < desc->n_fields; i++)
        if (desc->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            members++;
            cr_assert_str_neq (wire_submission_name ((int)desc->fields[i].id), "none",
                               "submission %s has no name", desc->fields[i].name);
        }
    cr_assert_eq (members, n, "the table below is out of date");
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq (wire_submission_name (kinds[i].kind_case), kinds[i].name);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq (kinds[i].name, kinds[j].name);
    }
    cr_assert_str_eq (wire_submission_name (CAMPAIGN__SUBMISSION__KIND__NOT_SET), "none");
    cr_assert_str_eq (wire_submission_name (9999), "none");
}

/* --------------------------------------------------------------------------
   Framing over a real DEALER/ROUTER pair */

typedef struct {
    zsock_t *router;
    zsock_t *dealer;
} s_pair_t;

static void
s_pair_new (s_pair_t *pair, const char *endpoint, const char *identity)
{
    char bind[128], connect[128];
    snprintf (bind, sizeof bind, "@%s", endpoint);
    snprintf (connect, sizeof connect, ">%s", endpoint);
    pair->router = zsock_new_router (bind);
    cr_assert_not_null (pair->router);
    pair->dealer = zsock_new (ZMQ_DEALER);
    cr_assert_not_null (pair->dealer);
    if (identity)
        zsock_set_identity (pair->dealer, identity);
    cr_assert_eq (zsock_attach (pair->dealer, connect, false), 0);
    /*  A bound on every receive, so a framing bug fails the test instead of hanging. */
    zsock_set_rcvtimeo (pair->router, 5000);
    zsock_set_rcvtimeo (pair->dealer, 5000);
    zsock_set_sndtimeo (pair->dealer, 5000);
}

static void
s_pair_destroy (s_pair_t *pair)
{
    zsock_destroy (&pair->dealer);
    zsock_destroy (&pair->router);
}

Test (wire, send_recv_dealer_to_router_and_back)
{
    s_pair_t pair;
    s_pair_new (&pair, "inproc://wire-test-roundtrip", "agent-7");
    s_note_t note;
    s_note_init (&note);
    cr_assert_eq (wire_send (pair.dealer, NULL, &note.out.env), 0);

    zframe_t *identity = NULL;
    wire_envelope_t *env = NULL;
    err_t err;
    cr_assert_eq (wire_recv (pair.router, true, WIRE_MAX_BYTES, &identity, &env, &err), 0, "%s",
                  err.msg);
    cr_assert_not_null (identity);
    cr_assert (zframe_streq (identity, "agent-7"));
    cr_assert_str_eq (env->message_id, note.out.id);
    cr_assert_str_eq (env->submission->note->account_id, "A0042");
    wire_free (&env);

    /*  The broker answers to that identity; the identity frame is not consumed. */
    wire_out_t ack_out;
    wire_out_init (&ack_out, "spring-expansion", "broker", note.out.id);
    Campaign__Ack ack = CAMPAIGN__ACK__INIT;
    ack.stored_id = "J000001";
    ack.has_journal_seq = 1;
    ack.journal_seq = 1;
    ack_out.env.body_case = CAMPAIGN__ENVELOPE__BODY_ACK;
    ack_out.env.ack = &ack;
    cr_assert_eq (wire_send (pair.router, identity, &ack_out.env), 0);
    cr_assert (zframe_streq (identity, "agent-7"), "identity consumed by wire_send");

    zframe_t *none = (zframe_t *)(uintptr_t)0x1;
    cr_assert_eq (wire_recv (pair.dealer, false, WIRE_MAX_BYTES, &none, &env, &err), 0, "%s",
                  err.msg);
    cr_assert_eq (none, (zframe_t *)(uintptr_t)0x1, "a DEALER receive has no identity");
    cr_assert_eq (env->body_case, CAMPAIGN__ENVELOPE__BODY_ACK);
    cr_assert_str_eq (env->correlation_id, note.out.id);
    cr_assert_str_eq (env->ack->stored_id, "J000001");
    cr_assert_eq (env->ack->journal_seq, 1);
    wire_free (&env);
    zframe_destroy (&identity);
    s_pair_destroy (&pair);
}

Test (wire, recv_extra_frame_is_a_parse_error_with_identity)
{
    s_pair_t pair;
    s_pair_new (&pair, "inproc://wire-test-frames", "tool-9");
    s_note_t note;
    s_note_init (&note);
    zframe_t *packed = NULL;
    cr_assert_eq (wire_pack (&note.out.env, &packed), 0);
    zmsg_t *msg = zmsg_new ();
    zmsg_append (msg, &packed);
    zmsg_addstr (msg, "trailing");
    cr_assert_eq (zmsg_send (&msg, pair.dealer), 0);

    /*  The ROUTER sees [identity][envelope][trailing]: three frames. */
    zframe_t *identity = NULL;
    wire_envelope_t *env = NULL;
    err_t err;
    err_clear (&err);
    cr_assert_eq (wire_recv (pair.router, true, WIRE_MAX_BYTES, &identity, &env, &err),
                  ERR_PARSE);
    cr_assert_null (env);
    cr_assert_not_null (identity, "the identity is needed to send the rejection");
    cr_assert (zframe_streq (identity, "tool-9"));
    cr_assert_neq (err.msg[0], '\0');
    zframe_destroy (&identity);

    /*  The same with no identity wanted: nothing leaks. */
    msg = zmsg_new ();
    zmsg_addstr (msg, "a");
    zmsg_addstr (msg, "b");
    cr_assert_eq (zmsg_send (&msg, pair.dealer), 0);
    cr_assert_eq (wire_recv (pair.router, true, WIRE_MAX_BYTES, NULL, &env, NULL), ERR_PARSE);
    cr_assert_null (env);
    s_pair_destroy (&pair);
}

Test (wire, recv_bad_envelope_still_returns_identity)
{
    s_pair_t pair;
    s_pair_new (&pair, "inproc://wire-test-bad", "tool-3");
    zsock_send (pair.dealer, "s", "this is not an envelope at all");
    s_note_t note;
    s_note_init (&note);
    cr_assert_eq (wire_send (pair.dealer, NULL, &note.out.env), 0);

    zframe_t *identity = NULL;
    wire_envelope_t *env = NULL;
    int rc = wire_recv (pair.router, true, WIRE_MAX_BYTES, &identity, &env, NULL);
    cr_assert_lt (rc, 0);
    cr_assert_null (env);
    cr_assert (identity && zframe_streq (identity, "tool-3"));
    zframe_destroy (&identity);

    /*  Over the receiver's limit. */
    cr_assert_eq (wire_recv (pair.router, true, 16, &identity, &env, NULL), ERR_TOOBIG);
    cr_assert_null (env);
    cr_assert (identity && zframe_streq (identity, "tool-3"));
    zframe_destroy (&identity);
    s_pair_destroy (&pair);
}

Test (wire, recv_dealer_rejects_wrong_frame_count)
{
    s_pair_t pair;
    s_pair_new (&pair, "inproc://wire-test-dealer", "agent-1");
    zsock_send (pair.dealer, "s", "hi");
    zframe_t *identity = NULL;
    char *text = NULL;
    cr_assert_eq (zsock_recv (pair.router, "fs", &identity, &text), 0);
    zstr_free (&text);

    /*  [identity][a][b] from the ROUTER: the DEALER sees two frames. */
    zmsg_t *msg = zmsg_new ();
    zmsg_append (msg, &identity);
    zmsg_addstr (msg, "a");
    zmsg_addstr (msg, "b");
    cr_assert_eq (zmsg_send (&msg, pair.router), 0);
    wire_envelope_t *env = NULL;
    cr_assert_eq (wire_recv (pair.dealer, false, WIRE_MAX_BYTES, NULL, &env, NULL), ERR_PARSE);
    cr_assert_null (env);
    s_pair_destroy (&pair);
}

Test (wire, recv_times_out)
{
    s_pair_t pair;
    s_pair_new (&pair, "inproc://wire-test-timeout", NULL);
    zsock_set_rcvtimeo (pair.dealer, 0);
    wire_envelope_t *env = NULL;
    err_t err;
    cr_assert_eq (wire_recv (pair.dealer, false, WIRE_MAX_BYTES, NULL, &env, &err),
                  ERR_TIMEOUT);
    cr_assert_null (env);
    s_pair_destroy (&pair);
}
