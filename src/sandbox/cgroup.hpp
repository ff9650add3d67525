// A control group for one child process tree: how the runner bounds a grader as a whole.
//
// run_process() puts each child it starts with limits into a fresh cgroup where the runner may make
// one (root, or a delegated cgroup v2 subtree): a memory limit for the whole tree (no swap), a
// process limit, and an exact list of its processes for killing them all, setsid() or not. cgroup
// v2 (memory.max, memory.swap.max, pids.max, memory.oom.group) is used where its controllers can be
// enabled; otherwise cgroup v1 (the memory and pids hierarchies). Where neither works the group is
// inactive and the caller falls back to per-process rlimits.
//
// Folders are named infuse-lab.<runner pid>.<runner start time>.<n>, so that a later run can tell
// the folder of a runner that was killed (SIGKILL leaves it behind, possibly with processes in it)
// from one that is still in use: remove_stale_cgroups() kills what is left in the former and removes
// them; it runs once per process, before the first group is made.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace infuse {

class ProcessCgroup {
public:
    // 0 means "no limit of that kind". Inactive (no folders) when both are 0.
    ProcessCgroup(std::uint64_t max_processes, std::uint64_t max_memory_bytes);
    ~ProcessCgroup();  // kills what is left, removes the folders
    ProcessCgroup(const ProcessCgroup&) = delete;
    ProcessCgroup& operator=(const ProcessCgroup&) = delete;

    bool limits_memory() const { return memory_limited_; }
    bool limits_processes() const { return pids_limited_; }
    // The cgroup.procs files the child writes its pid to before it executes (one per hierarchy).
    const std::vector<std::string>& procs_files() const { return procs_files_; }
    // "cgroup v2", "cgroup v1", or "" when inactive: for messages and docs.
    const std::string& kind() const { return kind_; }

    // Whether the kernel killed a process of the group because the group reached its memory limit.
    bool memory_exceeded() const;
    // Whether the group's memory reached its limit at some point (reclaim or an OOM kill). Alone this
    // is no failure (file cache is reclaimed at the limit too); with a timeout or a crash it tells why:
    // a tree stuck at its limit can thrash until its timeout without the kernel killing anything.
    bool memory_limit_reached() const;
    // The most memory the group used at once, in bytes (0 when not known).
    std::uint64_t peak_memory_bytes() const;
    // SIGKILL to every process in the group, repeated until it is empty (a fork bomb adds while we kill).
    void kill_all() const;

private:
    std::vector<std::filesystem::path> dirs_;
    std::vector<std::string> procs_files_;
    std::filesystem::path memory_dir_;
    std::string kind_;
    bool memory_limited_ = false;
    bool pids_limited_ = false;
    bool v2_ = false;
};

// Removes the infuse-lab cgroup folders whose runner is gone (killing what they still hold) in the
// places this process would create its own. Returns how many were removed. Safe to call any time.
int remove_stale_cgroups();

// The folder name for this process's n-th group: infuse-lab.<pid>.<start time>.<n>.
std::string cgroup_folder_name(int n);
// Whether a folder of that name belongs to a runner that is still alive (false for other names).
bool cgroup_owner_alive(const std::string& folder_name);

// Every process of the machine with its parent, zombies included, from /proc: {pid, parent pid}.
std::vector<std::pair<pid_t, pid_t>> process_parents();
// The processes whose parent is `parent`, zombies included.
std::vector<pid_t> child_processes(pid_t parent);

}  // namespace infuse
