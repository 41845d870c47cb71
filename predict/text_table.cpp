#include "predict/text_table.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace vitperf {
namespace {

// A number, or "-" standing in a numeric column for a value that does not apply.
bool LooksNumeric(const std::string& s) {
  if (s == "-") return true;
  return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) ||
                        ((s[0] == '-' || s[0] == '+' || s[0] == '.') && s.size() > 1 &&
                         std::isdigit(static_cast<unsigned char>(s[1]))));
}

}  // namespace

void TextTable::Print(std::ostream& out) const {
  std::vector<size_t> width(header_.size(), 0);
  for (size_t i = 0; i < header_.size(); ++i) width[i] = header_[i].size();
  for (const auto& row : rows_)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  auto line = [&](const std::vector<std::string>& cells, bool is_header) {
    std::string text;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      const std::string pad(width[i] - cell.size(), ' ');
      const bool right = !is_header && LooksNumeric(cell);
      text += (i ? "  " : "") + (right ? pad + cell : cell + pad);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << "\n";
  };
  line(header_, true);
  for (const auto& row : rows_) line(row, false);
}

void TextTable::PrintMarkdown(std::ostream& out) const {
  out << "|";
  for (const auto& h : header_) out << " " << h << " |";
  out << "\n|";
  for (size_t i = 0; i < header_.size(); ++i) out << "---|";
  out << "\n";
  for (const auto& row : rows_) {
    out << "|";
    for (size_t i = 0; i < header_.size(); ++i)
      out << " " << (i < row.size() ? row[i] : "") << " |";
    out << "\n";
  }
}

std::string Fixed(double value, int digits) {
  if (std::isnan(value)) return "-";
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string PercentOrDash(double fraction) {
  return fraction > 0 ? Fixed(100 * fraction, 1) + "%" : "-";
}

std::string Si(double value) {
  if (std::isnan(value)) return "-";
  const char* suffix[] = {"", "k", "M", "G", "T", "P"};
  int i = 0;
  double v = value;
  while (std::fabs(v) >= 1000 && i < 5) {
    v /= 1000;
    ++i;
  }
  char text[64];
  std::snprintf(text, sizeof text,
                std::fabs(v) >= 100 ? "%.0f%s" : (std::fabs(v) >= 10 ? "%.1f%s" : "%.2f%s"), v,
                suffix[i]);
  return text;
}

std::string Bytes(double bytes) {
  const char* unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int i = 0;
  double v = bytes;
  while (v >= 1024 && i < 4) {
    v /= 1024;
    ++i;
  }
  char text[64];
  std::snprintf(text, sizeof text, v >= 100 ? "%.0f %s" : "%.2f %s", v, unit[i]);
  return text;
}

}  // namespace vitperf
