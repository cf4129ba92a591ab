/* signal_parse / signal_name: every standard name in every accepted spelling, numbers, the RT range. */
#include <ctype.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "oci/signals.h"

static const struct {
        const char *name;
        int signo;
} expected[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},   {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGABRT},      {"BUS", SIGBUS},       {"FPE", SIGFPE},   {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},
    {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"POLL", SIGIO},       {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

static int parse_ok(const char *s)
{
        _cleanup_error_ struct error *err = NULL;
        int signo = -12345;
        int r = signal_parse(s, &signo, &err);
        if (r < 0)
                fail_msg("signal_parse(\"%s\"): %s", s, err ? err->msg : "?");
        assert_null(err);
        return signo;
}

static void parse_fails(const char *s)
{
        _cleanup_error_ struct error *err = NULL;
        int signo = -12345;
        if (signal_parse(s, &signo, &err) >= 0)
                fail_msg("signal_parse(\"%s\") accepted: %d", s, signo);
        assert_non_null(err);
        char want[128];
        snprintf(want, sizeof(want), "unknown signal \"%s\"", s ? s : "");
        assert_string_equal(err->msg, want);
        assert_int_equal(signo, -12345);
}

static void lower(char *s)
{
        for (; *s; s++)
                *s = (char)tolower((unsigned char)*s);
}

static void test_every_name_every_spelling(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
                char buf[32];
                assert_int_equal(parse_ok(expected[i].name), expected[i].signo);
                snprintf(buf, sizeof(buf), "SIG%s", expected[i].name);
                assert_int_equal(parse_ok(buf), expected[i].signo);
                lower(buf);
                assert_int_equal(parse_ok(buf), expected[i].signo);
                assert_int_equal(parse_ok(buf + 3), expected[i].signo);
                snprintf(buf, sizeof(buf), "Sig%s", expected[i].name);
                buf[4] = (char)tolower((unsigned char)buf[4]);
                assert_int_equal(parse_ok(buf), expected[i].signo);
        }
}

/* Cross-check against glibc's own abbreviations for every classic signal number. */
static void test_matches_libc_names(void **state)
{
        (void)state;
        for (int n = 1; n < 32; n++) {
                const char *abbrev = sigabbrev_np(n);
                if (!abbrev)
                        continue;
                assert_int_equal(parse_ok(abbrev), n);
                char name[SIGNAL_NAME_MAX];
                assert_non_null(signal_name(n, name));
                assert_int_equal(parse_ok(name), n);
                assert_int_equal(strncmp(name, "SIG", 3), 0);
        }
}

static void test_numbers(void **state)
{
        (void)state;
        for (int n = 0; n <= 128; n++) {
                char buf[16];
                snprintf(buf, sizeof(buf), "%d", n);
                assert_int_equal(parse_ok(buf), n);
        }
        assert_int_equal(parse_ok("09"), 9);
        assert_int_equal(parse_ok("2147483647"), 2147483647);
        parse_fails("2147483648");
        parse_fails("99999999999999999999");
        parse_fails("-9");
        parse_fails("+9");
        parse_fails(" 9");
        parse_fails("9 ");
        parse_fails("9x");
        parse_fails("0x9");
}

static void test_realtime(void **state)
{
        (void)state;
        int span = SIGRTMAX - SIGRTMIN;
        assert_true(span > 0);
        assert_int_equal(parse_ok("RTMIN"), SIGRTMIN);
        assert_int_equal(parse_ok("SIGRTMIN"), SIGRTMIN);
        assert_int_equal(parse_ok("rtmax"), SIGRTMAX);
        assert_int_equal(parse_ok("SIGRTMAX"), SIGRTMAX);
        for (int n = 0; n <= span; n++) {
                char buf[32];
                snprintf(buf, sizeof(buf), "RTMIN+%d", n);
                assert_int_equal(parse_ok(buf), SIGRTMIN + n);
                snprintf(buf, sizeof(buf), "sigrtmin+%d", n);
                assert_int_equal(parse_ok(buf), SIGRTMIN + n);
                snprintf(buf, sizeof(buf), "SIGRTMAX-%d", n);
                assert_int_equal(parse_ok(buf), SIGRTMAX - n);

                char name[SIGNAL_NAME_MAX];
                assert_non_null(signal_name(SIGRTMIN + n, name));
                assert_int_equal(parse_ok(name), SIGRTMIN + n);
        }
        char buf[32];
        snprintf(buf, sizeof(buf), "RTMIN+%d", span + 1);
        parse_fails(buf);
        snprintf(buf, sizeof(buf), "RTMAX-%d", span + 1);
        parse_fails(buf);
        parse_fails("RTMIN+");
        parse_fails("RTMIN-1");
        parse_fails("RTMAX+1");
        parse_fails("RTMAX-");
        parse_fails("RTMIN+x");
        parse_fails("RTMIN1");
        parse_fails("RTMINX");
        parse_fails("RTMIN+-1");
        parse_fails("RTMIN++1");
}

static void test_unknown(void **state)
{
        (void)state;
        parse_fails("FOO");
        parse_fails("SIGFOO");
        parse_fails("");
        parse_fails("SIG");
        parse_fails("SIGSIGKILL");
        parse_fails("KILLX");
        parse_fails("KIL");
        parse_fails("SIG9");
        parse_fails("SIG KILL");
        parse_fails(NULL);
}

static void test_names(void **state)
{
        (void)state;
        char name[SIGNAL_NAME_MAX];
        assert_string_equal(signal_name(SIGKILL, name), "SIGKILL");
        assert_string_equal(signal_name(SIGABRT, name), "SIGABRT");
        assert_string_equal(signal_name(SIGCHLD, name), "SIGCHLD");
        assert_string_equal(signal_name(SIGIO, name), "SIGIO");
        assert_string_equal(signal_name(SIGRTMIN, name), "SIGRTMIN");
        assert_string_equal(signal_name(SIGRTMIN + 2, name), "SIGRTMIN+2");
        assert_null(signal_name(0, name));
        assert_null(signal_name(-1, name));
        assert_null(signal_name(SIGRTMAX + 1, name));
        assert_null(signal_name(32, name));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_every_name_every_spelling),
            cmocka_unit_test(test_matches_libc_names),
            cmocka_unit_test(test_numbers),
            cmocka_unit_test(test_realtime),
            cmocka_unit_test(test_unknown),
            cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
