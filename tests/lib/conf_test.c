/*  conf_test.c: layers, overrides, typed getters and the places errors name. */
#include "conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (conf);

/*  Tests name lines of these files: global.cfg 3 campaign.id, 8 broker.endpoint,
    19 thresholds.health_min, 20 thresholds.ratio; emea.cfg 2 broker.state_dir,
    6 agents.plays, 9 campaign.clock. */
static const char *s_global_cfg = "# defaults every region shares\n"
                                  "campaign = {\n"
                                  "    id = \"fy26-expansion\";\n"
                                  "    weeks = 12;\n"
                                  "    clock = \"calendar\";\n"
                                  "};\n"
                                  "broker = {\n"
                                  "    endpoint = \"tcp://127.0.0.1:5570\";\n"
                                  "    state_dir = \"/var/lib/campaign\";\n"
                                  "};\n"
                                  "agents = {\n"
                                  "    kinds = [\"identifier\", \"health\"];\n"
                                  "    plays = (\n"
                                  "        { name = \"upsell\"; weight = 0.5; },\n"
                                  "        { name = \"cross-sell\"; weight = 0.3; }\n"
                                  "    );\n"
                                  "};\n"
                                  "thresholds = {\n"
                                  "    health_min = 70;\n"
                                  "    ratio = 0.25;\n"
                                  "    whole = 3;\n"
                                  "    arr_goal = 5000000000L;\n"
                                  "    enabled = true;\n"
                                  "};\n";

static const char *s_emea_cfg = "broker = {\n"
                                "    state_dir = \"/srv/emea\";\n"
                                "};\n"
                                "agents = {\n"
                                "    kinds = [\"segmentation\"];\n"
                                "    plays = ( { name = \"expand\"; } );\n"
                                "};\n"
                                "campaign = {\n"
                                "    clock = 7;\n"
                                "};\n";

typedef struct {
    char *dir;
    char *global;
    char *emea;
    conf_t *conf;
    err_t err;
} fixture_t;

static void
s_setup (fixture_t *f, bool load)
{
    memset (f, 0, sizeof *f);
    f->dir = ts_tempdir ();
    cr_assert_not_null (f->dir);
    f->global = ts_write_file (f->dir, "global.cfg", s_global_cfg);
    f->emea = ts_write_file (f->dir, "emea.cfg", s_emea_cfg);
    cr_assert (f->global && f->emea);
    f->conf = conf_new ();
    cr_assert_not_null (f->conf);
    err_clear (&f->err);
    if (load) {
        cr_assert_eq (conf_load_file (f->conf, f->global, &f->err), 0, "%s", f->err.msg);
        cr_assert_eq (conf_load_file (f->conf, f->emea, &f->err), 0, "%s", f->err.msg);
    }
}

static void
s_teardown (fixture_t *f)
{
    conf_destroy (&f->conf);
    free (f->global);
    free (f->emea);
    ts_tempdir_remove (&f->dir);
}

/*  The string a getter gives, or "(null)"; fails the test on an error. */
static const char *
s_string (fixture_t *f, const char *path)
{
    const char *value = NULL;
    cr_assert_eq (conf_string (f->conf, path, NULL, &value, &f->err), 0, "%s", f->err.msg);
    return value ? value : "(null)";
}

static void
s_expect_where (fixture_t *f, const char *path, const char *file, int line)
{
    config_setting_t *setting = conf_lookup (f->conf, path);
    cr_assert_not_null (setting, "%s not found", path);
    char expected[512];
    if (line > 0)
        snprintf (expected, sizeof expected, "%s:%d", file, line);
    else
        snprintf (expected, sizeof expected, "%s", file);
    char where[512];
    cr_expect_str_eq (conf_where (f->conf, setting, where, sizeof where), expected, "for %s",
                      path);
}

Test (conf, later_file_overrides_setting_by_setting)
{
    fixture_t f;
    s_setup (&f, true);
    cr_assert_eq (conf_layers (f.conf), 2);
    cr_expect_str_eq (s_string (&f, "broker.state_dir"), "/srv/emea");
    /*  The group is merged, not replaced: the first file's endpoint is still there. */
    cr_expect_str_eq (s_string (&f, "broker.endpoint"), "tcp://127.0.0.1:5570");
    cr_expect_str_eq (s_string (&f, "campaign.id"), "fy26-expansion");
    s_expect_where (&f, "broker.state_dir", f.emea, 2);
    s_expect_where (&f, "broker.endpoint", f.global, 8);
    s_expect_where (&f, "campaign.id", f.global, 3);
    s_teardown (&f);
}

