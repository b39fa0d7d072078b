/*  cli_test.c: the command-line contract every executable shares (SPEC section 8). */
#include "test_support.h"

#include "cli.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

TS_SUITE (cli);

static const char s_usage[] = "Usage: prog [-c FILE]... [-o PATH=VALUE]...\n\nA test.\n";

/*  Run cli_start on the NULL-terminated words with stdout/stderr silenced. */
static int
s_start (cli_t *cli, char **words)
{
    int argc = 0;
    while (words[argc])
        argc++;
    fflush (NULL);
    int saved_out = dup (1), saved_err = dup (2);
    FILE *null = fopen ("/dev/null", "w");
    dup2 (fileno (null), 1);
    dup2 (fileno (null), 2);
    int rc = cli_start (cli, argc, words, s_usage);
    fflush (NULL);
    dup2 (saved_out, 1);
    dup2 (saved_err, 2);
    close (saved_out);
    close (saved_err);
    fclose (null);
    return rc;
}

Test (cli, common_options_are_taken_and_the_rest_kept_in_order)
{
    char *dir = ts_tempdir ();
    char *a = ts_write_file (dir, "a.cfg", "x = { y = 1; z = \"a\"; };\n");
    char *b = ts_write_file (dir, "b.cfg", "x = { y = 2; };\n");
    char *words[] = {"/usr/bin/prog", "-c",   a,   "first", "--flag", "-c", b, "-o",
                     "x.z=b",         "last", NULL};
    cli_t cli;
    cr_assert_eq (s_start (&cli, words), -1, "go on");
    cr_expect_str_eq (cli.program, "prog");
    cr_assert_eq (cli.argc, 3);
    cr_expect_str_eq (cli.argv[0], "first");
    cr_expect_str_eq (cli.argv[1], "--flag");
    cr_expect_str_eq (cli.argv[2], "last");
    int64_t y;
    const char *z;
    err_t err;
    cr_assert_eq (conf_int (cli.conf, "x.y", 0, &y, &err), 0);
    cr_expect_eq (y, 2, "the later file wins");
    cr_assert_eq (conf_string (cli.conf, "x.z", NULL, &z, &err), 0);
    cr_expect_str_eq (z, "b", "-o wins over both");
    /*  SIGHUP's reload reads the files again. */
    FILE *file = fopen (b, "w");
    fputs ("x = { y = 3; };\n", file);
    fclose (file);
    cr_assert_eq (cli_reload (&cli, &err), 0, "%s", err.msg);
    cr_assert_eq (conf_int (cli.conf, "x.y", 0, &y, &err), 0);
    cr_expect_eq (y, 3);
    cli_end (&cli);
    free (a);
    free (b);
    ts_tempdir_remove (&dir);
}

Test (cli, help_version_usage_and_configuration_errors_have_their_exit_codes)
{
    cli_t cli;
    char *help[] = {"prog", "--help", NULL};
    cr_expect_eq (s_start (&cli, help), CLI_EXIT_OK);
    char *version[] = {"prog", "--version", NULL};
    cr_expect_eq (s_start (&cli, version), CLI_EXIT_OK);
    char *missing[] = {"prog", "-c", NULL};
    cr_expect_eq (s_start (&cli, missing), CLI_EXIT_USAGE);
    char *no_equals[] = {"prog", "-c", "/dev/null", "-o", "broker.state_dir", NULL};
    cr_expect_eq (s_start (&cli, no_equals), CLI_EXIT_USAGE);
    char *no_file[] = {"prog", "-c", "/nonexistent/campaign.cfg", NULL};
    cr_expect_eq (s_start (&cli, no_file), CLI_EXIT_CONFIG);
    char *dir = ts_tempdir ();
    char *bad = ts_write_file (dir, "bad.cfg", "x = ;\n");
    char *broken[] = {"prog", "-c", bad, NULL};
    cr_expect_eq (s_start (&cli, broken), CLI_EXIT_CONFIG);
    free (bad);
    ts_tempdir_remove (&dir);
}

Test (cli, error_codes_map_to_the_documented_exit_codes)
{
    cr_expect_eq (cli_exit_code (ERR_OK), 0);
    cr_expect_eq (cli_exit_code (ERR_INVALID), 1);
    cr_expect_eq (cli_exit_code (ERR_REJECTED), 1);
    cr_expect_eq (cli_exit_code (ERR_USAGE), 2);
    cr_expect_eq (cli_exit_code (ERR_UNREACHABLE), 3);
    cr_expect_eq (cli_exit_code (ERR_TIMEOUT), 3);
}

Test (cli, whole_numbers_within_a_range)
{
    unsigned long long n = 7;
    cr_expect (cli_whole_number ("42", 1, 100, &n));
    cr_expect_eq (n, 42);
    cr_expect (cli_whole_number ("0", 0, 0, &n));
    cr_expect (cli_whole_number ("18446744073709551615", 0, UINT64_MAX, &n));
    cr_expect_eq (n, UINT64_MAX);
    n = 7;
    const char *refused[] = {
        "", "-1", "+1", " 1", "1 ", "1x", "0x10", "101", "18446744073709551616"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        cr_expect_not (cli_whole_number (refused[i], 0, 100, &n), "'%s' refused", refused[i]);
    cr_expect_not (cli_whole_number ("18446744073709551616", 0, UINT64_MAX, &n), "overflow");
    cr_expect_not (cli_whole_number (NULL, 0, 1, &n));
    cr_expect_not (cli_whole_number ("5", 6, 10, &n), "below the range");
    cr_expect_eq (n, 7, "untouched when refused");
}
