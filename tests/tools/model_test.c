/*  model_test.c: campaign-model, run as people run it (bin/campaign-model in a temp
    dir): fit writes a model file lib/model loads, evaluate prints the table and JSON,
    bad input exits 4 naming file:line and column and leaves no model file (nor
    replaces an existing one), misuse exits 2, an unwritable output 1. */
#include "test_support.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "rng.h"

TS_SUITE (model_tool);

/*  Run bin/campaign-model with the NULL-terminated arguments; exit code, stdout and
    stderr in *out / *err_out if wanted. */
#define s_model(out, err_out, ...)                                                             \
    ts_program ("campaign-model", NULL, out, err_out, __VA_ARGS__)

/*  dir/data.csv: 2,000 opportunities of two types from a known model. */
static char *
s_write_data (const char *dir)
{
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    rng_t rng;
    rng_seed (&rng, 17);
    fprintf (stream, "account_id,opportunity_type,utilisation,nps,segment,won\n");
    for (int i = 0; i < 2000; i++) {
        int seat = rng_below (&rng, 2) == 0;
        double u = 0.7 + 0.2 * rng_normal (&rng), nps = 20 + 40 * rng_normal (&rng);
        int enterprise = rng_below (&rng, 4) == 0;
        double eta = -0.8 + 0.4 * seat + 6 * (u - 0.7) + 0.01 * (nps - 20) + 0.6 * enterprise;
        fprintf (stream, "A-%05d,%s,%.4f,%.1f,%s,%s\n", i, seat ? "seat" : "tier", u, nps,
                 enterprise ? "enterprise" : "smb",
                 rng_unit (&rng) < 1 / (1 + exp (-eta)) ? "yes" : "no");
    }
    fclose (stream);
    char *path = ts_write_file (dir, "data.csv", text);
    free (text);
    return path;
}

Test (model_tool, fit_then_evaluate)
{
    char *dir = ts_tempdir ();
    char *data = s_write_data (dir);
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/model.cfg", dir) > 0);
    char *out = NULL, *err = NULL;
    int rc = s_model (&out, &err, "fit", data, "--out", path, "--label", "won", "--ignore",
                      "account_id", "--group", "opportunity_type", "--seed", "3", NULL);
    cr_assert_eq (rc, 0, "rc %d: %s", rc, err);
    cr_expect (strstr (out, "group 'seat'") && strstr (out, "group 'tier'"), "%s", out);
    cr_expect (strstr (out, "cross-validated (5 folds): AUC"), "%s", out);
    cr_expect (strstr (out, "segment = enterprise"), "%s", out);
    free (out);
    free (err);

    model_t *model = NULL;
    err_t error;
    cr_assert_eq (model_load (path, &model, &error), 0, "%s", error.msg);
    cr_expect_eq (model_groups (model), 2);
    cr_expect_eq (model_trained_on (model), 2000);
    cr_expect_str_eq (model_group (model, 0)->categorical[0].reference, "smb");
    double auc = 0;
    cr_expect (model_cv (model, NULL, &auc, NULL));
    cr_expect_gt (auc, 0.6);
    model_destroy (&model);

    rc = s_model (&out, &err, "evaluate", path, data, NULL);
    cr_assert_eq (rc, 0, "rc %d: %s", rc, err);
    cr_expect (strstr (out, "AUC") && strstr (out, "ECE") && strstr (out, "log loss"), "%s",
               out);
    cr_expect (strstr (out, "\n10 "), "ten deciles: %s", out);
    free (out);
    free (err);

    rc = s_model (&out, &err, "evaluate", path, data, "--json", "--bins", "5", NULL);
    cr_assert_eq (rc, 0, "rc %d: %s", rc, err);
    json_error_t jerr;
    json_t *root = json_loads (out, 0, &jerr);
    cr_assert_not_null (root, "%s: %s", jerr.text, out);
    cr_expect_eq (json_integer_value (json_object_get (root, "rows")), 2000);
    double json_auc = json_real_value (json_object_get (root, "auc"));
    cr_expect (json_auc > 0.6 && json_auc < 1, "%g", json_auc);
    cr_expect_eq (json_array_size (json_object_get (root, "bins")), 5);
    cr_expect (json_is_real (json_object_get (root, "ece")));
    json_decref (root);
    free (out);
    free (err);
    free (data);
    free (path);
    ts_tempdir_remove (&dir);
}

