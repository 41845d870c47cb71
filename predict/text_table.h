// Aligned text tables for people (machines get JSON). Numbers right-aligned, text left.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vitperf {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void Print(std::ostream& out) const;
  // GitHub-flavoured Markdown, for reports.
  void PrintMarkdown(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Fixed-point with `digits` decimals; "-" for NaN.
std::string Fixed(double value, int digits);
// [fraction] as "3.8%", or "-" when not positive (no figure recorded).
std::string PercentOrDash(double fraction);
// Three significant figures with an SI suffix: 1.23k, 45.6M, 7.89G.
std::string Si(double value);
// Bytes with a binary unit: "1.50 GiB", "312 MiB".
std::string Bytes(double bytes);

}  // namespace vitperf
