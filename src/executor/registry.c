/* The one table of executors. Callers ask it what an executor is called, what it can do and whether this
 * host can run it; none of them names an executor. Pure except executor_probe_available. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"
#include "executor/executor.h"

/* The default first: select falls back to it, and it is never a handler. */
static const struct executor *const executors[] = {&executor_native, &executor_krun};

/* executor_probe_available answers in the bits of an unsigned. */
_Static_assert(ARRAY_SIZE(executors) <= sizeof(unsigned) * 8, "too many executors for the availability mask");

size_t executor_count(void)
{
        return ARRAY_SIZE(executors);
}

const struct executor *executor_at(size_t i)
{
        return i < ARRAY_SIZE(executors) ? executors[i] : NULL;
}

const struct executor *executor_by_name(const char *name)
{
        for (size_t i = 0; name && i < ARRAY_SIZE(executors); i++)
                if (strcmp(executors[i]->name, name) == 0)
                        return executors[i];
        return NULL;
}

const struct executor *executor_handler(const char *name)
{
        const struct executor *ex = executor_by_name(name);
        return ex == executors[0] ? NULL : ex;
}

char *executor_handler_names(void)
{
        size_t len = 1;
        for (size_t i = 1; i < ARRAY_SIZE(executors); i++)
                len += strlen(executors[i]->name) + 2;
        char *out = malloc(len);
        if (!out)
                return NULL;
        out[0] = 0;
        for (size_t i = 1; i < ARRAY_SIZE(executors); i++) {
                if (i > 1)
                        strcat(out, ", ");
                strcat(out, executors[i]->name);
        }
        return out;
}

bool executor_can(const struct executor *ex, unsigned caps)
{
        return (ex->caps & caps) == caps;
}

int executor_require(const char *executor_name, unsigned cap, const char *what, const char *id, struct error **err)
{
        const struct executor *ex = executor_by_name(executor_name);
        if (!ex || executor_can(ex, cap))
                return 0;
        return error_set(err, EOPNOTSUPP, "%s `%s`: not supported by the container's executor (%s)", what, id,
                         ex->name);
}

unsigned executor_probe_available(void)
{
        unsigned available = 0;
        for (size_t i = 0; i < ARRAY_SIZE(executors); i++)
                if (!executors[i]->is_available || executors[i]->is_available())
                        available |= 1u << i;
        return available;
}
