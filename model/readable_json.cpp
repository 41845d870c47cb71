#include "model/readable_json.h"

namespace vitperf {
namespace {

bool AllScalars(const nlohmann::json& j) {
  for (const auto& v : j)
    if (v.is_structured()) return false;
  return true;
}

void Write(const nlohmann::json& j, int depth, int expand_depth, std::string* out) {
  // An object of scalars is one record (a coefficient, an input file): one line. The top level
  // is always broken into lines.
  const bool record = j.is_object() && AllScalars(j) && depth > 0;
  const bool expand = depth < expand_depth && j.is_structured() && !j.empty() && !record &&
                      !(j.is_array() && AllScalars(j));
  if (!expand) {
    *out += j.dump();
    return;
  }
  const std::string indent(2 * (depth + 1), ' ');
  *out += j.is_object() ? "{\n" : "[\n";
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!first) *out += ",\n";
    first = false;
    *out += indent;
    if (j.is_object()) *out += nlohmann::json(it.key()).dump() + ": ";
    Write(*it, depth + 1, expand_depth, out);
  }
  *out += "\n" + std::string(2 * depth, ' ') + (j.is_object() ? "}" : "]");
}

}  // namespace

std::string ReadableJson(const nlohmann::json& j, int expand_depth) {
  std::string out;
  Write(j, 0, expand_depth, &out);
  return out + "\n";
}

}  // namespace vitperf
