#include "infuse/running_services.hpp"

#include <unistd.h>

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "infuse/error.hpp"
#include "infuse/paths.hpp"

namespace infuse {

namespace fs = std::filesystem;

tl::expected<std::optional<RunningServices>, std::string> load_running_services(const std::string& lab_id) {
    const fs::path file = services_file_for(lab_id);
    std::error_code ec;
    if (!fs::exists(file, ec)) return std::optional<RunningServices>{};
    std::ifstream in(file, std::ios::binary);
    if (!in) return tl::unexpected(fmt::format("{}: cannot be read", file.string()));
    try {
        const auto json = nlohmann::json::parse(in);
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
        services.supervisor_start = json.value("supervisor_start", std::uint64_t{0});
        for (const auto& item : json.value("services", nlohmann::json::array())) {
            services.services.push_back({item.at("kind").get<std::string>(), item.at("port").get<int>(), item.value("example", "")});
        }
        if (services.lab_id != lab_id) return tl::unexpected(fmt::format("{}: records the lab '{}', not '{}'", file.string(), services.lab_id, lab_id));
        return std::optional<RunningServices>(std::move(services));
    } catch (const nlohmann::json::exception& problem) {
        return tl::unexpected(fmt::format("{}: not a services record ({})", file.string(), problem.what()));
    }
}

void save_running_services(const RunningServices& services) {
    nlohmann::json containers = nlohmann::json::array();
    for (const auto& container : services.containers) {
        containers.push_back({{"name", container.name}, {"id", container.engine_id}, {"ports", container.host_ports}});
    }
    nlohmann::json simulated = nlohmann::json::array();
    for (const auto& service : services.services) simulated.push_back({{"kind", service.kind}, {"port", service.port}, {"example", service.example}});
    const nlohmann::json json{{"lab", services.lab_id},         {"run", services.run_id},
                              {"engine", services.engine},      {"containers", containers},
                              {"supervisor_pid", services.supervisor_pid}, {"supervisor_start", services.supervisor_start},
                              {"services", simulated}};
    const fs::path file = services_file_for(services.lab_id);
    const fs::path partial = file.string() + fmt::format(".partial-{}", ::getpid());
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out << json.dump(2) << "\n";
        out.close();
        if (!out) {
            fs::remove(partial, ec);
            throw UserError(ExitCode::environment, fmt::format("{}: cannot be written", partial.string()), "check that the disk is not full");
        }
    }
    fs::rename(partial, file, ec);
    if (ec) {
        fs::remove(partial, ec);
        throw UserError(ExitCode::environment, fmt::format("{}: cannot be written", file.string()), "check that the disk is not full");
    }
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
