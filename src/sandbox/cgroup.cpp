// ProcessCgroup: finding where a cgroup can be made (v2, then v1), setting its limits, reading its
// OOM count, killing its processes, and cleaning up after runners that were killed.
#include "sandbox/cgroup.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace infuse {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "infuse-lab.";
constexpr std::string_view kLegacyPrefix = "infuse-lab-";  // infuse-lab-<pid>-<n>, before start times

std::optional<std::string> read_text(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

bool write_text(const fs::path& file, std::string_view text) {
    std::ofstream out(file);
    if (!out) return false;
    out << text;
    out.close();
    return static_cast<bool>(out);
}

std::uint64_t to_number(std::string_view text) {
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

// "key value" lines (memory.events, memory.oom_control): the value of `key`, if present.
std::optional<std::uint64_t> keyed_value(const fs::path& file, std::string_view key) {
    auto text = read_text(file);
    if (!text) return std::nullopt;
    std::istringstream lines(*text);
    std::string name;
    std::uint64_t value = 0;
    while (lines >> name >> value) {
        if (name == key) return value;
    }
    return std::nullopt;
}

// Field 22 of /proc/<pid>/stat (start time in clock ticks since boot): with the pid, it identifies
// a process for good, pid reuse or not.
std::optional<std::uint64_t> start_time(pid_t pid) {
    auto stat = read_text(fmt::format("/proc/{}/stat", pid));
    if (!stat) return std::nullopt;
    const auto close = stat->rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(stat->substr(close + 2));
    std::string field;
    for (int index = 3; fields >> field; ++index) {
        if (index == 22) return to_number(field);
    }
    return std::nullopt;
}

struct Hierarchy {
    fs::path mount;  // where it is mounted
    fs::path own;    // this process's cgroup in it (under mount)
};

// The cgroup2 hierarchy and the v1 hierarchies of `controller`, from /proc/self/mountinfo and
// /proc/self/cgroup.
struct Hierarchies {
    std::optional<Hierarchy> v2;
    std::optional<Hierarchy> memory_v1;
    std::optional<Hierarchy> pids_v1;
};

Hierarchies find_hierarchies() {
    Hierarchies found;
    std::map<std::string, std::pair<fs::path, std::string>> v1_mounts;  // controller -> mount, root
    std::optional<std::pair<fs::path, std::string>> v2_mount;
    std::ifstream mountinfo("/proc/self/mountinfo");
    std::string line;
    while (std::getline(mountinfo, line)) {
        // id parent major:minor root mount-point options [optional...] - type source super-options
        std::istringstream words(line);
        std::string id, parent, device, root, mount_point, options, word;
        if (!(words >> id >> parent >> device >> root >> mount_point >> options)) continue;
        while (words >> word && word != "-") {
        }
        std::string type, source, super_options;
        if (!(words >> type >> source >> super_options)) continue;
        if (type == "cgroup2" && !v2_mount) v2_mount = {mount_point, root};
        if (type == "cgroup") {
            std::istringstream list(super_options);
            for (std::string option; std::getline(list, option, ',');) {
                if (option == "memory" || option == "pids")
                    v1_mounts.emplace(option, std::pair{fs::path(mount_point), root});
            }
        }
    }
    std::ifstream cgroups("/proc/self/cgroup");
    while (std::getline(cgroups, line)) {
        // hierarchy-id:controllers:path
        const auto first = line.find(':'), second = line.find(':', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        const std::string controllers = line.substr(first + 1, second - first - 1);
        std::string path = line.substr(second + 1);
        const auto place = [&](const std::pair<fs::path, std::string>& mount) {
            std::string relative = path;
            if (mount.second != "/" && relative.starts_with(mount.second)) relative.erase(0, mount.second.size());
            fs::path own = mount.first / fs::path(relative).relative_path();
            std::error_code ec;
            if (!fs::is_directory(own, ec)) own = mount.first;  // a path from outside our view
            return Hierarchy{mount.first, own};
        };
        if (line.starts_with("0::") && v2_mount) found.v2 = place(*v2_mount);
        std::istringstream list(controllers);
        for (std::string controller; std::getline(list, controller, ',');) {
            auto mount = v1_mounts.find(controller);
            if (mount == v1_mounts.end()) continue;
            if (controller == "memory") found.memory_v1 = place(mount->second);
            if (controller == "pids") found.pids_v1 = place(mount->second);
        }
    }
    return found;
}

const Hierarchies& hierarchies() {
    static const Hierarchies found = find_hierarchies();
    return found;
}

bool has_controller(const fs::path& dir, std::string_view controller) {
    auto text = read_text(dir / "cgroup.controllers");
    if (!text) return false;
    std::istringstream words(*text);
    for (std::string word; words >> word;) {
        if (word == controller) return true;
    }
    return false;
}

// Where to create groups, best first. v2: the hierarchy's root (root only: it may hold processes and
// still hand controllers down), then the parent of our own cgroup (a delegated subtree: our own
// cgroup holds processes, so it cannot hand controllers down itself). v1: our own cgroup (nested
// under whatever limits us already), then the hierarchy's root.
std::vector<fs::path> v2_bases(const Hierarchy& v2) {
    std::vector<fs::path> bases{v2.mount};
    if (v2.own != v2.mount) bases.push_back(v2.own.parent_path());
    return bases;
}

std::vector<fs::path> v1_bases(const Hierarchy& v1) {
    std::vector<fs::path> bases{v1.own};
    if (v1.own != v1.mount) bases.push_back(v1.mount);
    return bases;
}

std::atomic<int> next_group{0};

// Kills every process listed in `procs`, repeating until it is empty or 100 rounds have passed.
void kill_listed(const fs::path& procs) {
    for (int round = 0; round < 100; ++round) {
        std::ifstream list(procs);
        pid_t pid = 0;
        bool any = false;
        while (list >> pid) {
            any = true;
            ::kill(pid, SIGKILL);
        }
        if (!any) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

// rmdir, retried while the killed processes finish exiting.
bool remove_group(const fs::path& dir) {
    for (int i = 0; i < 400; ++i) {
        kill_listed(dir / "cgroup.procs");
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

}  // namespace

std::string cgroup_folder_name(int n) {
    return fmt::format("{}{}.{}.{}", kPrefix, ::getpid(), start_time(::getpid()).value_or(0), n);
}

bool cgroup_owner_alive(const std::string& name) {
    if (name.starts_with(kPrefix)) {
        // infuse-lab.<pid>.<start>.<n>
        std::istringstream parts(name.substr(kPrefix.size()));
        std::string pid_text, start_text;
        if (!std::getline(parts, pid_text, '.') || !std::getline(parts, start_text, '.'))
            return true;  // not ours: keep
        const auto pid = static_cast<pid_t>(to_number(pid_text));
        const auto started = start_time(pid);
        return pid > 0 && started && *started == to_number(start_text);
    }
    if (name.starts_with(kLegacyPrefix)) {
        const auto pid = static_cast<pid_t>(to_number(name.substr(kLegacyPrefix.size())));
        return pid > 0 && fs::exists(fmt::format("/proc/{}", pid));
    }
    return true;
}

int remove_stale_cgroups() {
    std::vector<fs::path> bases;
    const auto& found = hierarchies();
    if (found.v2) bases = v2_bases(*found.v2);
    if (found.memory_v1) {
        auto more = v1_bases(*found.memory_v1);
        bases.insert(bases.end(), more.begin(), more.end());
    }
    if (found.pids_v1) {
        auto more = v1_bases(*found.pids_v1);
        bases.insert(bases.end(), more.begin(), more.end());
    }
    int removed = 0;
    for (const auto& base : bases) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(base, ec)) {
            const std::string name = entry.path().filename().string();
            if (!name.starts_with(kPrefix) && !name.starts_with(kLegacyPrefix)) continue;
            if (!entry.is_directory(ec) || cgroup_owner_alive(name)) continue;
            if (fs::exists(entry.path() / "cgroup.kill", ec)) write_text(entry.path() / "cgroup.kill", "1");
            if (remove_group(entry.path())) ++removed;
        }
    }
    return removed;
}

ProcessCgroup::ProcessCgroup(std::uint64_t max_processes, std::uint64_t max_memory_bytes) {
    if (max_processes == 0 && max_memory_bytes == 0) return;
    static std::once_flag cleaned;
    std::call_once(cleaned, [] { remove_stale_cgroups(); });
    const auto& found = hierarchies();
    const std::string name = cgroup_folder_name(next_group++);

    // cgroup v2, where the memory and pids controllers can be had.
    if (found.v2 && has_controller(found.v2->mount, "memory")) {
        for (const auto& base : v2_bases(*found.v2)) {
            const fs::path dir = base / name;
            if (::mkdir(dir.c_str(), 0755) != 0) continue;
            if (!has_controller(dir, "memory") || !has_controller(dir, "pids")) {
                write_text(base / "cgroup.subtree_control", "+memory +pids");
            }
            if (!has_controller(dir, "memory") || !has_controller(dir, "pids") ||
                (max_memory_bytes && !write_text(dir / "memory.max", std::to_string(max_memory_bytes))) ||
                (max_processes && !write_text(dir / "pids.max", std::to_string(max_processes)))) {
                ::rmdir(dir.c_str());
                continue;
            }
            write_text(dir / "memory.swap.max", "0");   // absent without swap accounting: fine
            write_text(dir / "memory.oom.group", "1");  // one OOM kill takes the whole grader
            dirs_.push_back(dir);
            procs_files_.push_back((dir / "cgroup.procs").string());
            memory_dir_ = dir;
            memory_limited_ = max_memory_bytes != 0;
            pids_limited_ = max_processes != 0;
            v2_ = true;
            kind_ = "cgroup v2";
            return;
        }
    }
    // cgroup v1: one folder in each hierarchy, each optional.
    if (max_memory_bytes && found.memory_v1) {
        for (const auto& base : v1_bases(*found.memory_v1)) {
            const fs::path dir = base / name;
            if (::mkdir(dir.c_str(), 0755) != 0) continue;
            if (!write_text(dir / "memory.limit_in_bytes", std::to_string(max_memory_bytes))) {
                ::rmdir(dir.c_str());
                continue;
            }
            write_text(dir / "memory.memsw.limit_in_bytes",
                       std::to_string(max_memory_bytes));  // no swap, where accounted
            write_text(dir / "memory.swappiness", "0");
            dirs_.push_back(dir);
            procs_files_.push_back((dir / "cgroup.procs").string());
            memory_dir_ = dir;
            memory_limited_ = true;
            kind_ = "cgroup v1";
            break;
        }
    }
    if (max_processes && found.pids_v1) {
        for (const auto& base : v1_bases(*found.pids_v1)) {
            const fs::path dir = base / name;
            if (::mkdir(dir.c_str(), 0755) != 0) continue;
            if (!write_text(dir / "pids.max", std::to_string(max_processes))) {
                ::rmdir(dir.c_str());
                continue;
            }
            dirs_.push_back(dir);
            procs_files_.push_back((dir / "cgroup.procs").string());
            pids_limited_ = true;
            kind_ = "cgroup v1";
            break;
        }
    }
}

ProcessCgroup::~ProcessCgroup() {
    kill_all();
    for (const auto& dir : dirs_)
        remove_group(dir);
}

bool ProcessCgroup::memory_exceeded() const {
    if (memory_dir_.empty()) return false;
    if (v2_) {
        return keyed_value(memory_dir_ / "memory.events", "oom_kill").value_or(0) > 0 ||
               keyed_value(memory_dir_ / "memory.events", "oom_group_kill").value_or(0) > 0;
    }
    if (auto kills = keyed_value(memory_dir_ / "memory.oom_control", "oom_kill")) return *kills > 0;
    // Kernels before 4.13 do not count OOM kills: reaching the limit is the best sign there is.
    auto failures = read_text(memory_dir_ / "memory.failcnt");
    return failures && to_number(*failures) > 0;
}

bool ProcessCgroup::memory_limit_reached() const {
    if (memory_dir_.empty()) return false;
    if (v2_) return keyed_value(memory_dir_ / "memory.events", "max").value_or(0) > 0 || memory_exceeded();
    auto failures = read_text(memory_dir_ / "memory.failcnt");
    return (failures && to_number(*failures) > 0) || memory_exceeded();
}

std::uint64_t ProcessCgroup::peak_memory_bytes() const {
    if (memory_dir_.empty()) return 0;
    auto text = read_text(memory_dir_ / (v2_ ? "memory.peak" : "memory.max_usage_in_bytes"));
    return text ? to_number(*text) : 0;
}

void ProcessCgroup::kill_all() const {
    if (dirs_.empty()) return;
    if (v2_) write_text(dirs_.front() / "cgroup.kill", "1");  // Linux 5.14+; the loop below otherwise
    for (const auto& procs : procs_files_)
        kill_listed(procs);
}

std::vector<std::pair<pid_t, pid_t>> process_parents() {
    std::vector<std::pair<pid_t, pid_t>> table;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        auto stat = read_text(entry.path() / "stat");
        if (!stat) continue;
        const auto close = stat->rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream fields(stat->substr(close + 2));
        std::string state;
        pid_t ppid = 0;
        if (fields >> state >> ppid) table.emplace_back(static_cast<pid_t>(to_number(name)), ppid);
    }
    return table;
}

std::vector<pid_t> child_processes(pid_t parent) {
    std::vector<pid_t> children;
    for (const auto& [pid, ppid] : process_parents()) {
        if (ppid == parent) children.push_back(pid);
    }
    return children;
}

}  // namespace infuse
