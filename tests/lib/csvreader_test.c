/*  csvreader_test.c: the CSV reader against RFC 4180 corner cases, the line numbers
    its messages give, and the wording of every typed getter's error. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvreader.h"

TS_SUITE (csvreader);

/*  Parse text (as a string) under the name "t.csv"; asserts success. */
static csvreader_t *
s_parse (const char *text)
{
    csvreader_t *csv = NULL;
    err_t err = {0};
    int rc = csvreader_parse ("t.csv", text, strlen (text), &csv, &err);
    cr_assert_eq (rc, 0, "parse failed: %s", err.msg);
    cr_assert_not_null (csv);
    return csv;
}

/*  Parse text expecting failure with code; the message must contain every fragment. */
static void
s_parse_fails (const char *text, size_t size, int code, const char *const *fragments)
{
    csvreader_t *csv = NULL;
    err_t err = {0};
    int rc = csvreader_parse ("t.csv", text, size, &csv, &err);
    cr_assert_eq (rc, code, "rc %d (%s), expected %d", rc, err.msg, code);
    cr_assert_null (csv);
    for (size_t i = 0; fragments[i]; i++)
        cr_assert (strstr (err.msg, fragments[i]), "'%s' not in '%s'", fragments[i], err.msg);
}

static void
s_assert_mentions (const err_t *err, const char *const *fragments)
{
    for (size_t i = 0; fragments[i]; i++)
        cr_assert (strstr (err->msg, fragments[i]), "'%s' not in '%s'", fragments[i], err->msg);
}

static const char *
s_cell (csvreader_t *csv, size_t row, const char *column)
{
    return csvreader_cell (csv, row, csvreader_column (csv, column));
}

Test (csvreader, reads_header_and_rows)
{
    csvreader_t *csv = s_parse ("id,name,arr\nA-1,Acme,100\nA-2,Globex,250.5\n");
    cr_assert_str_eq (csvreader_name (csv), "t.csv");
    cr_assert_eq (csvreader_rows (csv), 2);
    cr_assert_eq (csvreader_column (csv, "id"), 0);
    cr_assert_eq (csvreader_column (csv, "arr"), 2);
    cr_assert_eq (csvreader_column (csv, "nope"), -1);
    cr_assert_str_eq (s_cell (csv, 0, "name"), "Acme");
    cr_assert_str_eq (s_cell (csv, 1, "arr"), "250.5");
    cr_assert_eq (csvreader_line (csv, 0), 2);
    cr_assert_eq (csvreader_line (csv, 1), 3);
    /*  Out of range asks get an empty cell, not a crash. */
    cr_assert_str_eq (csvreader_cell (csv, 5, 0), "");
    cr_assert_str_eq (csvreader_cell (csv, 0, -1), "");
    csvreader_destroy (&csv);
    cr_assert_null (csv);
    csvreader_destroy (&csv);
}

Test (csvreader, quoting)
{
    csvreader_t *csv = s_parse ("id,name,note\n"
                                "A-1,\"Northwind, Inc.\",\"said \"\"hi\"\"\"\n"
                                "A-2,\"two\nlines\",\"and\nthree\nlines\"\n"
                                "A-3,plain,\"\"\n");
    cr_assert_eq (csvreader_rows (csv), 3);
    cr_assert_str_eq (s_cell (csv, 0, "name"), "Northwind, Inc.");
    cr_assert_str_eq (s_cell (csv, 0, "note"), "said \"hi\"");
    cr_assert_str_eq (s_cell (csv, 1, "name"), "two\nlines");
    cr_assert_str_eq (s_cell (csv, 1, "note"), "and\nthree\nlines");
    cr_assert_str_eq (s_cell (csv, 2, "note"), "");
    cr_assert_eq (csvreader_line (csv, 0), 2);
    cr_assert_eq (csvreader_line (csv, 1), 3);
    /*  The quoted cells of row 2 span lines 3..6, so the next row is on line 7. */
    cr_assert_eq (csvreader_line (csv, 2), 7);
    csvreader_destroy (&csv);
}

