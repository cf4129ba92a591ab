/* libFuzzer target: what a (possibly hostile) peer can send on the agent connection — a frame header and any
 * payload — through the decoders both ends use (src/agent/protocol.c). */
#include <stddef.h>
#include <stdint.h>

#include "agent/protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t len;
        uint8_t type;
        if (size >= AGENT_HEADER_SIZE)
                agent_frame_header(data, &len, &type);
        struct agent_exec_request req;
        if (agent_exec_decode(data, size, &req) == 0) {
                /* What decodes must encode again. */
                struct agent_buf b = {0};
                agent_exec_encode(&req, &b);
                agent_buf_free(&b);
                agent_exec_request_free(&req);
        }
        int status;
        agent_exit_status(data, size, &status);
        return 0;
}