Test (conf, override_tops_every_file)
{
    fixture_t f;
    s_setup (&f, true);
    cr_assert_eq (conf_override (f.conf, "broker.state_dir=/tmp/x", &f.err), 0, "%s",
                  f.err.msg);
    cr_assert_eq (conf_layers (f.conf), 3);
    cr_expect_str_eq (s_string (&f, "broker.state_dir"), "/tmp/x");
    cr_expect_str_eq (s_string (&f, "broker.endpoint"), "tcp://127.0.0.1:5570");
    s_expect_where (&f, "broker.state_dir", "-o broker.state_dir", 0);

    /*  A later override wins over an earlier one. */
    cr_assert_eq (conf_override (f.conf, "broker.state_dir=/tmp/y", &f.err), 0);
    cr_expect_str_eq (s_string (&f, "broker.state_dir"), "/tmp/y");

    /*  A new setting no file has. */
    cr_assert_eq (conf_override (f.conf, "reports.dir=out/reports", &f.err), 0);
    cr_expect_str_eq (s_string (&f, "reports.dir"), "out/reports");
    s_teardown (&f);
}

Test (conf, list_and_array_replaced_whole)
{
    fixture_t f;
    s_setup (&f, true);
    config_setting_t *kinds = conf_lookup (f.conf, "agents.kinds");
    cr_assert_not_null (kinds);
    cr_assert_eq (config_setting_length (kinds), 1);
    cr_expect_str_eq (config_setting_get_string_elem (kinds, 0), "segmentation");
    cr_expect_null (conf_lookup (f.conf, "agents.kinds.[1]"),
                    "an index past the top list reached a lower layer");

    config_setting_t *plays = conf_lookup (f.conf, "agents.plays");
    cr_assert_eq (config_setting_length (plays), 1);
    cr_expect_str_eq (s_string (&f, "agents.plays.[0].name"), "expand");
    cr_expect_null (conf_lookup (f.conf, "agents.plays.[1].name"));
    cr_expect_null (conf_lookup (f.conf, "agents.plays.[0].weight"),
                    "a member of a lower layer's list element showed through");
    s_expect_where (&f, "agents.plays.[0].name", f.emea, 6);

    /*  An override list replaces the file's list as well. */
    cr_assert_eq (conf_override (f.conf, "agents.kinds=[\"a\", \"b\", \"c\"]", &f.err), 0);
    kinds = conf_lookup (f.conf, "agents.kinds");
    cr_assert_eq (config_setting_type (kinds), CONFIG_TYPE_ARRAY);
    cr_expect_eq (config_setting_length (kinds), 3);
    cr_expect_str_eq (s_string (&f, "agents.kinds.[2]"), "c");
    s_teardown (&f);
}

Test (conf, scalar_hides_lower_group)
{
    fixture_t f;
    s_setup (&f, true);
    cr_assert_eq (conf_override (f.conf, "broker=off", &f.err), 0, "%s", f.err.msg);
    cr_expect_str_eq (s_string (&f, "broker"), "off");
    cr_expect_null (conf_lookup (f.conf, "broker.endpoint"));
    s_teardown (&f);
}