Test (csvreader, line_of_error_after_multiline_cell)
{
    const char *text = "id,n\nA-1,\"x\ny\nz\"\nA-2,1,extra\n";
    s_parse_fails (text, strlen (text), ERR_INVALID,
                   (const char *const[]){"t.csv:5:", "3 cells", "header has 2", NULL});
}

Test (csvreader, crlf)
{
    csvreader_t *csv = s_parse ("id,name\r\nA-1,\"a\r\nb\"\r\nA-2,Globex\r\n");
    cr_assert_eq (csvreader_rows (csv), 2);
    cr_assert_str_eq (s_cell (csv, 0, "name"), "a\r\nb");
    cr_assert_str_eq (s_cell (csv, 1, "name"), "Globex");
    cr_assert_eq (csvreader_line (csv, 1), 4);
    csvreader_destroy (&csv);
}

Test (csvreader, lone_cr_ends_lines)
{
    csvreader_t *csv = s_parse ("id,name\rA-1,Acme\rA-2,Globex");
    cr_assert_eq (csvreader_rows (csv), 2);
    cr_assert_str_eq (s_cell (csv, 1, "name"), "Globex");
    cr_assert_eq (csvreader_line (csv, 1), 3);
    csvreader_destroy (&csv);
}

Test (csvreader, no_final_newline)
{
    csvreader_t *csv = s_parse ("id,name\nA-1,Acme\nA-2,\"Glo\nbex\"");
    cr_assert_eq (csvreader_rows (csv), 2);
    cr_assert_str_eq (s_cell (csv, 1, "name"), "Glo\nbex");
    cr_assert_eq (csvreader_line (csv, 1), 3);
    csvreader_destroy (&csv);
}

Test (csvreader, strips_bom)
{
    csvreader_t *csv = s_parse ("\xEF\xBB\xBFid,name\nA-1,Acme\n");
    cr_assert_eq (csvreader_column (csv, "id"), 0);
    cr_assert_eq (csvreader_line (csv, 0), 2);
    csvreader_destroy (&csv);
    const char *only_bom = "\xEF\xBB\xBF";
    s_parse_fails (only_bom, strlen (only_bom), ERR_INVALID,
                   (const char *const[]){"t.csv", "empty", NULL});
}

Test (csvreader, accepts_multibyte_utf8)
{
    csvreader_t *csv = s_parse ("id,name\nA-1,Société Générale\nA-2,日本電気\nA-3,🚀 Rocket\n"
                                "A-4,\xF4\x8F\xBF\xBF\n");
    cr_assert_str_eq (s_cell (csv, 1, "name"), "日本電気");
    csvreader_destroy (&csv);
}

