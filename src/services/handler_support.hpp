// What the simulated internet's handlers share: reading a service's data file (service_data.hpp),
// IP addresses and prefixes (infuse/ip_address.hpp), ASCII text (infuse/ascii.hpp) and the GET/HEAD
// rules every HTTP service follows (http_support.hpp).
#pragma once

#include "infuse/common/ascii.hpp"
#include "infuse/common/ip_address.hpp"
#include "services/http_support.hpp"
#include "services/service_data.hpp"
