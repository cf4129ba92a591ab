/* The pure parts of the sd_notify proxy: READY=1 detection and crun's in-container socket directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "container/notify.h"

static void test_ready(void **state)
{
        (void)state;
        assert_true(notify_message_is_ready("READY=1", 7));
        assert_true(notify_message_is_ready("STATUS=x\nREADY=1\n", 17));
        assert_false(notify_message_is_ready("READY=10", 8));
        assert_false(notify_message_is_ready("STATUS=READY=1", 14));
        assert_false(notify_message_is_ready("", 0));
}

static void check_dir(const char *host, const char *want)
{
        char *got = notify_container_dir(host);
        assert_non_null(got);
        assert_string_equal(got, want);
        free(got);
}

static void test_container_dir(void **state)
{
        (void)state;
        /* crun: the host's path, as a directory inside the container */
        check_dir("/run/systemd/notify", "/run/systemd/notify");
        check_dir("/run/user/1000/systemd/notify//", "/run/user/1000/systemd/notify");
        /* no path to reuse: abstract, relative, root, absent */
        check_dir("@/org/freedesktop/systemd1/notify", NOTIFY_FALLBACK_DIR);
        check_dir("notify.sock", NOTIFY_FALLBACK_DIR);
        check_dir("/", NOTIFY_FALLBACK_DIR);
        check_dir(NULL, NOTIFY_FALLBACK_DIR);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_ready),
            cmocka_unit_test(test_container_dir),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