Test (conf, override_value_types)
{
    fixture_t f;
    s_setup (&f, false);
    const char *assignments[] = {"a.int=42",
                                 "a.neg=-7",
                                 "a.hex=0x10",
                                 "a.big=5000000000",
                                 "a.bighex=0x1FFFFFFFF",
                                 "a.float=1.5",
                                 "a.exp=1e3",
                                 "a.bool=true",
                                 "a.no=FALSE",
                                 "a.quoted=\"x y\"",
                                 "a.path=/tmp/x",
                                 "a.word=simulated",
                                 "a.empty=",
                                 "a.list=(\"a\", 1)",
                                 "a.array=[1, 2, 3]",
                                 "a.inject=1; b = 2",
                                 "a.eq=k=v",
                                 "a.esc=say \"hi\" \\o/",
                                 "a.date=2026-01-05",
                                 "a.comment=5 // five",
                                 "a.group={ x = 1; }"};
    for (size_t i = 0; i < sizeof assignments / sizeof *assignments; i++)
        cr_assert_eq (conf_override (f.conf, assignments[i], &f.err), 0, "%s: %s",
                      assignments[i], f.err.msg);

    int64_t i64 = 0;
    cr_expect_eq (conf_int (f.conf, "a.int", 0, &i64, &f.err), 0);
    cr_expect_eq (i64, 42);
    cr_expect_eq (conf_int (f.conf, "a.neg", 0, &i64, &f.err), 0);
    cr_expect_eq (i64, -7);
    cr_expect_eq (conf_int (f.conf, "a.hex", 0, &i64, &f.err), 0);
    cr_expect_eq (i64, 16);
    cr_expect_eq (conf_int (f.conf, "a.big", 0, &i64, &f.err), 0, "%s", f.err.msg);
    cr_expect_eq (i64, 5000000000LL, "a 64-bit override was wrapped to %lld", (long long)i64);
    cr_expect_eq (conf_int (f.conf, "a.bighex", 0, &i64, &f.err), 0, "%s", f.err.msg);
    cr_expect_eq (i64, 0x1FFFFFFFFLL);

    double d = 0;
    cr_expect_eq (conf_double (f.conf, "a.float", 0, &d, &f.err), 0);
    cr_expect_float_eq (d, 1.5, 1e-12);
    cr_expect_eq (conf_double (f.conf, "a.exp", 0, &d, &f.err), 0);
    cr_expect_float_eq (d, 1000.0, 1e-9);

    bool b = false;
    cr_expect_eq (conf_bool (f.conf, "a.bool", false, &b, &f.err), 0);
    cr_expect (b);
    cr_expect_eq (conf_bool (f.conf, "a.no", true, &b, &f.err), 0);
    cr_expect_not (b);

    cr_expect_str_eq (s_string (&f, "a.quoted"), "x y");
    cr_expect_str_eq (s_string (&f, "a.path"), "/tmp/x");
    cr_expect_str_eq (s_string (&f, "a.word"), "simulated");
    cr_expect_str_eq (s_string (&f, "a.empty"), "");
    cr_expect_str_eq (s_string (&f, "a.inject"), "1; b = 2");
    cr_expect_null (conf_lookup (f.conf, "b"), "an override defined a second setting");
    cr_expect_str_eq (s_string (&f, "a.eq"), "k=v");
    cr_expect_str_eq (s_string (&f, "a.esc"), "say \"hi\" \\o/");
    cr_expect_str_eq (s_string (&f, "a.date"), "2026-01-05");
    cr_expect_str_eq (s_string (&f, "a.comment"), "5 // five");
    cr_expect_str_eq (s_string (&f, "a.group"), "{ x = 1; }");

    config_setting_t *list = conf_lookup (f.conf, "a.list");
    cr_assert_not_null (list);
    cr_expect_eq (config_setting_type (list), CONFIG_TYPE_LIST);
    cr_expect_eq (config_setting_length (list), 2);
    config_setting_t *array = conf_lookup (f.conf, "a.array");
    cr_assert_not_null (array);
    cr_expect_eq (config_setting_type (array), CONFIG_TYPE_ARRAY);
    cr_expect_eq (config_setting_get_int_elem (array, 2), 3);
    s_teardown (&f);
}

Test (conf, override_misuse)
{
    fixture_t f;
    s_setup (&f, false);
    const char *bad[] = {"broker.state_dir",  "=x",   "1broker=x", "broker..dir=x",
                         "broker.=x",         ".a=x", "a b=x",     "broker.[0]=x",
                         "broker.state dir=1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err_clear (&f.err);
        cr_expect_eq (conf_override (f.conf, bad[i], &f.err), ERR_USAGE, "accepted '%s'",
                      bad[i]);
        cr_expect_not_null (strstr (f.err.msg, bad[i]), "'%s' not named in: %s", bad[i],
                            f.err.msg);
    }
    cr_expect_eq (conf_layers (f.conf), 0);
    cr_expect_eq (conf_override (f.conf, "*wild-card_1.x-y=1", &f.err), 0, "%s", f.err.msg);
    s_teardown (&f);
}

