// `infuse-lab lookup dns|whois|rdap|ct|pdns|asn QUERY`: ask the started lab's simulated services,
// for learners who have no dig or whois (the printed commands of `start` do the same with them).
#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "cli/views.hpp"
#include "cli/session.hpp"
#include "infuse/common/ascii.hpp"
#include "infuse/common/error.hpp"
#include "infuse/services/lookup.hpp"

namespace infuse::cli {
namespace {

struct LookupOptions {
    std::string kind;
    std::string query;
    std::string type = "A";
    std::string lab;
    bool json = false;
};

int run_lookup(Context& context, const LookupOptions& options) {
    LearnerSession session = open_session(context, options.lab);
    if (!find_service_kind(options.kind) || options.kind == "web") {
        throw UserError(Fault::input, fmt::format("'{}' is not a service lookup knows", options.kind),
                        "one of: dns, whois, rdap, ct, pdns, asn");
    }
    const RunningService* service = nullptr;
    for (const auto& running : session.services) {
        if (running.kind == options.kind) service = &running;
    }
    if (!service) {
        const bool declared = std::any_of(session.lab.services.begin(), session.lab.services.end(),
                                          [&](const ServiceSpec& spec) { return spec.kind == options.kind; });
        if (!declared) {
            throw UserError(Fault::input, fmt::format("the lab '{}' has no {} service", session.lab.id, options.kind),
                            "`infuse-lab status` lists its services");
        }
        throw UserError(Fault::environment, fmt::format("the services of '{}' are not running", session.lab.id),
                        fmt::format("`infuse-lab start {}` starts them", session.lab.id));
    }
    tl::expected<LookupResult, std::string> result = tl::unexpected(std::string());
    if (options.kind == "dns") {
        result = lookup_dns(service->port, options.query, ascii_upper(options.type));
    } else if (options.kind == "whois") {
        result = lookup_whois(service->port, options.query);
    } else {
        result = lookup_http(options.kind, service->port, options.query);
    }
    if (!result) {
        throw UserError(Fault::environment, fmt::format("{} lookup of '{}': {}", options.kind, options.query, result.error()),
                        "`infuse-lab status` shows whether the lab's services still run");
    }
    if (options.json) {
        std::cout << json_document(nlohmann::json{{"service", options.kind}, {"query", options.query}, {"status", result->status},
                                                  {"found", result->found}, {"text", result->text}});
    } else {
        std::cout << result->text;
    }
    return result->found ? 0 : 1;
}

}  // namespace

Runner define_lookup(CLI::App& app) {
    auto options = std::make_shared<LookupOptions>();
    app.add_option("service", options->kind, "dns, whois, rdap, ct, pdns or asn")->required();
    app.add_option("query", options->query, "a domain name, an address, an AS number (AS64500), a handle")->required();
    app.add_option("-t,--type", options->type, "dns: the record type (A, AAAA, MX, NS, TXT, CNAME, SOA, PTR, CAA; default A)");
    app.add_option("-l,--lab", options->lab, "the lab (default: the last one started)");
    app.add_flag("--json", options->json, "print the result as JSON");
    return [options](Context& context) { return run_lookup(context, *options); };
}

}  // namespace infuse::cli
