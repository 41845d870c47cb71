#include "predict/int_list.h"

#include <sstream>
#include <stdexcept>

namespace vitperf {

std::vector<int> ParsePositiveIntList(const std::string& text, const std::string& field,
                                      int max_value, const std::string& example) {
  const std::string accepted =
      " (accepted: integers 1 to " + std::to_string(max_value) + ", e.g. " + example + ")";
  std::vector<int> out;
  std::string item;
  std::stringstream s(text);
  while (std::getline(s, item, ',')) {
    std::stringstream words(item);
    std::string word;
    while (words >> word) {
      std::size_t used = 0;
      long long value = 0;
      try {
        value = std::stoll(word, &used);
      } catch (const std::out_of_range&) {
        throw std::invalid_argument(field + ": " + word + " is out of range" + accepted);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != word.size() || used == 0)
        throw std::invalid_argument(field + ": '" + word + "' is not an integer" + accepted);
      if (value < 1 || value > max_value)
        throw std::invalid_argument(field + ": " + word + " is out of range" + accepted);
      out.push_back(static_cast<int>(value));
    }
  }
  if (out.empty()) throw std::invalid_argument(field + ": empty list" + accepted);
  return out;
}

}  // namespace vitperf