Test (csvreader, rejects_invalid_utf8_naming_line)
{
    static const struct {
        const char *text;
        const char *line;
    } cases[] = {
        {"id,name\nA-1,ok\nA-2,caf\xE9\n", "t.csv:3:"},                  /* Latin-1 */
        {"id,name\nA-1,\xC0\xAF\n", "t.csv:2:"},                         /* overlong '/' */
        {"id,name\nA-1,\xE0\x80\xAF\n", "t.csv:2:"},                     /* overlong, 3 bytes */
        {"id,name\nA-1,\xED\xA0\x80\n", "t.csv:2:"},                     /* surrogate */
        {"id,name\nA-1,\xF4\x90\x80\x80\n", "t.csv:2:"},                 /* above U+10FFFF */
        {"id,name\nA-1,ok\r\nA-2,\"x\ny\"\nA-3,\xE2\x82\n", "t.csv:5:"}, /* truncated */
        {"id,name\nA-1,\"a\nb\xFF\"\n", "t.csv:3:"}, /* inside a quoted cell */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        s_parse_fails (cases[i].text, strlen (cases[i].text), ERR_PARSE,
                       (const char *const[]){cases[i].line, "UTF-8", NULL});
}

Test (csvreader, rejects_nul_byte)
{
    const char text[] = "id,name\nA-1,a\0b\n";
    s_parse_fails (text, sizeof text - 1, ERR_PARSE,
                   (const char *const[]){"t.csv:2:", "NUL", NULL});
}

Test (csvreader, unterminated_quote)
{
    const char *text = "id,name\nA-1,Acme\nA-2,\"Globex\nA-3,Initech\n";
    s_parse_fails (text, strlen (text), ERR_PARSE,
                   (const char *const[]){"t.csv:3:", "never closed", NULL});
}

Test (csvreader, malformed_quotes)
{
    const char *after = "id,name\nA-1,\"Acme\"x\n";
    s_parse_fails (after, strlen (after), ERR_PARSE,
                   (const char *const[]){"t.csv:2:", "quot", NULL});
    const char *inside = "id,name\nA-1,ok\nA-2,Ac\"me\n";
    s_parse_fails (inside, strlen (inside), ERR_PARSE,
                   (const char *const[]){"t.csv:3:", "quot", NULL});
}

Test (csvreader, extra_cells)
{
    const char *text = "id,name\nA-1,Acme\nA-2,Acme, Inc.\n";
    s_parse_fails (text, strlen (text), ERR_INVALID,
                   (const char *const[]){"t.csv:3:", "3 cells", "header has 2", NULL});
}

Test (csvreader, short_rows)
{
    const char *text = "id,name,arr\nA-1,Acme,1\nA-2,Globex\n";
    s_parse_fails (text, strlen (text), ERR_INVALID,
                   (const char *const[]){"t.csv:3:", "2 cells", "header has 3", NULL});
}

Test (csvreader, blank_lines_are_skipped_but_counted)
{
    csvreader_t *csv = s_parse ("id,name\n\nA-1,Acme\n   \n\r\nA-2,Globex\n\n");
    cr_assert_eq (csvreader_rows (csv), 2);
    cr_assert_eq (csvreader_line (csv, 0), 3);
    cr_assert_eq (csvreader_line (csv, 1), 6);
    csvreader_destroy (&csv);
}

Test (csvreader, header_after_blank_lines)
{
    csvreader_t *csv = s_parse ("\n\nid,name\nA-1,Acme\n");
    cr_assert_eq (csvreader_line (csv, 0), 4);
    csvreader_destroy (&csv);
    csv = s_parse ("\n\nid,name\n");
    err_t err = {0};
    cr_assert_eq (csvreader_require (csv, (const char *const[]){"id", "arr", NULL}, &err),
                  ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:3:", "'arr'", NULL});
    csvreader_destroy (&csv);
}

Test (csvreader, unknown_columns_and_any_order)
{
    csvreader_t *csv = s_parse ("notes,arr,legacy_code,id\nhello,100,X9,A-1\n");
    cr_assert_eq (csvreader_column (csv, "id"), 3);
    cr_assert_eq (csvreader_column (csv, "arr"), 1);
    err_t err = {0};
    cr_assert_eq (csvreader_require (csv, (const char *const[]){"id", "arr", NULL}, &err), 0);
    double arr = 0;
    cr_assert_eq (csvreader_double (csv, 0, "arr", 0, 1e12, &arr, &err), 0);
    cr_assert_float_eq (arr, 100.0, 1e-9);
    csvreader_destroy (&csv);
}

Test (csvreader, missing_required_column)
{
    csvreader_t *csv = s_parse ("id,name\nA-1,Acme\n");
    err_t err = {0};
    int rc = csvreader_require (csv, (const char *const[]){"id", "arr", "name", NULL}, &err);
    cr_assert_eq (rc, ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:1: missing required column 'arr'");
    double arr;
    rc = csvreader_double (csv, 0, "arr", 0, 1, &arr, &err);
    cr_assert_eq (rc, ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:1:", "'arr'", NULL});
    csvreader_destroy (&csv);
}

Test (csvreader, duplicate_header_and_empty_file)
{
    const char *dup = "id,name,id\nA-1,Acme,A-1\n";
    s_parse_fails (dup, strlen (dup), ERR_INVALID,
                   (const char *const[]){"t.csv:1:", "'id'", "twice", NULL});
    s_parse_fails ("", 0, ERR_INVALID, (const char *const[]){"t.csv", "empty", NULL});
    s_parse_fails ("\n \n", 3, ERR_INVALID, (const char *const[]){"t.csv", "empty", NULL});
    csvreader_t *csv = s_parse ("id,name\n");
    cr_assert_eq (csvreader_rows (csv), 0);
    csvreader_destroy (&csv);
}

Test (csvreader, unquoted_spaces_trimmed_quoted_kept)
{
    csvreader_t *csv = s_parse ("id,name\n  A-1 ,\"  Acme  \"\n");
    cr_assert_str_eq (s_cell (csv, 0, "id"), "A-1");
    cr_assert_str_eq (s_cell (csv, 0, "name"), "  Acme  ");
    csvreader_destroy (&csv);
}

/*  A file with one row per getter case; row r is on line r + 2. */
static csvreader_t *
s_typed (void)
{
    return s_parse ("id,num,count,flag,segment,label,day\n"
                    "A-1, 12.5 ,42,yes,smb,Acme,2025-03-31\n"
                    "A-2,12x,4.5,maybe,SMB,,2025-02-30\n"
                    "A-3,nan,99999999999999999999,No,big,\"  \",31/03/2025\n"
                    "A-4,140,-3,TRUE,enterprise,x,\n"
                    "A-5,,,0,,y, 2024-02-29 \n"
                    "A-6,inf,1e3,1,mid-market,z,2025-3-1\n"
                    "A-7,0x10,+7,false,mid-market,z,2025-03-01\n");
}

Test (csvreader, double_getter)
{
    csvreader_t *csv = s_typed ();
    err_t err = {0};
    double value = -1;
    cr_assert_eq (csvreader_double (csv, 0, "num", 0, 100, &value, &err), 0, "%s", err.msg);
    cr_assert_float_eq (value, 12.5, 1e-12);
    cr_assert_eq (csvreader_double (csv, 1, "num", 0, 100, &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:3: column 'num': '12x' is not a number");
    cr_assert_eq (csvreader_double (csv, 2, "num", 0, 100, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:4:", "'num'", "'nan'", NULL});
    cr_assert_eq (csvreader_double (csv, 3, "num", -100, 100, &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:5: column 'num': '140' is outside -100..100");
    cr_assert_eq (csvreader_double (csv, 3, "num", 200, INFINITY, &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:5: column 'num': '140' is less than 200");
    cr_assert_eq (csvreader_double (csv, 4, "num", 0, 100, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:6:", "'num'", "''", "empty", NULL});
    cr_assert_eq (csvreader_double (csv, 5, "num", 0, 100, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:7:", "'num'", "'inf'", NULL});
    cr_assert_eq (csvreader_double (csv, 6, "num", 0, 100, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:8:", "'num'", "'0x10'", NULL});
    cr_assert_eq (csvreader_double (csv, 5, "count", 0, 1e6, &value, &err), 0);
    cr_assert_float_eq (value, 1000.0, 1e-9);
    cr_assert_eq (csvreader_double (csv, 5, "count", 0, 10, &value, &err), ERR_INVALID);
    cr_assert_float_eq (value, 1000.0, 1e-9, "a failed call leaves the output alone");
    csvreader_destroy (&csv);
}

Test (csvreader, int_getter)
{
    csvreader_t *csv = s_typed ();
    err_t err = {0};
    int64_t value = -1;
    cr_assert_eq (csvreader_int (csv, 0, "count", 0, 100, &value, &err), 0, "%s", err.msg);
    cr_assert_eq (value, 42);
    cr_assert_eq (csvreader_int (csv, 6, "count", 0, 100, &value, &err), 0, "%s", err.msg);
    cr_assert_eq (value, 7);
    cr_assert_eq (csvreader_int (csv, 1, "count", 0, 100, &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:3: column 'count': '4.5' is not a whole number");
    cr_assert_eq (csvreader_int (csv, 2, "count", 0, INT64_MAX, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:4:", "'count'",
                                                   "'99999999999999999999'", "range", NULL});
    cr_assert_eq (csvreader_int (csv, 3, "count", 0, INT64_MAX, &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:5: column 'count': '-3' is less than 0");
    cr_assert_eq (csvreader_int (csv, 0, "count", -10, 10, &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:2: column 'count': '42' is outside -10..10");
    cr_assert_eq (csvreader_int (csv, 4, "count", 0, 10, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:6:", "'count'", "''", NULL});
    cr_assert_eq (csvreader_int (csv, 5, "count", 0, 10000, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:7:", "'count'", "'1e3'", NULL});
    cr_assert_eq (value, 7, "a failed call leaves the output alone");
    csvreader_destroy (&csv);
}

Test (csvreader, bool_getter)
{
    csvreader_t *csv = s_typed ();
    err_t err = {0};
    bool value = false;
    static const struct {
        size_t row;
        bool expected;
    } good[] = {{0, true}, {2, false}, {3, true}, {4, false}, {5, true}, {6, false}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        cr_assert_eq (csvreader_bool (csv, good[i].row, "flag", &value, &err), 0, "%s",
                      err.msg);
        cr_assert_eq (value, good[i].expected, "row %zu", good[i].row);
    }
    cr_assert_eq (csvreader_bool (csv, 1, "flag", &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:3: column 'flag': 'maybe' is not yes or no");
    csvreader_destroy (&csv);
}

Test (csvreader, enum_getter)
{
    static const char *const segments[] = {"smb", "mid-market", "enterprise", NULL};
    csvreader_t *csv = s_typed ();
    err_t err = {0};
    const char *value = NULL;
    cr_assert_eq (csvreader_enum (csv, 0, "segment", segments, &value, &err), 0);
    cr_assert_eq (value, segments[0], "the answer is the allowed word itself");
    cr_assert_eq (csvreader_enum (csv, 1, "segment", segments, &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:3: column 'segment': 'SMB' is not one of smb, "
                               "mid-market, enterprise");
    cr_assert_eq (csvreader_enum (csv, 2, "segment", segments, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:4:", "'segment'", "'big'", NULL});
    cr_assert_eq (csvreader_enum (csv, 4, "segment", segments, &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:6:", "'segment'", "''", NULL});
    csvreader_destroy (&csv);
}

Test (csvreader, text_getter)
{
    csvreader_t *csv = s_typed ();
    err_t err = {0};
    const char *value = NULL;
    cr_assert_eq (csvreader_text (csv, 0, "label", &value, &err), 0);
    cr_assert_str_eq (value, "Acme");
    cr_assert_eq (csvreader_text (csv, 1, "label", &value, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg, "t.csv:3: column 'label': '' is empty; a value is required");
    cr_assert_eq (csvreader_text (csv, 2, "label", &value, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:4:", "'label'", "'  '", NULL});
    csvreader_destroy (&csv);
}

Test (csvreader, date_getter)
{
    csvreader_t *csv = s_typed ();
    err_t err = {0};
    int32_t day = -1, leap = -1;
    cr_assert_eq (csvreader_date (csv, 0, "day", &day, &err), 0, "%s", err.msg);
    cr_assert_eq (csvreader_date (csv, 4, "day", &leap, &err), 0, "%s", err.msg);
    cr_assert_eq (day - leap, 365 + 31, "2024-02-29 .. 2025-03-31");
    cr_assert_eq (csvreader_date (csv, 1, "day", &day, &err), ERR_INVALID);
    cr_assert_str_eq (err.msg,
                      "t.csv:3: column 'day': '2025-02-30' is not a date (YYYY-MM-DD)");
    cr_assert_eq (csvreader_date (csv, 2, "day", &day, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:4:", "'day'", "'31/03/2025'", NULL});
    cr_assert_eq (csvreader_date (csv, 3, "day", &day, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:5:", "'day'", "''", NULL});
    cr_assert_eq (csvreader_date (csv, 5, "day", &day, &err), ERR_INVALID);
    s_assert_mentions (&err, (const char *const[]){"t.csv:7:", "'day'", "'2025-3-1'", NULL});
    csvreader_destroy (&csv);
}

Test (csvreader, long_values_are_shortened_in_messages)
{
    char text[400] = "id,num\nA-1,";
    size_t len = strlen (text);
    memset (text + len, '9', 300);
    strcpy (text + len + 300, "x\n");
    csvreader_t *csv = s_parse (text);
    err_t err = {0};
    double value;
    cr_assert_eq (csvreader_double (csv, 0, "num", 0, 1, &value, &err), ERR_INVALID);
    cr_assert (strstr (err.msg, "...' is not a number"), "%s", err.msg);
    cr_assert_lt (strlen (err.msg), 200);
    csvreader_destroy (&csv);
}

Test (csvreader, open_reads_files)
{
    char *dir = ts_tempdir ();
    cr_assert_not_null (dir);
    char *path = ts_write_file (dir, "people.csv", "id,name\nP-1,\"Lopez, Maria\"\n");
    csvreader_t *csv = NULL;
    err_t err = {0};
    cr_assert_eq (csvreader_open (path, &csv, &err), 0, "%s", err.msg);
    cr_assert_str_eq (csvreader_name (csv), path);
    cr_assert_str_eq (s_cell (csv, 0, "name"), "Lopez, Maria");
    csvreader_destroy (&csv);

    char missing[4096];
    snprintf (missing, sizeof missing, "%s/absent.csv", dir);
    cr_assert_eq (csvreader_open (missing, &csv, &err), ERR_IO);
    cr_assert_null (csv);
    s_assert_mentions (&err, (const char *const[]){"absent.csv", NULL});
    cr_assert_eq (csvreader_open (dir, &csv, &err), ERR_IO, "a directory: %s", err.msg);
    free (path);
    ts_tempdir_remove (&dir);
}

Test (csvreader, write_cell_round_trips)
{
    static const char *const cells[] = {"plain",  "a,b",        "say \"hi\"", "two\nlines",
                                        "cr\r\n", "  padded  ", "",           "Société"};
    const size_t count = sizeof cells / sizeof cells[0];
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream (&text, &size);
    cr_assert_not_null (file);
    for (size_t i = 0; i < count; i++) {
        fprintf (file, "%sc%zu", i ? "," : "", i);
    }
    fputc ('\n', file);
    for (size_t i = 0; i < count; i++) {
        if (i)
            fputc (',', file);
        csvreader_write_cell (file, cells[i]);
    }
    fputc ('\n', file);
    fclose (file);
    cr_assert (strstr (text, "\nplain,\"a,b\",\"say \"\"hi\"\"\","),
               "only cells that need it are quoted: %s", text);

    csvreader_t *csv = NULL;
    err_t err = {0};
    cr_assert_eq (csvreader_parse ("w.csv", text, size, &csv, &err), 0, "%s", err.msg);
    cr_assert_eq (csvreader_rows (csv), 1);
    for (size_t i = 0; i < count; i++)
        cr_assert_str_eq (csvreader_cell (csv, 0, (int)i), cells[i]);
    csvreader_destroy (&csv);
    free (text);
}