Test (conf, wrong_type_names_file_line_and_path)
{
    fixture_t f;
    s_setup (&f, true);
    const char *value = "unchanged";
    cr_assert_eq (conf_string (f.conf, "campaign.clock", "calendar", &value, &f.err),
                  ERR_INVALID);
    cr_expect_str_eq (value, "unchanged", "output written on error");
    char expected[600];
    snprintf (expected, sizeof expected,
              "%s:9: setting 'campaign.clock': expected a string, found an integer", f.emea);
    cr_expect_str_eq (f.err.msg, expected);
    cr_expect_eq (f.err.code, ERR_INVALID);

    int64_t i64 = 99;
    cr_expect_eq (conf_int (f.conf, "campaign.id", 0, &i64, &f.err), ERR_INVALID);
    cr_expect_eq (i64, 99);
    cr_expect_not_null (strstr (f.err.msg, "expected an integer, found a string"), "%s",
                        f.err.msg);
    cr_expect_not_null (strstr (f.err.msg, "global.cfg:3:"), "%s", f.err.msg);

    cr_expect_eq (conf_int (f.conf, "thresholds.ratio", 0, &i64, &f.err), ERR_INVALID);
    bool b;
    cr_expect_eq (conf_bool (f.conf, "thresholds.health_min", false, &b, &f.err), ERR_INVALID);
    cr_expect_not_null (strstr (f.err.msg, "'thresholds.health_min'"), "%s", f.err.msg);
    double d;
    cr_expect_eq (conf_double (f.conf, "broker", 0, &d, &f.err), ERR_INVALID);
    cr_expect_not_null (strstr (f.err.msg, "found a group"), "%s", f.err.msg);
    cr_expect_eq (conf_string (f.conf, "agents.kinds", NULL, &value, &f.err), ERR_INVALID);
    cr_expect_not_null (strstr (f.err.msg, "found an array"), "%s", f.err.msg);

    /*  An override's error shows the whole -o as given. */
    cr_assert_eq (conf_override (f.conf, "campaign.weeks=abc", &f.err), 0);
    cr_expect_eq (conf_int (f.conf, "campaign.weeks", 12, &i64, &f.err), ERR_INVALID);
    cr_expect_str_eq (f.err.msg, "-o campaign.weeks=abc: setting 'campaign.weeks': expected "
                                 "an integer, found a string");
    s_teardown (&f);
}

Test (conf, getters_types_and_defaults)
{
    fixture_t f;
    s_setup (&f, true);
    int64_t i64 = 0;
    cr_expect_eq (conf_int (f.conf, "thresholds.health_min", 0, &i64, &f.err), 0);
    cr_expect_eq (i64, 70);
    cr_expect_eq (conf_int (f.conf, "thresholds.arr_goal", 0, &i64, &f.err), 0);
    cr_expect_eq (i64, 5000000000LL);
    cr_expect_eq (conf_int (f.conf, "thresholds.missing", -3, &i64, &f.err), 0);
    cr_expect_eq (i64, -3);

    double d = 0;
    cr_expect_eq (conf_double (f.conf, "thresholds.ratio", 0, &d, &f.err), 0);
    cr_expect_float_eq (d, 0.25, 1e-12);
    /*  An int where a double is asked for, both 32- and 64-bit. */
    cr_expect_eq (conf_double (f.conf, "thresholds.whole", 0, &d, &f.err), 0);
    cr_expect_float_eq (d, 3.0, 1e-12);
    cr_expect_eq (conf_double (f.conf, "thresholds.arr_goal", 0, &d, &f.err), 0);
    cr_expect_float_eq (d, 5e9, 1e-3);
    cr_expect_eq (conf_double (f.conf, "nowhere.at.all", 2.5, &d, &f.err), 0);
    cr_expect_float_eq (d, 2.5, 1e-12);

    bool b = false;
    cr_expect_eq (conf_bool (f.conf, "thresholds.enabled", false, &b, &f.err), 0);
    cr_expect (b);
    cr_expect_eq (conf_bool (f.conf, "thresholds.missing", true, &b, &f.err), 0);
    cr_expect (b);

    const char *s = "x";
    cr_expect_eq (conf_string (f.conf, "reports.dir", NULL, &s, &f.err), 0);
    cr_expect_null (s);
    cr_expect_eq (conf_string (f.conf, "reports.dir", "reports", &s, &f.err), 0);
    cr_expect_str_eq (s, "reports");

    cr_expect_null (conf_lookup (f.conf, ""));
    cr_expect_null (conf_lookup (f.conf, NULL));
    cr_expect_null (conf_lookup (f.conf, "broker..endpoint"));
    cr_expect_null (conf_lookup (f.conf, "agents.kinds.[x]"));
    cr_expect_null (conf_lookup (f.conf, "agents.kinds.[-1]"));
    s_teardown (&f);
}

