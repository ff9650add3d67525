#include "infuse/common/paths.hpp"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include "infuse/common/error.hpp"

namespace infuse {
namespace {

std::filesystem::path from_environment(const char* variable) {
    const char* value = std::getenv(variable);
    return value && *value ? std::filesystem::path(value) : std::filesystem::path();
}

}  // namespace

std::filesystem::path home_directory() {
    if (auto home = from_environment("HOME"); !home.empty()) return home;
    if (const passwd* entry = getpwuid(getuid()); entry && entry->pw_dir) return entry->pw_dir;
    throw UserError(Fault::environment, "cannot tell the home directory", "set HOME");
}

std::filesystem::path workspaces_root() {
    if (auto root = from_environment("INFUSE_LAB_HOME"); !root.empty()) return std::filesystem::absolute(root);
    return home_directory() / "infuse-lab";
}

std::filesystem::path workspace_for(const std::string& lab_id) { return workspaces_root() / lab_id; }

std::filesystem::path state_directory() {
    if (auto state = from_environment("XDG_STATE_HOME"); !state.empty() && state.is_absolute()) {
        return state / "infuse-lab";
    }
    return home_directory() / ".local" / "state" / "infuse-lab";
}

std::filesystem::path progress_store_path() { return state_directory() / "progress.sqlite"; }

std::filesystem::path bundled_labs_directory() {
    std::error_code error;
    const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error) {
        const auto installed = executable.parent_path().parent_path() / "share" / "infuse-lab" / "labs";
        if (std::filesystem::is_directory(installed, error)) return installed;
    }
    for (const char* candidate : {INFUSE_INSTALLED_LABS, INFUSE_SOURCE_LABS}) {
        if (std::filesystem::is_directory(candidate, error)) return candidate;
    }
    return {};
}

std::filesystem::path bundled_graders_directory() {
    if (const char* forced = std::getenv("INFUSE_GRADERS_DIR"); forced && *forced) return forced;
    const auto labs = bundled_labs_directory();
    return labs.empty() ? std::filesystem::path() : labs.parent_path() / "graders";
}

std::filesystem::path services_file_for(const std::string& lab_id) {
    std::string name = lab_id;
    for (char& c : name) {
        if (c == '/') c = '~';
    }
    return state_directory() / "services" / (name + ".json");
}

std::string now_utc_iso8601() {
    const auto now = std::chrono::system_clock::now();
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                       utc.tm_hour, utc.tm_min, utc.tm_sec, millis);
}

}  // namespace infuse
