// The lines of a dataset that reading skipped, counted by reason, so that a damaged dataset
// gives one summary line on stderr instead of one warning per line (4 KiB of garbage used to
// print 17).
#pragma once

#include <map>
#include <string>

namespace vitperf {

// The rejected lines of one or more files, by reason.
class RecordRejections {
 public:
  void Add(const std::string& reason, const std::string& where);
  int Total() const { return total_; }
  const std::map<std::string, int>& ByReason() const { return by_reason_; }
  // One line, e.g. "data: skipped 3 records (2 malformed or truncated line, 1 id: empty); first
  // at a.jsonl:7", or "" when nothing was rejected.
  std::string Summary() const;

 private:
  std::map<std::string, int> by_reason_;
  std::string first_where_;
  int total_ = 0;
};

}  // namespace vitperf
