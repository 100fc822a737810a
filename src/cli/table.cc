#include "cli/table.h"

#include <algorithm>

namespace cuplane::cli {
namespace {

constexpr std::string_view kGap = "  ";

// East Asian wide characters take two terminal columns (the main ranges of Unicode's
// East_Asian_Width W and F: Hangul Jamo, CJK, Hangul syllables, compatibility ideographs,
// fullwidth forms and the supplementary ideographic planes).
bool IsWide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

// Terminal columns, not bytes, so that a UTF-8 name (an account called 演示) keeps its row's
// columns in line. Invalid UTF-8 counts one column per byte.
size_t Width(const std::string& text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    auto lead = static_cast<unsigned char>(text[i]);
    size_t length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (i + length > text.size()) length = 1;
    char32_t c = length == 1 ? lead : lead & (0x3F >> (length - 1));
    for (size_t k = 1; k < length; ++k) {
      c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    }
    width += IsWide(c) ? 2 : 1;
    i += length;
  }
  return width;
}

void PrintRow(std::ostream& out, const std::vector<std::string>& cells,
              const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < widths.size(); ++i) {
    const std::string cell = i < cells.size() ? cells[i] : "";
    line += cell;
    if (i + 1 < widths.size()) line += std::string(widths[i] - Width(cell), ' ') + kGap.data();
  }
  // Trailing empty cells would leave blanks at the end of the line.
  line.erase(line.find_last_not_of(' ') + 1);
  out << line << "\n";
}

}  // namespace

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

void Table::AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(header_.size(), 0);
  auto widen = [&widths](const std::vector<std::string>& cells) {
    if (cells.size() > widths.size()) widths.resize(cells.size(), 0);
    for (size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], Width(cells[i]));
  };
  widen(header_);
  for (const auto& row : rows_) widen(row);
  if (!header_.empty()) PrintRow(out, header_, widths);
  for (const auto& row : rows_) PrintRow(out, row, widths);
}

void PrintFields(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
  Table table;
  for (const auto& [label, value] : fields) table.AddRow({label + ":", value});
  table.Print(out);
}

}  // namespace cuplane::cli
