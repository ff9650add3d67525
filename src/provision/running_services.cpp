#include "infuse/provision/running_services.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "infuse/common/error.hpp"
#include "infuse/common/file_io.hpp"
#include "infuse/common/paths.hpp"
#include "infuse/common/private_files.hpp"
#include "infuse/common/untrusted_json.hpp"

namespace infuse {

namespace fs = std::filesystem;

namespace {
constexpr std::uintmax_t kMaxRecordBytes = 1024 * 1024;
}  // namespace

tl::expected<std::optional<RunningServices>, std::string> load_running_services(const std::string& lab_id) {
    const fs::path file = services_file_for(lab_id);
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::optional<RunningServices>{};
    // Our own file, but one a crash may cut or another program may replace: read it bounded.
    if (const auto size = fs::file_size(file, ec); !ec && size > kMaxRecordBytes) return tl::unexpected(fmt::format("{}: not a services record (larger than 1 MiB)", file.string()));
    auto text = read_whole_file(file, kMaxRecordBytes);
    if (!text) return tl::unexpected(text.error());
    auto parsed = parse_untrusted_json(*text, 16, "services-record-depth");
    if (!parsed) return tl::unexpected(fmt::format("{}: not a services record ({})", file.string(), parsed.error()));
    try {
        const auto& json = *parsed;
        RunningServices services;
        services.lab_id = json.at("lab").get<std::string>();
        services.run_id = json.at("run").get<std::int64_t>();
        services.engine = json.value("engine", "");
        for (const auto& item : json.value("containers", nlohmann::json::array())) {
            RunningContainer container;
            container.name = item.at("name").get<std::string>();
            container.engine_id = item.at("id").get<std::string>();
            for (const auto& [port, number] : item.at("ports").items()) container.host_ports[port] = number.get<int>();
            services.containers.push_back(std::move(container));
        }
        services.supervisor_pid = json.value("supervisor_pid", 0);
        services.supervisor_socket = json.value("supervisor_socket", "");
        services.supervisor_token = json.value("supervisor_token", "");
        for (const auto& item : json.value("services", nlohmann::json::array())) {
            services.services.push_back({item.at("kind").get<std::string>(), item.at("port").get<int>(), item.value("example", "")});
        }
        if (services.lab_id != lab_id) return tl::unexpected(fmt::format("{}: records the lab '{}', not '{}'", file.string(), services.lab_id, lab_id));
        return std::optional<RunningServices>(std::move(services));
    } catch (const nlohmann::json::exception& problem) {
        return tl::unexpected(fmt::format("{}: not a services record ({})", file.string(), problem.what()));
    }
}

tl::expected<void, Error> save_running_services(const RunningServices& services) {
    nlohmann::json containers = nlohmann::json::array();
    for (const auto& container : services.containers) {
        containers.push_back({{"name", container.name}, {"id", container.engine_id}, {"ports", container.host_ports}});
    }
    nlohmann::json simulated = nlohmann::json::array();
    for (const auto& service : services.services) simulated.push_back({{"kind", service.kind}, {"port", service.port}, {"example", service.example}});
    const nlohmann::json json{{"lab", services.lab_id},         {"run", services.run_id},
                              {"engine", services.engine},      {"containers", containers},
                              {"supervisor_pid", services.supervisor_pid}, {"supervisor_socket", services.supervisor_socket},
                              {"supervisor_token", services.supervisor_token},
                              {"services", simulated}};
    const fs::path file = services_file_for(services.lab_id);
    if (auto written = write_private_file(file, json.dump(2) + "\n"); !written) {
        return tl::unexpected(environment_error(written.error(), "check that the disk is not full and that the state folder is yours"));
    }
    return {};
}

void forget_running_services(const std::string& lab_id) {
    std::error_code ignored;
    fs::remove(services_file_for(lab_id), ignored);
}

void add_service_values(ParamValues& values, const std::vector<RunningContainer>& containers) {
    for (const auto& container : containers) {
        for (const auto& [port_name, host_port] : container.host_ports) {
            values[fmt::format("service.{}.{}", container.name, port_name)] = fmt::format("127.0.0.1:{}", host_port);
        }
    }
}

void add_service_values(ParamValues& values, const std::vector<RunningService>& services) {
    for (const auto& service : services) {
        values["service." + service.kind] = fmt::format("127.0.0.1:{}", service.port);
        values["service." + service.kind + ".port"] = std::to_string(service.port);
    }
}

}  // namespace infuse