Test (conf, range_checks)
{
    fixture_t f;
    s_setup (&f, true);
    int64_t i64 = 0;
    cr_expect_eq (conf_int_range (f.conf, "thresholds.health_min", 0, 0, 100, &i64, &f.err), 0);
    cr_expect_eq (i64, 70);
    i64 = 1;
    cr_expect_eq (conf_int_range (f.conf, "thresholds.health_min", 0, 0, 50, &i64, &f.err),
                  ERR_INVALID);
    cr_expect_eq (i64, 1);
    char expected[600];
    snprintf (expected, sizeof expected,
              "%s:19: setting 'thresholds.health_min': 70 is out of range; it must be 0 to 50",
              f.global);
    cr_expect_str_eq (f.err.msg, expected);
    /*  The default is the program's, not checked. */
    cr_expect_eq (conf_int_range (f.conf, "campaign.missing", 12, 1, 52, &i64, &f.err), 0);
    cr_expect_eq (i64, 12);

    double d = 0;
    cr_expect_eq (conf_double_range (f.conf, "thresholds.ratio", 0, 0, 1, &d, &f.err), 0);
    cr_expect_float_eq (d, 0.25, 1e-12);
    cr_expect_eq (conf_double_range (f.conf, "thresholds.ratio", 0, 0.5, 1, &d, &f.err),
                  ERR_INVALID);
    cr_expect_not_null (strstr (f.err.msg, "'thresholds.ratio': 0.25 is out of range"), "%s",
                        f.err.msg);
    cr_expect_not_null (strstr (f.err.msg, "global.cfg:20:"), "%s", f.err.msg);
    /*  Bounds are inclusive. */
    cr_expect_eq (conf_double_range (f.conf, "thresholds.ratio", 0, 0.25, 0.25, &d, &f.err), 0);
    cr_expect_eq (conf_int_range (f.conf, "thresholds.health_min", 0, 70, 70, &i64, &f.err), 0);

    /*  A type error comes before the range. */
    cr_expect_eq (conf_int_range (f.conf, "campaign.id", 0, 0, 1, &i64, &f.err), ERR_INVALID);
    cr_expect_not_null (strstr (f.err.msg, "expected an integer"), "%s", f.err.msg);

    cr_assert_eq (conf_override (f.conf, "campaign.weeks=60", &f.err), 0);
    cr_expect_eq (conf_int_range (f.conf, "campaign.weeks", 12, 1, 52, &i64, &f.err),
                  ERR_INVALID);
    cr_expect_str_eq (f.err.msg, "-o campaign.weeks=60: setting 'campaign.weeks': 60 is out "
                                 "of range; it must be 1 to 52");
    s_teardown (&f);
}

Test (conf, setting_number_reads_list_elements)
{
    fixture_t f;
    s_setup (&f, true);
    double d = -1;
    cr_expect_eq (conf_setting_number (conf_lookup (f.conf, "thresholds.ratio"), &d), 0);
    cr_expect_float_eq (d, 0.25, 1e-12);
    cr_expect_eq (conf_setting_number (conf_lookup (f.conf, "thresholds.health_min"), &d), 0);
    cr_expect_float_eq (d, 70, 1e-12);
    cr_expect_eq (conf_setting_number (conf_lookup (f.conf, "thresholds.arr_goal"), &d), 0);
    cr_expect_float_eq (d, 5e9, 1);
    /*  Not numbers: a string, a boolean, a list, nothing at all. */
    cr_expect_eq (conf_setting_number (conf_lookup (f.conf, "campaign.id"), &d), -1);
    cr_expect_eq (conf_setting_number (conf_lookup (f.conf, "thresholds.enabled"), &d), -1);
    cr_expect_eq (conf_setting_number (conf_lookup (f.conf, "agents.kinds"), &d), -1);
    cr_expect_eq (conf_setting_number (NULL, &d), -1);
    /*  An element of a list, the use the plain getters cannot reach. */
    cr_assert_eq (conf_override (f.conf, "campaign.weights=[3, 4]", &f.err), 0, "%s",
                  f.err.msg);
    config_setting_t *list = conf_lookup (f.conf, "campaign.weights");
    cr_assert_not_null (list);
    cr_expect_eq (conf_setting_number (config_setting_get_elem (list, 1), &d), 0);
    cr_expect_float_eq (d, 4, 1e-12);
    cr_expect_eq (conf_setting_number (config_setting_get_elem (list, 2), &d), -1);
    s_teardown (&f);
}

