#include "model/record_rejections.h"

namespace vitperf {

void RecordRejections::Add(const std::string& reason, const std::string& where) {
  if (total_++ == 0) first_where_ = where;
  ++by_reason_[reason];
}

std::string RecordRejections::Summary() const {
  if (total_ == 0) return "";
  std::string line =
      "data: skipped " + std::to_string(total_) + (total_ == 1 ? " record (" : " records (");
  int listed = 0;
  for (const auto& [reason, count] : by_reason_) {
    if (listed == 3) {
      line += "; " + std::to_string(by_reason_.size() - 3) + " more reasons";
      break;
    }
    line += (listed++ ? "; " : "") + std::to_string(count) + "x " + reason;
  }
  return line + "); first at " + first_where_;
}

}  // namespace vitperf
