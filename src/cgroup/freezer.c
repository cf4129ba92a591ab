/* pause/resume: the v1 freezer controller when a hierarchy carries it (also on hybrid hosts, where the
 * tools people use read freezer.state), else cgroup v2's cgroup.freeze. Both are asynchronous: we wait
 * until the kernel reports the state reached, so `pause` returning means nothing runs any more. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"

static const char *v1_freezer(const struct cgroup_dirs *d)
{
        for (size_t i = 0; i < d->layout.n_v1; i++)
                if (cgroup_list_has(d->layout.v1[i].controllers, "freezer"))
                        return d->v1[i];
        return NULL;
}

/* "frozen 1" from cgroup.events; -1 when unreadable. */
static int v2_events_frozen(const char *dir)
{
        _cleanup_free_ char *ev = NULL;
        if (cgroup_read_file(dir, "cgroup.events", &ev) < 0)
                return -1;
        unsigned long long frozen;
        if (cgroup_keyed_value(ev, "frozen", &frozen) < 0)
                return -1;
        return frozen == 1;
}

static int v1_state(const char *dir)
{
        _cleanup_free_ char *s = NULL;
        if (cgroup_read_file(dir, "freezer.state", &s) < 0)
                return -1;
        /* FREEZING is not frozen yet: some tasks may still run. */
        return strncmp(s, "FROZEN", 6) == 0;
}

int cgroup_dirs_is_frozen(const struct cgroup_dirs *d)
{
        const char *v1 = v1_freezer(d);
        if (v1)
                return v1_state(v1);
        if (d->unified)
                return v2_events_frozen(d->unified);
        return -1;
}

int cgroup_dirs_freeze(const struct cgroup_dirs *d, bool freeze, struct error **err)
{
        const char *v1 = v1_freezer(d);
        const char *dir = v1 ? v1 : d->unified;
        if (!dir)
                return error_set(err, EOPNOTSUPP, "no freezer: neither a v1 freezer hierarchy nor cgroup v2");
        const char *file = v1 ? "freezer.state" : "cgroup.freeze";
        const char *value = v1 ? (freeze ? "FROZEN" : "THAWED") : (freeze ? "1" : "0");
        /* ~5 s: a task in an uninterruptible sleep delays freezing; the v1 freezer wants the write repeated. */
        for (int i = 0; i < 500; i++) {
                if ((i == 0 || v1) && cgroup_write_file(dir, file, value, err) < 0)
                        return error_prefix(err, freeze ? "pause" : "resume");
                int state = v1 ? v1_state(dir) : v2_events_frozen(dir);
                if (state < 0 || state == (int)freeze)
                        return 0;
                struct timespec ts = {0, 10L * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        if (freeze) {
                /* Do not leave it half frozen. */
                cgroup_write_file(dir, file, v1 ? "THAWED" : "0", NULL);
        }
        return error_set(err, ETIMEDOUT, "%s: %s/%s did not reach `%s`", freeze ? "pause" : "resume", dir, file, value);
}