/*  A required text member of a list element: copied, or refused naming file:line, the
    list and the key (missing, empty, not a string, too long). */
Test (conf, member_text_of_a_list_element)
{
    fixture_t f;
    s_setup (&f, false);
    cr_assert_eq (conf_load_file (f.conf, f.global, &f.err), 0, "%s", f.err.msg);
    config_setting_t *plays = conf_lookup (f.conf, "agents.plays");
    cr_assert_not_null (plays);
    config_setting_t *upsell = config_setting_get_elem (plays, 0);
    char out[16];
    cr_expect_eq (
        conf_member_text (f.conf, upsell, "agents.plays", "name", out, sizeof out, &f.err), 0,
        "%s", f.err.msg);
    cr_expect_str_eq (out, "upsell");
    char small[4];
    cr_expect_eq (
        conf_member_text (f.conf, upsell, "agents.plays", "name", small, sizeof small, &f.err),
        ERR_INVALID);
    cr_expect (strstr (f.err.msg, "global.cfg:"), "%s", f.err.msg);
    cr_expect (strstr (f.err.msg, "agents.plays: 'name' must be a string of 1 to 3"), "%s",
               f.err.msg);
    cr_expect_eq (
        conf_member_text (f.conf, upsell, "agents.plays", "weight", out, sizeof out, &f.err),
        ERR_INVALID, "a number is not text");
    cr_expect_eq (
        conf_member_text (f.conf, upsell, "agents.plays", "missing", out, sizeof out, &f.err),
        ERR_INVALID);
    s_teardown (&f);
}

Test (conf, missing_file)
{
    fixture_t f;
    s_setup (&f, false);
    char path[512];
    snprintf (path, sizeof path, "%s/absent.cfg", f.dir);
    cr_expect_eq (conf_load_file (f.conf, path, &f.err), ERR_IO);
    cr_expect_not_null (strstr (f.err.msg, path), "%s", f.err.msg);
    cr_expect_not_null (strstr (f.err.msg, "No such file"), "%s", f.err.msg);
    cr_expect_eq (conf_layers (f.conf), 0);

    cr_expect_eq (conf_load_file (f.conf, f.dir, &f.err), ERR_IO);
    cr_expect_not_null (strstr (f.err.msg, "directory"), "%s", f.err.msg);
    cr_expect_eq (conf_layers (f.conf), 0);
    s_teardown (&f);
}

Test (conf, parse_error_names_file_and_line)
{
    fixture_t f;
    s_setup (&f, false);
    char *bad = ts_write_file (f.dir, "bad.cfg",
                               "campaign = {\n"
                               "    id = \"x\";\n"
                               "    weeks = ;\n"
                               "};\n");
    cr_assert_not_null (bad);
    cr_assert_eq (conf_load_file (f.conf, f.global, &f.err), 0);
    cr_expect_eq (conf_load_file (f.conf, bad, &f.err), ERR_PARSE);
    char prefix[600];
    snprintf (prefix, sizeof prefix, "%s:3: ", bad);
    cr_expect_eq (strncmp (f.err.msg, prefix, strlen (prefix)), 0, "'%s' does not start '%s'",
                  f.err.msg, prefix);
    cr_expect_gt (strlen (f.err.msg), strlen (prefix), "no libconfig message: %s", f.err.msg);
    /*  Nothing of the bad file was pushed; the good layer still answers. */
    cr_expect_eq (conf_layers (f.conf), 1);
    cr_expect_str_eq (s_string (&f, "campaign.id"), "fy26-expansion");
    free (bad);
    s_teardown (&f);
}

Test (conf, destroy_is_null_safe)
{
    conf_t *conf = NULL;
    conf_destroy (&conf);
    conf_destroy (NULL);
    conf = conf_new ();
    cr_assert_eq (conf_layers (conf), 0);
    cr_assert_null (conf_lookup (conf, "broker.endpoint"));
    conf_destroy (&conf);
    cr_assert_null (conf);
}
