/*  campaign-test-agent: an agent for tests and benchmarks, on the real agent runtime.

    Its kind comes from --kind (default "test-worker"). What it does with a task depends
    on the task's name, so a test can script failures:
      echo        result = the payload
      work        spin for payload-many milliseconds of CPU, then echo (a long task)
      fail        a retryable failure
      fail-fatal  a failure that must not be retried
      crash       abort() the whole process (a crashing agent)
*/
#include "agent.h"
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char s_usage[] =
    "Usage: campaign-test-agent [-c FILE]... [-o PATH=VALUE]... [--kind KIND] [--instance "
    "NAME]\n"
    "\n"
    "A scriptable agent for tests: task names echo, work, fail, fail-fatal, crash.\n";

static int
s_task (void *arg, const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    if (strcmp (task->name, "fail") == 0)
        return err_set (err, ERR_IO, "scripted retryable failure of %s", task->task_id);
    if (strcmp (task->name, "fail-fatal") == 0)
        return err_set (err, ERR_INVALID, "scripted fatal failure of %s", task->task_id);
    if (strcmp (task->name, "crash") == 0)
        abort ();
    if (strcmp (task->name, "work") == 0) {
        char text[32] = "0";
        if (task->has_payload && task->payload.len < sizeof text) {
            memcpy (text, task->payload.data, task->payload.len);
            text[task->payload.len] = '\0';
        }
        /*  Busy work, not a sleep: this is the task taking time, as real analytics do. */
        struct timespec start, now;
        clock_gettime (CLOCK_MONOTONIC, &start);
        long ms = strtol (text, NULL, 10);
        do
            clock_gettime (CLOCK_MONOTONIC, &now);
        while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 <
               ms);
    } else if (strcmp (task->name, "echo") != 0)
        return err_set (err, ERR_UNSUPPORTED, "no such task '%s'", task->name);
    size_t size = task->has_payload ? task->payload.len : 0;
    out->payload = malloc (size ? size : 1);
    if (!out->payload)
        return err_set (err, ERR_NOMEM, "out of memory");
    if (size)
        memcpy (out->payload, task->payload.data, size);
    out->size = size;
    out->summary = strdup (task->name);
    return 0;
}

int
main (int argc, char **argv)
{
    const char *kind = "test-worker";
    /*  Take --kind out before the standard agent main sees the arguments. */
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--kind") == 0 && i + 1 < argc)
            kind = argv[++i];
        else
            argv[kept++] = argv[i];
    }
    argv[kept] = NULL;
    return agent_main (kept, argv, kind, s_usage, s_task, NULL);
}
