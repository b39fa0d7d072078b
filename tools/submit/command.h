/*  command.h: campaign-submit's commands, from words to a Submission.

    command_parse reads one command line (argv after the global options) or one JSON
    Lines object (command_parse_json, for `batch`) into a Campaign__Submission that the
    caller sends. Every mistake is a usage error naming the option and the value;
    import commands read and check their CSV here, so a bad file never reaches the
    broker. The submission and everything it points to belong to the command_t.
*/
#ifndef CAMPAIGN_SUBMIT_COMMAND_H
#define CAMPAIGN_SUBMIT_COMMAND_H

#include <jansson.h>

#include "campaign.pb-c.h"
#include "err.h"

typedef struct _command_t command_t;

/*  Parse argv[0..argc) ("note --account A-1 --text ..."). ERR_USAGE for a usage
    mistake, ERR_PARSE/ERR_INVALID/ERR_IO for a bad import file; err says what. */
int command_parse (int argc, char **argv, const char *person, command_t **out, err_t *err);

/*  Parse one batch line: {"command": "note", "account": "A-1", "text": "...",
    "feature_request": ["..."], "id": "optional message id"}. Keys are the long option
    names without dashes (dashes or underscores). */
int command_parse_json (json_t *object, const char *person, command_t **out, err_t *err);

void command_destroy (command_t **self_p);

const Campaign__Submission *command_submission (command_t *self);

/*  The message id the line asked for ("id"), or NULL for a fresh one. */
const char *command_message_id (command_t *self);

/*  Whether the command was `batch FILE`: then command_batch_file gives the path. */
const char *command_batch_file (command_t *self);

#endif
