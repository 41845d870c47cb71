// Lists of positive integers given on the command line ("1,8,64" or "1 8 64"), with errors
// that name the flag and tell a value that is not an integer from one out of range.
#pragma once

#include <string>
#include <vector>

namespace vitperf {

// Throws std::invalid_argument "<field>: ..." naming the accepted range 1..max_value and
// `example` (e.g. "--batch 1,8,64") for an empty list, a non-integer or an out-of-range value.
std::vector<int> ParsePositiveIntList(const std::string& text, const std::string& field,
                                      int max_value, const std::string& example);

}  // namespace vitperf
