// Appends JSONL records to a file so that a sweep killed at any moment leaves every complete
// record on disk and at most one torn line at the end, which the next --resume cuts off.
#pragma once

#include <string>

namespace vitperf::measure {

class JsonlAppender {
 public:
  // Opens (creating if needed) `path` for appending. Throws std::runtime_error naming the path.
  explicit JsonlAppender(const std::string& path);
  JsonlAppender(const JsonlAppender&) = delete;
  JsonlAppender& operator=(const JsonlAppender&) = delete;
  JsonlAppender(JsonlAppender&& other) noexcept;
  JsonlAppender& operator=(JsonlAppender&& other) noexcept;
  ~JsonlAppender();

  // Writes `line` plus '\n' with one write(2) on an O_APPEND descriptor and flushes it to the
  // disk (fdatasync), so a record is either whole in the file or, after a crash mid-write, a
  // torn tail. `line` must not contain a newline. Throws std::runtime_error on I/O failure.
  void Append(const std::string& line);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// Cuts a last line that lacks its trailing newline (a record torn by a kill mid-write) off the
// file, unless it is a whole JSON object, which gets its newline instead. Returns the warning to
// print ("<path>: removed a torn last line (N bytes ...)" or "...; added it"), or an empty
// string when the file was whole or absent. Throws std::runtime_error on I/O failure.
std::string RepairTornTail(const std::string& path);

}  // namespace vitperf::measure
