// An output file whose every write is checked: a full disk or /dev/full makes Close() throw
// instead of the command saying "wrote" and exiting 0.
#pragma once

#include <fstream>
#include <string>
#include <utility>

namespace vitperf {

class OutputFile : public std::ofstream {
 public:
  // Opens (truncating) `path`; throws std::runtime_error "<field>: cannot write '<path>' (...)",
  // or std::invalid_argument for a FIFO without a reader.
  OutputFile(const std::string& path, const std::string& field);
  // Written out: a defaulted move would need std::basic_ios's (absent) move constructor.
  OutputFile(OutputFile&& other)
      : std::ofstream(std::move(other)),
        path_(std::move(other.path_)),
        field_(std::move(other.field_)) {}
  OutputFile& operator=(OutputFile&&) = delete;
  // Flushes and closes; throws std::runtime_error when any write or the close failed.
  void Close();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string field_;
};

// Writes `content` to `path` through an OutputFile.
void WriteOutputFile(const std::string& path, const std::string& content, const std::string& field);

// Flushes standard output and checks it: a command whose output went nowhere (a full disk, a
// closed pipe) must not exit 0. Returns "" or the one-line error.
std::string FinishStandardOutput();

}  // namespace vitperf
