/*  status_test.c: the status topic as a late subscriber sees it (ZeroMQ Guide "Clone").

    A campaign-status follower that starts while submissions stream in must end with
    exactly the broker's counts: its snapshot plus the events after it, nothing missed,
    nothing counted twice, sequence numbers gap-free and increasing. */
#include "test_support.h"

#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

TS_SUITE (status);

static char *
s_batch (ts_broker_t *broker, const char *name, int from, int count)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream (&text, &size);
    for (int i = from; i < from + count; i++)
        fprintf (file, "{\"command\":\"retro\",\"kind\":\"continue\",\"text\":\"item %d\"}\n",
                 i);
    fclose (file);
    char *path = ts_write_file (broker->dir, name, text);
    free (text);
    return path;
}

static bool
s_retro_count (const Campaign__Snapshot *snap, void *arg)
{
    for (size_t i = 0; i < snap->n_journal; i++)
        if (strcmp (snap->journal[i]->name, "retro") == 0)
            return snap->journal[i]->count >= *(uint64_t *)arg;
    return false;
}

Test (status, a_late_subscriber_misses_nothing_and_counts_nothing_twice, .timeout = 120)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"), 0);
    char *first = s_batch (&broker, "first.jsonl", 0, 40);
    char *second = s_batch (&broker, "second.jsonl", 40, 60);
    cr_assert_eq (ts_tool (&broker, NULL, NULL, "campaign-submit", "batch", first, NULL), 0);

    /*  Start the follower and the second stream together, so the snapshot falls
        somewhere inside the stream. */
    char *bin = ts_bin ("campaign-status");
    char *out_path = NULL;
    cr_assert (asprintf (&out_path, "%s/follower.jsonl", broker.dir) > 0);
    char *argv[10] = {bin};
    int n = 1;
    ts_config_argv (&broker, argv, &n);
    argv[n++] = "--json";
    pid_t follower = ts_spawn (argv, out_path);
    cr_assert_eq (ts_tool (&broker, NULL, NULL, "campaign-submit", "batch", second, NULL), 0);
    uint64_t all = 100;
    cr_assert_eq (ts_wait_snapshot (&broker, 10000, s_retro_count, &all), 0);

    /*  Wait (bounded) until the follower has printed the event for the 100th retro. */
    cr_expect (ts_wait_file_contains (out_path, "\"kind\":\"retro\",\"count\":100}", 10000));
    char *text = ts_read_file (out_path);
    ts_stop (follower, 5000);
    cr_assert_not_null (text);

    /*  Replay what the follower printed. */
    int64_t retro = -1, last_seq = -1, events = 0;
    bool gap = false, late = false;
    char *cursor = text, *line;
    while ((line = strsep (&cursor, "\n"))) {
        if (!*line)
            continue;
        json_error_t jerr;
        json_t *object = json_loads (line, 0, &jerr);
        cr_assert_not_null (object, "not JSON: %s", line);
        if (json_object_get (object, "campaign")) {
            /*  The snapshot (or a fresh one after a gap). */
            json_t *count = json_object_get (json_object_get (object, "journal"), "retro");
            retro = count ? json_integer_value (count) : 0;
            last_seq = json_integer_value (json_object_get (object, "seq"));
        } else {
            int64_t seq = json_integer_value (json_object_get (object, "seq"));
            late = late || seq <= last_seq;
            gap = gap || seq != last_seq + 1;
            last_seq = seq;
            json_t *journal = json_object_get (object, "journal");
            if (journal &&
                strcmp (json_string_value (json_object_get (journal, "kind")), "retro") == 0) {
                int64_t count = json_integer_value (json_object_get (journal, "count"));
                cr_expect_eq (count, retro + 1, "retro count jumps from %lld to %lld",
                              (long long)retro, (long long)count);
                retro = count;
                events++;
            }
        }
        json_decref (object);
    }
    cr_log_info ("follower saw %lld retro events after its snapshot", (long long)events);
    cr_expect_eq (retro, 100, "the follower ends with the broker's count");
    cr_expect (!late, "no event at or below the snapshot's sequence was applied");
    cr_expect (!gap, "sequence numbers after the snapshot are gap-free");
    free (text);
    free (out_path);
    free (bin);
    free (first);
    free (second);
    ts_broker_cleanup (&broker);
}
