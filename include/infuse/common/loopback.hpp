// The loopback interface, where every service and container of a lab is published.
#pragma once

namespace infuse {

// Whether a TCP connection to 127.0.0.1:port succeeds (something listens there).
bool loopback_accepts(int port);

}  // namespace infuse