Test (model_tool, bad_input_exits_4_and_writes_nothing)
{
    char *dir = ts_tempdir ();
    char *bad = ts_write_file (dir, "bad.csv", "x,won\n1,yes\n2,maybe\n");
    char *path = NULL, *tmp = NULL;
    cr_assert (asprintf (&path, "%s/model.cfg", dir) > 0);
    cr_assert (asprintf (&tmp, "%s/model.cfg.tmp", dir) > 0);
    char *err = NULL;
    int rc = s_model (NULL, &err, "fit", bad, "--out", path, "--label", "won", NULL);
    cr_expect_eq (rc, 4, "rc %d", rc);
    cr_expect (strstr (err, "bad.csv:3: column 'won': 'maybe'"), "%s", err);
    cr_expect_eq (access (path, F_OK), -1, "no model file");
    cr_expect_eq (access (tmp, F_OK), -1, "no temporary file");
    free (err);

    /*  A good model in place stays as it was when a later fit fails. */
    char *data = s_write_data (dir);
    rc = s_model (NULL, NULL, "fit", data, "--out", path, "--label", "won", "--ignore",
                  "account_id", "--folds", "0", NULL);
    cr_assert_eq (rc, 0);
    char *before = ts_read_file (path);
    char *empty_cell = ts_write_file (dir, "hole.csv", "x,y,won\n1,2,1\n3,,0\n");
    rc = s_model (NULL, &err, "fit", empty_cell, "--out", path, "--label", "won", NULL);
    cr_expect_eq (rc, 4);
    cr_expect (strstr (err, "hole.csv:3: column 'y': empty cell"), "%s", err);
    char *after = ts_read_file (path);
    cr_expect_str_eq (before, after);
    free (err);

    rc = s_model (NULL, &err, "fit", "/nonexistent/data.csv", "--out", path, "--label", "won",
                  NULL);
    cr_expect_eq (rc, 4, "an unreadable input is bad input");
    free (err);

    /*  A broken model file: file:line. */
    char *broken =
        ts_write_file (dir, "broken.cfg", "model = {\n version = 1\n label = 1; };\n");
    rc = s_model (NULL, &err, "evaluate", broken, data, NULL);
    cr_expect_eq (rc, 4);
    cr_expect (strstr (err, "broken.cfg:3:"), "%s", err);
    free (err);

    /*  Evaluation data without a column the model needs. */
    rc = s_model (NULL, &err, "evaluate", path, bad, NULL);
    cr_expect_eq (rc, 4);
    cr_expect (strstr (err, "bad.csv:1: missing feature column"), "%s", err);
    free (err);

    free (before);
    free (after);
    free (empty_cell);
    free (broken);
    free (data);
    free (bad);
    free (path);
    free (tmp);
    ts_tempdir_remove (&dir);
}

Test (model_tool, misuse_exits_2_and_unwritable_output_1)
{
    char *dir = ts_tempdir ();
    char *data = s_write_data (dir);
    char *out = NULL, *err = NULL;
    cr_expect_eq (s_model (&out, NULL, "--help", NULL), 0);
    cr_expect (strstr (out, "Usage: campaign-model"), "%s", out);
    free (out);
    cr_expect_eq (s_model (NULL, NULL, NULL), 2, "no command");
    cr_expect_eq (s_model (NULL, NULL, "train", data, NULL), 2, "unknown command");
    cr_expect_eq (s_model (NULL, NULL, "fit", data, "--out", "m.cfg", NULL), 2, "no label");
    cr_expect_eq (s_model (NULL, NULL, "fit", data, "--label", "won", NULL), 2, "no --out");
    cr_expect_eq (s_model (NULL, NULL, "fit", data, "--out", "m.cfg", "--label", "won",
                           "--folds", "1", NULL),
                  2);
    cr_expect_eq (s_model (NULL, NULL, "fit", data, "--out", "m.cfg", "--label", "won",
                           "--lambda", "-1", NULL),
                  2);
    cr_expect_eq (s_model (NULL, &err, "fit", data, "--out", "m.cfg", "--label", "won",
                           "--features", "utilisation,won", NULL),
                  2, "the label as a feature");
    cr_expect (strstr (err, "both a feature and the label"), "%s", err);
    free (err);
    cr_expect_eq (s_model (NULL, NULL, "evaluate", data, NULL), 2, "evaluate needs two files");

    char *unwritable = NULL;
    cr_assert (asprintf (&unwritable, "%s/no/such/dir/m.cfg", dir) > 0);
    int rc = s_model (NULL, &err, "fit", data, "--out", unwritable, "--label", "won",
                      "--ignore", "account_id", "--folds", "0", NULL);
    cr_expect_eq (rc, 1, "rc %d: %s", rc, err);
    cr_expect (strstr (err, "cannot write"), "%s", err);
    free (err);
    free (unwritable);
    free (data);
    ts_tempdir_remove (&dir);
}
