// Reading a whole file into memory, always with a size cap.
//
// Every file the runner reads whole goes through read_whole_file with the cap that bounds it (a
// lab's zone file, a template, a service's data file): a file larger than the cap is refused with
// a message naming the file and the cap, before anything is read, so a 10 GB file planted in a lab
// costs nothing. Lab files are read through ConfinedFolder (which calls this after its own checks);
// this is for files the runner itself chose.
// Writing atomically is ConfinedFolder::create / write (confined_folder.hpp); private_files.hpp
// writes the state folder's files through it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace infuse {

// The bytes of `path`, at most `max_bytes`. Errors: "<path>: cannot read (<reason>)", "<path>:
// is not a file", "<path>: 70 MiB, more than the 64 MiB it may have". `shown_as` (when not empty)
// replaces the path in the messages, for a file the reader knows by another name.
tl::expected<std::string, std::string> read_whole_file(const std::filesystem::path& path, std::uint64_t max_bytes,
                                                       std::string_view shown_as = {});

}  // namespace infuse
